"""Who may see the dashboard: a browser session opened with DASHBOARD_TOKEN, or a script sending
`Authorization: Bearer $DASHBOARD_TOKEN`. Never open: without a token configured, nobody.

The session is Flask's signed cookie. Its key is the app's SECRET_KEY, or, when none is set,
an HMAC of DASHBOARD_TOKEN (so a cookie never carries the token, and changing the token logs
everybody out). The cookie is HTTP-only, SameSite=Lax and always Secure: browsers keep Secure
cookies on http://localhost and http://127.0.0.1 too (Chromium and Firefox do; the browser test
logs in that way). Only DASHBOARD_INSECURE_COOKIE=1 (app config or environment) drops the flag,
for a browser that refuses Secure cookies over plain http.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time

from flask import Flask, current_app, request, session

from bot.web.api import bearer_ok

SESSION_KEY = "dash"            # fingerprint of the token the session was opened with
LOGIN_AT_KEY = "dash_at"
CSRF_KEY = "dash_csrf"
MAX_AGE_SECONDS = 12 * 3600      # a login lasts a working day


def token() -> str | None:
    return current_app.config.get("DASHBOARD_TOKEN") or None


def _derive(secret: str, label: str) -> str:
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def configure(app: Flask) -> None:
    """Called once when the blueprint is registered."""
    tok = app.config.get("DASHBOARD_TOKEN")
    if not app.config.get("SECRET_KEY") and tok:
        app.config["SECRET_KEY"] = _derive(tok, "nongpat-dashboard-session-key")
    insecure = app.config.get("DASHBOARD_INSECURE_COOKIE")
    if insecure is None:
        insecure = _flag(os.environ.get("DASHBOARD_INSECURE_COOKIE", ""))
    app.config["DASHBOARD_INSECURE_COOKIE"] = bool(insecure)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = not insecure
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def fingerprint(tok: str) -> str:
    return _derive(tok, "nongpat-dashboard-login")[:32]


def token_matches(given: str) -> bool:
    tok = token()
    if not tok or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), tok.encode())


def session_ok() -> bool:
    tok = token()
    fp = session.get(SESSION_KEY)
    if not tok or not isinstance(fp, str):
        return False
    if not hmac.compare_digest(fp, fingerprint(tok)):
        return False
    at = session.get(LOGIN_AT_KEY)
    return isinstance(at, (int, float)) and 0 <= time.time() - at <= MAX_AGE_SECONDS


def has_bearer() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def bearer_allowed() -> tuple[bool, int]:
    return bearer_ok()


def log_in() -> None:
    """A fresh session (no fixation): the login mark and a new CSRF token."""
    session.clear()
    session[SESSION_KEY] = fingerprint(token())
    session[LOGIN_AT_KEY] = int(time.time())
    session[CSRF_KEY] = secrets.token_urlsafe(32)


def log_out() -> None:
    session.clear()


def csrf_token() -> str:
    value = session.get(CSRF_KEY)
    if not isinstance(value, str):
        value = session[CSRF_KEY] = secrets.token_urlsafe(32)
    return value


def csrf_ok(given: str | None) -> bool:
    value = session.get(CSRF_KEY)
    return bool(given and isinstance(value, str)
                and hmac.compare_digest(given.encode(), value.encode()))
