"""เข้าสู่ระบบด้วย LINE through the fake LINE Login provider (bot/line/fakeline.py): the
authorization code flow with state, nonce and PKCE S256; the ID token verified (signature with
the channel secret, iss, aud, exp, nonce) — each way of getting it wrong refused with a Thai
page and a login_failed row; the session holds the userId only, so a revoked role ends at the
next click; a person with no role sees whom to ask and nothing else."""
from __future__ import annotations

import base64
import json
import zlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from bot.core.roles import DISTRICT_HEAD, PROVINCE_ADMIN
from tests.dashboard.conftest import (HEAD_R_BANPONG, LOGIN_CHANNEL, NAMES, OFFICER_R,
                                      PROVINCE_ADMIN_R, STRANGER, audit_rows, authorize_back,
                                      csrf_of, grant_roles, line_config, line_login,
                                      revoke_role)
from tests.helpers import ADMIN, DASHBOARD_TOKEN


@pytest.fixture
def app(make_dash_app, fake_line):
    app = make_dash_app(**line_config(fake_line))
    grant_roles(app, kanchanaburi=False)
    return app


def test_the_login_page_offers_line_and_not_the_token_form(client):
    page = client.get("/dashboard/login")
    assert page.status_code == 200
    assert "เข้าสู่ระบบด้วย LINE" in page.text and 'id="line-login"' in page.text
    assert 'type="password"' not in page.text
    # the token form is off while LINE Login is configured (DASHBOARD_TOKEN stays a bearer)
    refused = client.post("/dashboard/login", data={"token": DASHBOARD_TOKEN, "csrf_token": "x"})
    assert refused.status_code == 403 and "LINE" in refused.text
    assert client.get("/dashboard").status_code == 302
    bearer = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}
    assert client.get("/dashboard", headers=bearer).status_code == 200


def test_the_authorize_request_is_oidc_with_state_nonce_and_pkce(client, fake_line):
    authorize, back = authorize_back(client, fake_line, PROVINCE_ADMIN_R)
    q = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert authorize.startswith(f"{fake_line.url}/oauth2/v2.1/authorize?")
    assert q["response_type"] == "code" and q["client_id"] == LOGIN_CHANNEL
    assert q["redirect_uri"] == "http://localhost/dashboard/login/line/callback"
    assert q["scope"].split() == ["openid", "profile"]
    assert q["code_challenge_method"] == "S256" and len(q["code_challenge"]) == 43
    assert len(q["state"]) >= 20 and len(q["nonce"]) >= 16
    assert back.startswith("http://localhost/dashboard/login/line/callback?code=")
    assert f"state={q['state']}" in back
    # nothing of it in the cookie is a secret of the channel
    cookie = client.get_cookie("session").value
    assert "5f2c1a0e" not in cookie


def test_a_province_admin_logs_in_and_sees_their_province(app, client, fake_line):
    resp = line_login(client, fake_line, PROVINCE_ADMIN_R, next="/dashboard/export.csv")
    assert resp.status_code == 302 and resp.headers["Location"] == "/dashboard/export.csv"
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "secure"} <= flags and "samesite=lax" in cookie.lower()
    # the session holds the userId and no role
    payload = cookie.split(";")[0].split("=", 1)[1]
    body = payload.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if payload.startswith("."):
        raw = zlib.decompress(raw)
    data = json.loads(raw)
    assert data["dash_user"] == PROVINCE_ADMIN_R
    assert not any("role" in k or "province" in k for k in data)
    page = client.get("/dashboard")
    assert page.status_code == 200 and "จังหวัดราชบุรี" in page.text
    assert f"คุณ{NAMES[PROVINCE_ADMIN_R]} · ผู้ดูแลจังหวัดราชบุรี" in page.text
    assert 'id="looked"' in page.text and 'id="export-xlsx"' in page.text
    [row] = audit_rows(app, action="login")
    assert (row.actor, row.province_key, row.detail["via"]) == (PROVINCE_ADMIN_R, "ratchaburi",
                                                                "line")
    assert row.detail["name"] == NAMES[PROVINCE_ADMIN_R]


def test_the_code_is_exchanged_once_with_the_verifier(client, fake_line):
    authorize, back = authorize_back(client, fake_line, PROVINCE_ADMIN_R)
    parts = urlsplit(back)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    # the same callback again: its state was used up (and the code too)
    again = client.application.test_client()
    replay = again.get(f"{parts.path}?{parts.query}")
    assert replay.status_code == 400 and "อีกครั้ง" in replay.text
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    r = requests.post(f"{fake_line.url}/oauth2/v2.1/token", timeout=5, data={
        "grant_type": "authorization_code", "code": q["code"], "client_id": LOGIN_CHANNEL,
        "client_secret": fake_line.login_channels[LOGIN_CHANNEL],
        "redirect_uri": "http://localhost/dashboard/login/line/callback",
        "code_verifier": "x" * 43})
    assert r.status_code == 400


def test_the_fake_checks_pkce(client, fake_line):
    """A token request with the wrong verifier is refused by the provider; so the app's."""
    authorize, back = authorize_back(client, fake_line, PROVINCE_ADMIN_R)
    q = {k: v[0] for k, v in parse_qs(urlsplit(back).query).items()}
    a = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    wrong = requests.post(f"{fake_line.url}/oauth2/v2.1/token", timeout=5, data={
        "grant_type": "authorization_code", "code": q["code"], "client_id": LOGIN_CHANNEL,
        "client_secret": fake_line.login_channels[LOGIN_CHANNEL],
        "redirect_uri": a["redirect_uri"], "code_verifier": "not-the-verifier-" * 3})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    assert "code_verifier does not match the code_challenge" in fake_line.login_refusals
    # an authorize request without PKCE or openid is refused outright
    for drop in ("code_challenge", "nonce", "state"):
        bad = requests.get(authorize.replace(f"{drop}=", f"x{drop}="), allow_redirects=False,
                           timeout=5)
        assert bad.status_code == 400, drop
    bad = requests.get(authorize.replace("scope=openid+profile", "scope=profile"),
                       allow_redirects=False, timeout=5)
    assert bad.status_code == 400


def test_a_wrong_pkce_verifier_from_the_app_is_refused(app, client, fake_line, monkeypatch):
    from authlib.integrations.base_client import sync_app
    original = sync_app.OAuth2Base._format_state_params

    def tampered(state_data, params):
        params = original(state_data, params)
        params["code_verifier"] = "a-verifier-that-is-not-the-one-hashed-into-the-challenge"
        return params
    monkeypatch.setattr(sync_app.OAuth2Base, "_format_state_params", staticmethod(tampered))
    resp = line_login(client, fake_line, PROVINCE_ADMIN_R)
    assert resp.status_code == 401 and "ไม่ยืนยัน" in resp.text
    assert client.get("/dashboard").status_code == 302
    [row] = audit_rows(app, action="login_failed")
    assert row.detail["reason"] == "token" and row.detail["detail"] == "invalid_grant"


@pytest.mark.parametrize("fault,claim", [("aud", "aud"), ("iss", "iss"), ("nonce", "nonce"),
                                         ("signature", "bad_signature"), ("expired", "exp")])
def test_a_bad_id_token_is_refused(app, client, fake_line, fault, claim):
    fake_line.id_token_fault = fault
    resp = line_login(client, fake_line, PROVINCE_ADMIN_R)
    assert resp.status_code == 401
    assert "ยืนยันตัวตนจาก LINE ไม่ผ่าน" in resp.text
    assert client.get("/dashboard").status_code == 302     # no session
    [row] = audit_rows(app, action="login_failed")
    assert row.detail["reason"] == "id_token" and row.detail["detail"] == claim
    assert not audit_rows(app, action="login")
    # the provider's own verify endpoint refuses the same token
    token = fake_line.id_tokens[-1]
    assert token["sub"] == PROVINCE_ADMIN_R


def test_state_must_be_the_one_this_browser_started(app, client, fake_line):
    _, back = authorize_back(client, fake_line, PROVINCE_ADMIN_R)
    parts = urlsplit(back)
    q = parse_qs(parts.query)
    forged = client.get(f"{parts.path}?code={q['code'][0]}&state=forged-state")
    assert forged.status_code == 400 and client.get("/dashboard").status_code == 302
    # another browser (no state in its session) cannot finish this one's login
    other = client.application.test_client()
    assert other.get(f"{parts.path}?{parts.query}").status_code == 400
    assert [r.detail["reason"] for r in audit_rows(app, action="login_failed")] == \
        ["state", "state"]


def test_the_user_cancels_at_line(app, client, fake_line):
    fake_line.login_deny = True
    resp = line_login(client, fake_line, PROVINCE_ADMIN_R)
    assert resp.status_code == 401 and "ยกเลิกการเข้าสู่ระบบด้วย LINE" in resp.text
    [row] = audit_rows(app, action="login_failed")
    assert row.detail["reason"] == "access_denied"


def test_line_unreachable(app, client, fake_line):
    app.config["LINE_API_BASE_URL"] = "http://127.0.0.1:9"   # nothing listens: the token call fails
    resp = line_login(client, fake_line, PROVINCE_ADMIN_R)
    assert resp.status_code == 503 and "ติดต่อ LINE ไม่ได้" in resp.text


def test_an_old_session_after_a_revoke(app, client, fake_line):
    assert line_login(client, fake_line, HEAD_R_BANPONG).status_code == 302
    page = client.get("/dashboard?district=ban-pong")
    assert page.status_code == 200 and "อำเภอบ้านโป่ง" in page.text
    revoke_role(app, HEAD_R_BANPONG, DISTRICT_HEAD, "ratchaburi", "ban-pong")
    # the very next click: no dashboard, the page of whom to ask
    after = client.get("/dashboard?district=ban-pong")
    assert after.status_code == 403 and 'id="no-role"' in after.text
    assert "1,200" not in after.text and 'id="status"' not in after.text
    assert client.get("/dashboard/export.csv").status_code == 403
    # a province admin revoked: the same
    other = app.test_client()
    assert line_login(other, fake_line, PROVINCE_ADMIN_R).status_code == 302
    assert other.get("/dashboard/export.csv").status_code == 200
    revoke_role(app, PROVINCE_ADMIN_R, PROVINCE_ADMIN, "ratchaburi")
    assert other.get("/dashboard/export.csv").status_code == 403
    assert other.get("/dashboard").status_code == 403


def test_an_officer_sees_whom_to_ask_and_nothing_else(app, client, fake_line):
    assert line_login(client, fake_line, OFFICER_R).status_code == 302
    for path in ("/dashboard", "/dashboard/national", "/dashboard/export.xlsx",
                 "/dashboard/brief", "/dashboard?district=ban-pong"):
        page = client.get(path)
        assert page.status_code == 403, path
        assert 'id="no-role"' in page.text and "1,200" not in page.text
    text = page.text
    assert f"คุณ{NAMES[OFFICER_R]}" in text
    # their province's admin, by name, and how to be appointed
    assert "ผู้ดูแลจังหวัดราชบุรี" in text and f"คุณ{NAMES[PROVINCE_ADMIN_R]}" in text
    assert "แต่งตั้งหัวหน้าอำเภอ @ชื่อของท่าน" in text
    assert OFFICER_R in text                       # their userId, for the admin
    assert 'id="logout"' in text
    [row] = audit_rows(app, action="login_failed")
    assert (row.actor, row.detail["reason"]) == (OFFICER_R, "no_role")


def test_a_stranger_sees_whom_to_ask(app, client, fake_line):
    assert line_login(client, fake_line, STRANGER).status_code == 302
    page = client.get("/dashboard")
    assert page.status_code == 403 and 'id="no-role"' in page.text
    assert "ยังไม่รู้จักบัญชีนี้" in page.text and "ผู้ดูแลระบบของกรม" in page.text
    assert "ราชบุรี" not in page.text
    # the stranger is not written into line_users by logging in
    from models import LineUser
    with app.extensions["nongpat"].read_sessions() as s:
        assert s.get(LineUser, STRANGER) is None
    # and logs out
    out = client.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and client.get("/dashboard").status_code == 302


def test_a_department_admin_sees_everything(app, client, fake_line):
    assert line_login(client, fake_line, ADMIN).status_code == 302
    page = client.get("/dashboard")
    assert page.status_code == 200 and 'id="looked"' in page.text
    assert "ผู้ดูแลระบบของกรม" in page.text
    assert client.get("/dashboard/national").status_code == 200
    [row] = audit_rows(app, action="login")
    assert (row.actor, row.province_key) == (ADMIN, None)


def test_logout_ends_the_line_session(app, client, fake_line):
    assert line_login(client, fake_line, PROVINCE_ADMIN_R).status_code == 302
    page = client.get("/dashboard")
    assert client.post("/dashboard/logout", data={}).status_code == 400
    out = client.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})
    assert out.status_code == 303 and client.get("/dashboard").status_code == 302
    assert audit_rows(app, action="logout")[0].actor == PROVINCE_ADMIN_R


def test_line_login_is_not_offered_when_not_configured(make_dash_app):
    c = make_dash_app().test_client()
    assert c.get("/dashboard/login/line").status_code == 404
    assert c.get("/dashboard/login/line/callback?code=x&state=y").status_code == 404
    assert 'type="password"' in c.get("/dashboard/login").text


def test_line_only_deployment_has_no_token_but_a_login(make_dash_app, fake_line):
    app = make_dash_app(DASHBOARD_TOKEN=None, **line_config(fake_line))
    grant_roles(app, kanchanaburi=False)
    c = app.test_client()
    assert app.config["SECRET_KEY"] and LOGIN_CHANNEL not in app.config["SECRET_KEY"]
    assert c.get("/dashboard/login").status_code == 200
    assert line_login(c, fake_line, PROVINCE_ADMIN_R).status_code == 302
    assert c.get("/dashboard").status_code == 200
    assert c.get("/dashboard", headers={"Authorization": "Bearer anything"}).status_code == 403
