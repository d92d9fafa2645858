"""Thai formatting: Buddhist-era dates, thousands separators, percentages, days left."""
from __future__ import annotations

import datetime as dt

from pythainlp.util import thai_strftime


def number(n: int | float | None) -> str:
    if n is None:
        return "-"
    if isinstance(n, float) and not n.is_integer():
        return f"{n:,.1f}"
    return f"{int(n):,}"


def percent(done: int, target: int | None) -> str:
    if not target:
        return "-"
    p = 100.0 * done / target
    return f"{p:.1f}%" if p < 100 or p == int(p) else f"{p:.1f}%"


def date(d: dt.date) -> str:
    """1 ส.ค. 2565"""
    return thai_strftime(dt.datetime(d.year, d.month, d.day), "%-d %b %Y")


def date_span(start: dt.date, end: dt.date) -> str:
    """1 ส.ค. 2565, or 1 ส.ค. 2565 – 30 ก.ย. 2565 for a period"""
    return date(start) if start == end else f"{date(start)} – {date(end)}"


def long_date(d: dt.date) -> str:
    """1 สิงหาคม 2565"""
    return thai_strftime(dt.datetime(d.year, d.month, d.day), "%-d %B %Y")


def date_time(t: dt.datetime) -> str:
    """1 ส.ค. 2565 14:05 น."""
    return f"{date(t.date())} {t:%H:%M} น."


def days_left(due: dt.date, today: dt.date) -> str:
    n = (due - today).days
    if n > 1:
        return f"อีก {number(n)} วัน"
    if n == 1:
        return "พรุ่งนี้"
    if n == 0:
        return "วันนี้"
    return f"เลยกำหนดมา {number(-n)} วัน"
