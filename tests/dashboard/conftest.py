"""Fixtures for the dashboard: the app with the dashboard blueprint and `flask export` wired in
(whether or not bot/__init__.py and bot/cli.py already do it), a logged-in client, and helpers."""
from __future__ import annotations

import re

import pytest

from bot.web.dashboard import bp
from bot.web.export import export_command
from tests.helpers import ADMIN, DASHBOARD_TOKEN

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


# --------------------------------------------------------------------------- LINE Login
# A LINE Login channel on the fake LINE server (bot/line/fakeline.py), and the people of
# issue 15: a department admin (ADMIN_LINE_USER_IDS), a province admin of Ratchaburi, the
# district head of Ratchaburi's บ้านโป่ง, an officer of บ้านโป่ง (registered, no role) and a
# stranger; Kanchanaburi has its own admin and the head of its own ban-pong (the same key).
LOGIN_CHANNEL = "1657000001"
LOGIN_SECRET = "5f2c1a0e9b8d7c6b5a4f3e2d1c0b9a88"
PROVINCE_ADMIN_R = "Uprovadmin0ratchaburi00000000001"
HEAD_R_BANPONG = "Uhead0ratchaburi0banpong00000001"
PROVINCE_ADMIN_K = "Uprovadmin0kanchanaburi000000001"
HEAD_K_BANPONG = "Uhead0kanchanaburi0banpong000001"
OFFICER_R = "Uofficer0ratchaburi0banpong00001"
STRANGER = "Ustranger00000000000000000000001"
NAMES = {ADMIN: "อธิบดี ทดสอบ", PROVINCE_ADMIN_R: "สมชาย ผู้ดูแลราชบุรี",
         HEAD_R_BANPONG: "วิไล พัฒนาการบ้านโป่ง", PROVINCE_ADMIN_K: "ประเสริฐ ผู้ดูแลกาญจนบุรี",
         HEAD_K_BANPONG: "อรุณี หัวหน้ากาญจนบุรี", OFFICER_R: "ธนพล พัฒนากร",
         STRANGER: "คนแปลก หน้า"}


def line_config(fake) -> dict:
    """App settings of a LINE Login channel on the fake (authorize, token and verify there)."""
    fake.add_login_channel(LOGIN_CHANNEL, LOGIN_SECRET)
    fake.names.update(NAMES)
    return {"LINE_LOGIN_CHANNEL_ID": LOGIN_CHANNEL, "LINE_LOGIN_CHANNEL_SECRET": LOGIN_SECRET,
            "LINE_LOGIN_BASE_URL": fake.url}


def grant_roles(app, *, kanchanaburi: bool = True) -> None:
    """The roles above (as `flask people grant` writes them), and the officer registered."""
    import datetime as dt

    from bot.core.roles import DISTRICT_HEAD, PROVINCE_ADMIN, ensure_user, grant
    from models import LineUser
    from tests.conftest import NOW
    svc = app.extensions["nongpat"]
    with svc.sessions() as s, s.begin():
        grants = [(PROVINCE_ADMIN_R, PROVINCE_ADMIN, "ratchaburi", None),
                  (HEAD_R_BANPONG, DISTRICT_HEAD, "ratchaburi", "ban-pong")]
        if kanchanaburi:
            grants += [(PROVINCE_ADMIN_K, PROVINCE_ADMIN, "kanchanaburi", None),
                       (HEAD_K_BANPONG, DISTRICT_HEAD, "kanchanaburi", "ban-pong")]
        for user, role, province, district in grants:
            ensure_user(s, user, NAMES[user])
            grant(s, user, role, province, district, by="cli:test",
                  at=NOW.astimezone(dt.timezone.utc))
        ensure_user(s, OFFICER_R, NAMES[OFFICER_R])
        officer = s.get(LineUser, OFFICER_R)
        officer.registered_province, officer.registered_district = "ratchaburi", "ban-pong"


def revoke_role(app, user: str, role: str, province: str, district: str | None = None):
    from bot.core.roles import revoke
    svc = app.extensions["nongpat"]
    with svc.sessions() as s, s.begin():
        assert revoke(s, user, role, province, district, by="cli:test") is not None


def line_login(client, fake, user: str | None, *, next: str | None = None):
    """Log ``client`` in through the fake LINE Login as ``user``: the app's redirect to the
    authorize endpoint, the fake's redirect back with a code, the callback. Returns the
    callback's answer (or the fake's, when it refused the authorize request)."""
    from urllib.parse import urlencode, urlsplit

    import requests
    fake.login_as = user
    start = client.get("/dashboard/login/line" + (f"?{urlencode({'next': next})}" if next else ""))
    assert start.status_code == 302, start.text
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    if back.status_code != 302:
        return back
    parts = urlsplit(back.headers["Location"])
    return client.get(f"{parts.path}?{parts.query}")


def authorize_back(client, fake, user: str | None):
    """The first two legs only: (the authorize URL the app sent the browser to, the callback
    URL the fake sent it back to)."""
    import requests
    fake.login_as = user
    start = client.get("/dashboard/login/line")
    back = requests.get(start.headers["Location"], allow_redirects=False, timeout=5)
    return start.headers["Location"], back.headers.get("Location")


def audit_rows(app, **where) -> list:
    """The audit trail's rows (oldest first), optionally filtered by column values."""
    from sqlalchemy import select

    from models import AuditEvent
    with app.extensions["nongpat"].read_sessions() as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        for k, v in where.items():
            q = q.where(getattr(AuditEvent, k) == v)
        return list(s.scalars(q))
