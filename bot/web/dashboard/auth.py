"""Who may open the dashboard, and how a browser logs in.

Two ways in for a browser:
- **เข้าสู่ระบบด้วย LINE** (bot/web/dashboard/line_login.py) when a LINE Login channel is
  configured (``LINE_LOGIN_CHANNEL_ID`` and ``LINE_LOGIN_CHANNEL_SECRET``): the session keeps
  the person's LINE userId; what they see is read from their roles on every request
  (bot/web/access.py), so a revoke takes effect on the next click;
- otherwise **the token login form** of the embedded default: ``DASHBOARD_TOKEN`` as a
  password, rate-limited per client (Flask-Limiter, ``DASHBOARD_LOGIN_LIMIT``), the same answer
  for every wrong token, every attempt in the audit trail (never the token typed).

Scripts send ``Authorization: Bearer …`` (``DASHBOARD_TOKEN`` or a per-province API token).
With neither DASHBOARD_TOKEN nor LINE Login configured the dashboard is closed to everybody.

The session is Flask's signed cookie. Its key is the app's SECRET_KEY, or, when none is set,
an HMAC of DASHBOARD_TOKEN and the LINE Login channel secret (so a cookie never carries either,
and changing one logs everybody out). A token session also carries a fingerprint of the token
(changing DASHBOARD_TOKEN ends it). The cookie is HTTP-only, SameSite=Lax and always Secure:
browsers keep Secure cookies on http://localhost and http://127.0.0.1 too (Chromium and Firefox
do; the browser tests log in that way). Only DASHBOARD_INSECURE_COOKIE=1 (app config or
environment) drops the flag, for a browser that refuses Secure cookies over plain http.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time

from flask import Flask, current_app, request, session

from bot.web import access

SESSION_KEY = "dash"            # fingerprint of the token the session was opened with
USER_KEY = "dash_user"          # the LINE userId of a LINE Login session
LOGIN_AT_KEY = "dash_at"
CSRF_KEY = "dash_csrf"
NEXT_KEY = "dash_next"          # where to go after LINE Login
NAME_KEY = "dash_name"          # the name LINE gave at login: a greeting, nothing more
MAX_AGE_SECONDS = 12 * 3600      # a login lasts a working day
LIMITER = "nongpat.login_limiter"


def token() -> str | None:
    return current_app.config.get("DASHBOARD_TOKEN") or None


def line_configured() -> bool:
    c = current_app.config
    return bool(c.get("LINE_LOGIN_CHANNEL_ID") and c.get("LINE_LOGIN_CHANNEL_SECRET"))


def configured() -> bool:
    """Some way in exists: DASHBOARD_TOKEN or LINE Login."""
    return bool(token()) or line_configured()


def form_enabled() -> bool:
    """The token login form: the embedded default's, when LINE Login is not configured."""
    return bool(token()) and not line_configured()


def _derive(secret: str, label: str) -> str:
    return hmac.new(secret.encode(), label.encode(), hashlib.sha256).hexdigest()


def _flag(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def configure(app: Flask) -> None:
    """Called once when the blueprint is registered."""
    tok = app.config.get("DASHBOARD_TOKEN")
    line_secret = app.config.get("LINE_LOGIN_CHANNEL_SECRET")
    if not app.config.get("SECRET_KEY") and (tok or line_secret):
        app.config["SECRET_KEY"] = _derive(f"{tok or ''}\x00{line_secret or ''}",
                                           "nongpat-dashboard-session-key")
    insecure = app.config.get("DASHBOARD_INSECURE_COOKIE")
    if insecure is None:
        insecure = _flag(os.environ.get("DASHBOARD_INSECURE_COOKIE", ""))
    app.config["DASHBOARD_INSECURE_COOKIE"] = bool(insecure)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SECURE"] = not insecure
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    _limiter(app)


def _limiter(app: Flask) -> None:
    """Flask-Limiter for the token login form: one per app (its storage is per instance:
    ``RATELIMIT_STORAGE_URI``, in memory by default — per process). It limits nothing by
    itself (no default limits); the form's POST counts each attempt (:func:`attempt_allowed`).
    """
    from flask_limiter import Limiter
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    hooks = (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs)
    before = [list(h.get(None, ())) for h in hooks]
    limiter = Limiter(client_address, app=app, default_limits=[], headers_enabled=False)
    # Flask-Limiter hooks itself into every request of the app (~60 µs each); the webhook's
    # hot path has no use for it: its hooks serve the dashboard's requests only
    for registry, had in zip(hooks, before):
        added = [f for f in registry.get(None, ()) if f not in had]
        registry[None] = [f for f in registry.get(None, ()) if f in had]
        registry.setdefault(bp_name(), []).extend(added)
    app.extensions[LIMITER] = limiter


def bp_name() -> str:
    from bot.web.dashboard import bp
    return bp.name


def client_address() -> str:
    """The client a rate limit counts for: the peer's address (behind a proxy, the proxy's,
    unless the deployment puts werkzeug's ProxyFix in front)."""
    return request.remote_addr or "unknown"


def attempt_allowed() -> bool:
    """Count one login attempt of this client; False once over DASHBOARD_LOGIN_LIMIT."""
    from flask_limiter.errors import RateLimitExceeded
    limiter = current_app.extensions.get(LIMITER)
    if limiter is None:
        return True
    limit = current_app.config.get("DASHBOARD_LOGIN_LIMIT") or "10 per minute;100 per day"
    try:
        with limiter.limit(limit, key_func=client_address, scope="dashboard-login"):
            pass
    except RateLimitExceeded:
        return False
    return True


def fingerprint(tok: str) -> str:
    return _derive(tok, "nongpat-dashboard-login")[:32]


def token_matches(given: str) -> bool:
    return access.dashboard_token_matches(given)


def _fresh() -> bool:
    at = session.get(LOGIN_AT_KEY)
    return isinstance(at, (int, float)) and 0 <= time.time() - at <= MAX_AGE_SECONDS


def session_ok() -> bool:
    """A token-form session, still valid (the token unchanged, the form still the way in)."""
    tok = token()
    fp = session.get(SESSION_KEY)
    if not tok or not isinstance(fp, str) or line_configured():
        return False
    if not hmac.compare_digest(fp, fingerprint(tok)):
        return False
    return _fresh()


def session_user() -> str | None:
    """The LINE userId of a LINE Login session, still valid; None otherwise."""
    user = session.get(USER_KEY)
    if not isinstance(user, str) or not user or not line_configured():
        return None
    return user if _fresh() else None


def has_bearer() -> bool:
    return request.headers.get("Authorization", "").startswith("Bearer ")


def _fresh_session() -> None:
    """A fresh session (no fixation): the login time and a new CSRF token."""
    session.clear()
    session[LOGIN_AT_KEY] = int(time.time())
    session[CSRF_KEY] = secrets.token_urlsafe(32)


def log_in() -> None:
    """A token-form session."""
    _fresh_session()
    session[SESSION_KEY] = fingerprint(token())


def log_in_line(user_id: str, name: str | None = None) -> None:
    """A LINE Login session: the userId (and the name LINE gave, to greet them with); the
    roles are never kept, they are read on every request."""
    _fresh_session()
    session[USER_KEY] = user_id
    if isinstance(name, str) and name.strip():
        session[NAME_KEY] = name.strip()[:100]


def session_name() -> str | None:
    name = session.get(NAME_KEY)
    return name if isinstance(name, str) else None


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
