"""Per-province API tokens (table ``api_tokens``): bearer tokens for scripts, each scoped to one
province (or, made with ``--all-provinces``, to every province), created, listed and revoked
with ``flask tokens`` (bot/web/tokens_cli.py).

A token is shown once, when it is made; only its SHA-256 (hex) is kept, so a copy of the
database gives no token away. A request finds its token by that hash (one indexed read) and
acts as a province admin of the token's province (bot.core.roles: view, export, brief) — never
more: no other province, no national figures, no operations status. Its last use is written at
most once a minute (``TOUCH_SECONDS``), so a busy script does not write on every call.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.roles import audit
from bot.timeutil import as_utc
from models import ApiToken

PREFIX = "npt_"           # every token starts so: a bearer without it is never looked up
TOUCH_SECONDS = 60        # last_used_at is written at most this often per token


def digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def actor(row: ApiToken) -> str:
    """Who a token is in the audit trail."""
    return f"token:{row.name}"


utc = as_utc   # a stored time as aware UTC (bot.timeutil)


def live_named(session: Session, name: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.name == name,
                                                 ApiToken.revoked_at.is_(None)).limit(1))


def create(session: Session, province_key: str | None, name: str, *, by: str,
           at: dt.datetime) -> tuple[ApiToken, str]:
    """A new token (and its audit line) in the caller's transaction: (the row, the token —
    shown once, never stored). ValueError when a live token already has the name (the audit
    trail names a token by its name)."""
    name = name.strip()
    if not name:
        raise ValueError("a token needs a name")
    if live_named(session, name) is not None:
        raise ValueError(f"a live token is already named {name!r}")
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(province_key=province_key, name=name[:100], token_hash=digest(token),
                   created_by=by[:100], created_at=at)
    session.add(row)
    session.flush()
    audit(session, by, "token_create", actor(row), province_key, None,
          {"id": row.id, "name": row.name}, at)
    return row, token


def revoke(session: Session, token_id: int, *, by: str, at: dt.datetime) -> ApiToken | None:
    """Revoke a live token (and audit it) in the caller's transaction; None when there is no
    live token of that id."""
    done = session.execute(update(ApiToken).where(ApiToken.id == token_id,
                                                  ApiToken.revoked_at.is_(None))
                           .values(revoked_at=at))
    if done.rowcount != 1:
        return None
    row = session.get(ApiToken, token_id)
    session.refresh(row)
    audit(session, by, "token_revoke", actor(row), row.province_key, None,
          {"id": row.id, "name": row.name}, at)
    return row


def listing(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def find(session: Session, given: str) -> ApiToken | None:
    """The live token ``given`` is, or None (revoked, unknown, not one of ours)."""
    given = given.strip()
    if not given.startswith(PREFIX):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(given),
                                                 ApiToken.revoked_at.is_(None)))


def due_for_touch(row: ApiToken, now: dt.datetime) -> bool:
    last = utc(row.last_used_at)
    return last is None or (now - last).total_seconds() >= TOUCH_SECONDS or last > now


def touch(session: Session, token_id: int, now: dt.datetime) -> None:
    """Record a use (in the caller's transaction), unless one was recorded in the last minute
    (the condition is in the UPDATE, so two workers at once write it once)."""
    since = now - dt.timedelta(seconds=TOUCH_SECONDS)
    session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        ApiToken.last_used_at.is_(None) | (ApiToken.last_used_at <= since)
        | (ApiToken.last_used_at > now)).values(last_used_at=now))
