"""Fixtures: a fake LINE server, an app on a fresh database (SQLite, and PostgreSQL when
TEST_DATABASE_URL names one), and helpers that sign real webhook bodies."""
from __future__ import annotations

import datetime as dt
import os

import pytest

from bot import create_app
from bot.line.fakeline import FakeLine
from bot.timeutil import BANGKOK, fixed_clock

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
from tests.helpers import ADMIN, DASHBOARD_TOKEN, SECRET, TOKEN, Chat, drop_schema, pg_schema
NOW = dt.datetime(2022, 4, 19, 10, 0, tzinfo=BANGKOK)  # 19 เม.ย. 2565: 12 days before จปฐ. closes

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="session")
def fake_line():
    with FakeLine() as fake:
        yield fake


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nongpat.sqlite3'}"
        return
    base = os.environ["TEST_DATABASE_URL"]
    url, schema = pg_schema(base)
    yield url
    drop_schema(base, schema)


@pytest.fixture
def make_app(database_url, fake_line, tmp_path):
    apps = []

    def make(**overrides):
        config = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
            "LINE_API_BASE_URL": fake_line.url,
            "LINE_API_DATA_BASE_URL": fake_line.data_url,
            "ADMIN_LINE_USER_IDS": frozenset({ADMIN}),
            "DASHBOARD_TOKEN": DASHBOARD_TOKEN,
            "CLOCK": fixed_clock(NOW),
            "SPOOL_DIR": str(tmp_path / "spool"),
        }
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    fake_line.reset()
    yield make
    for app in apps:
        app.extensions["nongpat"].drainer.stop()
        app.extensions["nongpat"].line.drain()
        app.extensions["nongpat"].bot.flush_sent()
        app.extensions["nongpat"].engine.dispose()
    assert not fake_line.invalid, f"LINE would refuse these messages: {fake_line.invalid}"


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def chat(app, fake_line):
    return Chat(app, fake_line)
