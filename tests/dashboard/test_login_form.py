"""The token login form of the embedded default (no LINE Login): rate-limited per client
(Flask-Limiter, DASHBOARD_LOGIN_LIMIT), the same answer for every wrong token, and every
attempt in the audit trail with the client's address — never the token typed."""
from __future__ import annotations

import logging

from tests.dashboard.conftest import audit_rows, csrf_of
from tests.helpers import DASHBOARD_TOKEN


def attempt(client, token: str, addr: str = "127.0.0.1"):
    page = client.get("/dashboard/login", environ_base={"REMOTE_ADDR": addr})
    return client.post("/dashboard/login", environ_base={"REMOTE_ADDR": addr},
                       data={"token": token, "csrf_token": csrf_of(page.text)})


def test_every_wrong_token_gets_the_same_answer(client):
    answers = {(r.status_code, r.text) for r in
               (attempt(client, t) for t in ("guess", DASHBOARD_TOKEN[:-1], DASHBOARD_TOKEN + "x",
                                             "", " ", "ก" * 200))}
    assert len(answers) == 1
    [(status, text)] = answers
    assert status == 401 and "รหัสเข้าใช้ไม่ถูกต้อง" in text


def test_attempts_are_audited_without_the_token(app, client, caplog):
    caplog.set_level(logging.WARNING)
    attempt(client, "my-guess-123", addr="10.1.2.3")
    assert attempt(client, DASHBOARD_TOKEN, addr="10.1.2.3").status_code == 303
    failed = audit_rows(app, action="login_failed")
    [ok] = audit_rows(app, action="login")
    assert [(r.actor, r.detail["reason"], r.detail["client"]) for r in failed] == \
        [("form:?", "wrong_token", "10.1.2.3")]
    assert (ok.actor, ok.detail["via"], ok.detail["client"]) == \
        ("token:DASHBOARD_TOKEN", "token", "10.1.2.3")
    for row in failed + [ok]:
        assert "my-guess-123" not in str(row.detail) and DASHBOARD_TOKEN not in str(row.detail)
    assert "failed login from 10.1.2.3" in caplog.text and "my-guess-123" not in caplog.text
    # a stale form is an attempt too
    c = app.test_client()
    c.get("/dashboard/login")
    assert c.post("/dashboard/login", data={"token": "x", "csrf_token": "stale"}).status_code == 400
    assert audit_rows(app, action="login_failed")[-1].detail["reason"] == "csrf"


def test_the_form_is_rate_limited_per_client(make_dash_app, caplog):
    app = make_dash_app(DASHBOARD_LOGIN_LIMIT="3 per minute")
    c = app.test_client()
    for _ in range(3):
        assert attempt(c, "guess", addr="10.0.0.7").status_code == 401
    over = attempt(c, DASHBOARD_TOKEN, addr="10.0.0.7")       # even the right one, now
    assert over.status_code == 429 and over.headers["Retry-After"] == "60"
    assert "หลายครั้งเกินไป" in over.text
    assert c.get("/dashboard").status_code == 302
    assert "over the limit from 10.0.0.7" in caplog.text
    # over the limit: in the log, not one more row each
    assert len(audit_rows(app, action="login_failed")) == 3
    # another client is not held back by this one
    other = app.test_client()
    assert attempt(other, DASHBOARD_TOKEN, addr="10.0.0.8").status_code == 303
    assert other.get("/dashboard").status_code == 200
    # the limit counts POSTs only: the login page itself stays open
    assert c.get("/dashboard/login", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


def test_each_app_counts_for_itself(make_dash_app):
    """Flask-Limiter's storage is per app (memory:// by default: per process)."""
    first = make_dash_app(DASHBOARD_LOGIN_LIMIT="1 per minute")
    second = make_dash_app(DASHBOARD_LOGIN_LIMIT="1 per minute")
    assert attempt(first.test_client(), "x").status_code == 401
    assert attempt(first.test_client(), "x").status_code == 429
    assert attempt(second.test_client(), "x").status_code == 401
    assert first.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_the_limiter_stays_off_the_webhooks_path(app):
    """Flask-Limiter's per-request hooks serve the dashboard only (the webhook is the hot path)."""
    limiter = app.extensions["nongpat.login_limiter"]

    def owned(funcs):
        return [f for f in funcs if getattr(f, "__self__", None) is limiter
                or limiter in getattr(f, "args", ())]
    assert not owned(app.before_request_funcs.get(None, []))
    assert not owned(app.after_request_funcs.get(None, []))
    assert owned(app.before_request_funcs["dashboard"])
