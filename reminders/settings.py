"""Reminder settings from the environment (all optional).

| variable | meaning | default |
|---|---|---|
| `REMINDER_TIME` | time of the daily round, Asia/Bangkok, working days | `08:30` |
| `REMINDER_BACKOFF` | seconds before the first retry of a push (doubled each retry) | `0.5` |
| `REMINDER_ATTEMPTS` | pushes per delivery per run, same retry key | `5` |
| `REMINDER_WORKERS` | pushes in parallel | `8` |
| `REMINDER_LOCK_WAIT` | seconds to wait for another clock's round | `900` |
| `REMINDER_RETRY_MINUTES` | a round that left deliveries pending runs again after this | `15` |
"""
from __future__ import annotations

import datetime as dt
import os

from reminders.rounds import Settings


def _num(name: str, default, kind=float):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return kind(raw)
    except ValueError:
        raise SystemExit(f"{name}={raw!r} is not a number") from None


def settings_from_env() -> Settings:
    return Settings(backoff=_num("REMINDER_BACKOFF", 0.5), attempts=_num("REMINDER_ATTEMPTS", 5, int),
                    workers=_num("REMINDER_WORKERS", 8, int),
                    lock_wait=_num("REMINDER_LOCK_WAIT", 900.0))


def reminder_time() -> dt.time:
    raw = (os.environ.get("REMINDER_TIME") or "08:30").strip()
    try:
        hh, mm = raw.split(":")[:2]
        return dt.time(int(hh), int(mm))
    except ValueError:
        raise SystemExit(f"REMINDER_TIME={raw!r}: use HH:MM, e.g. 08:30") from None


def retry_minutes() -> float:
    return _num("REMINDER_RETRY_MINUTES", 15.0)
