"""The bot's clock, injected: every 'now' comes from here, in Asia/Bangkok.

``BOT_TODAY`` (B.E. or C.E., e.g. 2565-04-19) pins the date for demos and staging of a past
fiscal year; the time of day stays real.
"""
from __future__ import annotations

import datetime as dt
from typing import Callable
from zoneinfo import ZoneInfo

from bot.core.plan import parse_date

BANGKOK = ZoneInfo("Asia/Bangkok")
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(BANGKOK)


def pinned_clock(day: str | dt.date) -> Clock:
    d = parse_date(day)

    def clock() -> dt.datetime:
        real = dt.datetime.now(BANGKOK)
        return real.replace(year=d.year, month=d.month, day=d.day)
    return clock


def fixed_clock(moment: dt.datetime) -> Clock:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)
    return lambda: moment.astimezone(BANGKOK)


def as_utc(t: dt.datetime | None) -> dt.datetime | None:
    """A stored time as aware UTC: the databases keep UTC, SQLite gives it back naive."""
    if t is None:
        return None
    return t.replace(tzinfo=dt.timezone.utc) if t.tzinfo is None else t.astimezone(dt.timezone.utc)


def clock_from_env(value: str | None) -> Clock:
    return pinned_clock(value) if value else system_clock
