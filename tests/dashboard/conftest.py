"""Fixtures for the dashboard: the app with the dashboard blueprint and `flask export` wired in
(whether or not bot/__init__.py and bot/cli.py already do it), a logged-in client, and helpers."""
from __future__ import annotations

import re

import pytest

from bot.web.dashboard import bp
from bot.web.export import export_command
from tests.helpers import DASHBOARD_TOKEN

AUTH = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}


def wire(app):
    if "dashboard" not in app.blueprints:
        app.register_blueprint(bp)
    if "export" not in app.cli.commands:
        app.cli.add_command(export_command)
    return app


@pytest.fixture
def make_dash_app(make_app):
    def make(**overrides):
        return wire(make_app(**overrides))
    return make


@pytest.fixture
def app(make_dash_app):
    return make_dash_app()


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "no CSRF token in the form"
    return m.group(1)


def log_in(client, token: str = DASHBOARD_TOKEN):
    page = client.get("/dashboard/login")
    return client.post("/dashboard/login", data={"token": token, "csrf_token": csrf_of(page.text)})


@pytest.fixture
def dash(client):
    """A test client with a dashboard session."""
    resp = log_in(client)
    assert resp.status_code == 303, resp.text
    return client
