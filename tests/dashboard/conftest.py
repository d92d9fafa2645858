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


# --------------------------------------------------------------------------- several plans
# Ratchaburi's real 2565 plan, a made-up Kanchanaburi 2565 that reuses the district key
# ban-pong, and a made-up Ratchaburi 2566. The clock (19 เม.ย. 2565) makes 2565 current.
KANCHANABURI = [("mueang-kanchanaburi", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง"),
                ("tha-maka", "ท่ามะกา"), ("ban-pong", "บ้านโป่ง")]
GR = "Cratchaburibanpong00000000000001"     # ratchaburi/ban-pong
GR2 = "Cratchaburiphotharam000000000002"    # ratchaburi/photharam
GK = "Ckanchanaburibanpong000000000003"     # kanchanaburi/ban-pong
GK2 = "Ckanchanaburithamuang00000000004"    # kanchanaburi/tha-muang


def plan_files(directory, *, kanchanaburi: bool = True, ratchaburi_2566: bool = True) -> str:
    """PLAN_FILE naming the real plan and the made-up ones (comma-separated)."""
    from bot.config import DEFAULT_PLAN
    from bot.core.madeup import write_made_up
    files = [DEFAULT_PLAN]
    if kanchanaburi:
        files.append(write_made_up(directory, "kanchanaburi", "กาญจนบุรี", 2565, KANCHANABURI,
                                   seed=1))
    if ratchaburi_2566:
        files.append(write_made_up(directory, "ratchaburi", "ราชบุรี", 2566, seed=2))
    return ",".join(str(f) for f in files)


def cli(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result.output


def seed_plans(app, chat, *, kanchanaburi: bool = True, ratchaburi_2566: bool = True) -> None:
    """Logs in each plan, through LINE groups bound with `flask groups bind`:
    ratchaburi 2565: จปฐ ban-pong 1200, photharam 35, TPMAP 3 (รายได้);
    kanchanaburi 2565: จปฐ ban-pong 500, tha-muang 300, ออมทรัพย์ 1 (สัมมาชีพ);
    ratchaburi 2566 (pinned while logging, then back to the calendar): จปฐ ban-pong 77."""
    cli(app, "groups", "bind", GR, "ratchaburi/ban-pong")
    cli(app, "groups", "bind", GR2, "ratchaburi/photharam")
    chat.say("บันทึก จปฐ 1200 ครัวเรือน", group=GR)
    chat.say("บันทึก จปฐ 35 ครัวเรือน", group=GR2, user="Uphotharam")
    chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=GR)
    if kanchanaburi:
        cli(app, "groups", "bind", GK, "kanchanaburi/ban-pong")
        cli(app, "groups", "bind", GK2, "kanchanaburi/tha-muang")
        chat.say("บันทึก จปฐ 500 ครัวเรือน", group=GK, user="Ukanchana1")
        chat.say("บันทึก จปฐ 300 ครัวเรือน", group=GK2, user="Ukanchana2")
        chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ", group=GK2, user="Ukanchana2")
    if ratchaburi_2566:
        cli(app, "plan", "use", "ratchaburi", "2566")
        chat.say("บันทึก จปฐ 77 ครัวเรือน", group=GR, user="Unextyear")
        cli(app, "plan", "use", "ratchaburi", "--auto")
