"""Settings from the environment (every name, its default and its reader: docs/operations.md)."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = ROOT / "plans" / "ratchaburi-2565.yaml"
TIMEZONE = "Asia/Bangkok"


def database_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{ROOT / 'instance' / 'nongpat.sqlite3'}"


def _count(name: str) -> int:
    raw = (os.environ.get(name) or "0").strip()
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number of proxies (0, 1, 2 …), not {raw!r}")
    return int(raw)


def from_env() -> dict:
    admins = os.environ.get("ADMIN_LINE_USER_IDS", "")
    return {
        "DATABASE_URL": database_url(),
        "PLAN_FILE": os.environ.get("PLAN_FILE") or str(DEFAULT_PLAN),
        "LINE_CHANNEL_SECRET": os.environ.get("LINE_CHANNEL_SECRET") or None,
        "LINE_CHANNEL_ACCESS_TOKEN": os.environ.get("LINE_CHANNEL_ACCESS_TOKEN") or None,
        "LINE_API_BASE_URL": os.environ.get("LINE_API_BASE_URL") or "https://api.line.me",
        # content uploads (the rich-menu image) go to LINE's data host
        "LINE_API_DATA_BASE_URL": os.environ.get("LINE_API_DATA_BASE_URL")
        or "https://api-data.line.me",
        "ADMIN_LINE_USER_IDS": frozenset(a.strip() for a in admins.split(",") if a.strip()),
        "DASHBOARD_TOKEN": os.environ.get("DASHBOARD_TOKEN") or None,
        # "เข้าสู่ระบบด้วย LINE" (LINE Login v2.1, OpenID Connect): a LINE Login channel under the
        # same provider as the Messaging API channel (bot/web/dashboard/line_login.py)
        "LINE_LOGIN_CHANNEL_ID": os.environ.get("LINE_LOGIN_CHANNEL_ID") or None,
        "LINE_LOGIN_CHANNEL_SECRET": os.environ.get("LINE_LOGIN_CHANNEL_SECRET") or None,
        "LINE_LOGIN_BASE_URL": os.environ.get("LINE_LOGIN_BASE_URL") or "https://access.line.me",
        # the token login form's rate limit per client (Flask-Limiter) and where it counts
        "DASHBOARD_LOGIN_LIMIT": os.environ.get("DASHBOARD_LOGIN_LIMIT")
        or "10 per minute;100 per day",
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        # proxies in front of the app whose X-Forwarded-For/-Proto/-Host are trusted (ProxyFix)
        "TRUSTED_PROXIES": _count("TRUSTED_PROXIES"),
        # events kept on this node's disk while the database refuses them (bot/spool.py)
        "SPOOL_DIR": os.environ.get("SPOOL_DIR") or str(ROOT / "instance" / "spool"),
        "LOG_FORMAT": (os.environ.get("LOG_FORMAT") or "text").strip().lower(),
        "MAX_CONTENT_LENGTH": 1024 * 1024,  # LINE's webhook bodies are small; 413 above 1 MB
    }
