"""Fixtures for the production tests: a database per module on each backend (SQLite file;
PostgreSQL schema of its own when TEST_DATABASE_URL is set) and gunicorn on it."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from bot.db import normalise_url
from bot.fakeline import FakeLine

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def pg_schema(base: str) -> tuple[str, str]:
    schema = "prod_" + uuid.uuid4().hex[:12]
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    url = normalise_url(base)
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


@pytest.fixture
def fresh_db(request, tmp_path):
    """A function to make fresh databases: fresh_db(backend) → url; all dropped at the end."""
    made = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / ('db-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
        url, schema = pg_schema(os.environ["TEST_DATABASE_URL"])
        made.append(schema)
        return url

    yield make
    for schema in made:
        drop_schema(os.environ["TEST_DATABASE_URL"], schema)


@pytest.fixture
def fake():
    with FakeLine() as f:
        yield f
