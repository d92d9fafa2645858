"""Who gets in: the login form (CSRF, constant-time token check, cookie flags), bearer tokens for
scripts, logout, and never open when no DASHBOARD_TOKEN is set."""
import base64
import zlib

import pytest

from tests.dashboard.conftest import AUTH, csrf_of, log_in
from tests.helpers import DASHBOARD_TOKEN

ROUTES = ["/dashboard", "/dashboard/", "/dashboard/export.xlsx", "/dashboard/export.csv",
          "/dashboard?district=ban-pong&indicator=jpt", "/dashboard/national",
          "/dashboard/export.csv?province=ratchaburi&fiscal_year=2565"]


@pytest.mark.parametrize("path", ROUTES)
def test_every_route_needs_a_login(client, path):
    resp = client.get(path)
    assert resp.status_code in (302, 401)
    if resp.status_code == 302:
        assert resp.headers["Location"].startswith("/dashboard/login")


def test_logout_without_a_session_is_refused(client):
    assert client.post("/dashboard/logout").status_code == 401


@pytest.mark.parametrize("path", ROUTES)
def test_bearer_token_for_scripts(client, path):
    assert client.get(path, headers=AUTH).status_code == 200
    wrong = client.get(path, headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code in (401, 403)
    assert "WWW-Authenticate" in wrong.headers


def test_no_token_configured_means_closed(make_dash_app):
    c = make_dash_app(DASHBOARD_TOKEN=None).test_client()
    for path in ROUTES + ["/dashboard/login"]:
        resp = c.get(path)
        assert resp.status_code == 403, path
    assert "ยังไม่ได้ตั้งค่า" in c.get("/dashboard/login").text
    assert c.get("/dashboard", headers=AUTH).status_code == 403
    assert c.post("/dashboard/login", data={"token": "", "csrf_token": ""}).status_code == 403
    assert c.post("/dashboard/login", data={"token": "None", "csrf_token": ""}).status_code == 403


def test_login_sets_a_safe_session_cookie(client):
    page = client.get("/dashboard/login")
    assert page.status_code == 200
    assert 'method="post"' in page.text and 'type="password"' in page.text
    resp = client.post("/dashboard/login",
                       data={"token": DASHBOARD_TOKEN, "csrf_token": csrf_of(page.text)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/dashboard"
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))
    flags = {f.strip().split("=")[0].lower() for f in cookie.split(";")[1:]}
    assert "httponly" in flags
    assert "samesite=lax" in cookie.lower()
    # the cookie carries a fingerprint of the token, never the token itself
    payload = cookie.split(";")[0].split("=", 1)[1]
    body = payload.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    if payload.startswith("."):
        raw = zlib.decompress(raw)
    assert DASHBOARD_TOKEN.encode() not in raw
    assert DASHBOARD_TOKEN not in resp.headers["Location"]
    assert client.get("/dashboard").status_code == 200


def _session_cookie(client) -> str:
    page = client.get("/dashboard/login")
    resp = client.post("/dashboard/login",
                       data={"token": DASHBOARD_TOKEN, "csrf_token": csrf_of(page.text)})
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith("session="))


def test_cookie_is_secure_unless_told_otherwise(client, make_dash_app):
    flags = [f.strip().lower() for f in _session_cookie(client).split(";")]
    assert "secure" in flags
    lax = make_dash_app(DASHBOARD_INSECURE_COOKIE=True).test_client()
    flags = [f.strip().lower() for f in _session_cookie(lax).split(";")]
    assert "secure" not in flags and "httponly" in flags


def test_secret_key_is_derived_not_the_token(app):
    key = app.config["SECRET_KEY"]
    assert key and DASHBOARD_TOKEN not in key


def test_wrong_token_and_missing_csrf(client):
    page = client.get("/dashboard/login")
    bad = client.post("/dashboard/login", data={"token": "guess", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 401 and "ไม่ถูกต้อง" in bad.text
    assert client.get("/dashboard").status_code == 302
    no_csrf = client.post("/dashboard/login", data={"token": DASHBOARD_TOKEN})
    assert no_csrf.status_code == 400
    forged = client.post("/dashboard/login", data={"token": DASHBOARD_TOKEN, "csrf_token": "x"})
    assert forged.status_code == 400
    assert client.get("/dashboard").status_code == 302


def test_login_does_not_redirect_off_site(client):
    page = client.get("/dashboard/login")
    for target in ("https://evil.example/", "//evil.example/dashboard", "/api/v1/progress"):
        c = client.application.test_client()
        page = c.get("/dashboard/login")
        resp = c.post("/dashboard/login", data={"token": DASHBOARD_TOKEN, "next": target,
                                                "csrf_token": csrf_of(page.text)})
        assert resp.headers["Location"] == "/dashboard", target
    c = client.application.test_client()
    page = c.get("/dashboard/login?next=/dashboard/export.csv")
    resp = c.post("/dashboard/login", data={"token": DASHBOARD_TOKEN, "csrf_token": csrf_of(page.text),
                                            "next": "/dashboard/export.csv"})
    assert resp.headers["Location"] == "/dashboard/export.csv"


def test_logout_needs_csrf_and_ends_the_session(dash):
    page = dash.get("/dashboard")
    assert dash.post("/dashboard/logout", data={}).status_code == 400
    assert dash.get("/dashboard").status_code == 200
    resp = dash.post("/dashboard/logout", data={"csrf_token": csrf_of(page.text)})
    assert resp.status_code == 303 and resp.headers["Location"] == "/dashboard/login"
    assert dash.get("/dashboard").status_code == 302


def test_changing_the_token_ends_old_sessions(make_dash_app):
    app = make_dash_app()
    c = app.test_client()
    assert log_in(c).status_code == 303
    app.config["DASHBOARD_TOKEN"] = "a-new-token"
    assert c.get("/dashboard").status_code == 302


def test_security_headers(dash, client):
    page = dash.get("/dashboard")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in client.get("/dashboard/login").headers
    js = dash.get("/dashboard/static/chart.umd.min.js")
    assert js.status_code == 200 and b"Chart.js v4" in js.data[:200]
    js.close()
