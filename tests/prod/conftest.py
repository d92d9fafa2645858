"""Fixtures for the production tests: a database per module on each backend (SQLite file;
PostgreSQL schema of its own when TEST_DATABASE_URL is set) and gunicorn on it."""
from __future__ import annotations

import os
import uuid

import pytest
from bot.line.fakeline import FakeLine
from tests.helpers import drop_schema, pg_schema

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture
def fresh_db(request, tmp_path):
    """A function to make fresh databases: fresh_db(backend) → url; all dropped at the end."""
    made = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / ('db-' + uuid.uuid4().hex[:6] + '.sqlite3')}"
        url, schema = pg_schema(os.environ["TEST_DATABASE_URL"], prefix="prod_")
        made.append(schema)
        return url

    yield make
    for schema in made:
        drop_schema(os.environ["TEST_DATABASE_URL"], schema)


@pytest.fixture
def fake():
    with FakeLine() as f:
        yield f
