"""Pace and forecast: the daily pace needed to finish on time, the pace of the last 7 days, and
the day the work would be done at that pace. Pure: figures and dates in, a Forecast out."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from bot import thai

WINDOW_DAYS = 7
FAR_LATE_DAYS = 90  # later than this, a projected date means little: say how much faster instead


def window_start(today: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Midnight (in ``tz``) WINDOW_DAYS-1 days before ``today``, in UTC: the window of the
    recent pace, today included."""
    start = dt.datetime.combine(today - dt.timedelta(days=WINDOW_DAYS - 1), dt.time(), tzinfo=tz)
    return start.astimezone(dt.timezone.utc)


def recent_for(recent: dict[tuple[str, str], int], indicator: str,
               district: str | None) -> int:
    """The recent amount of one district, or of the whole province (district None)."""
    if district is not None:
        return recent.get((indicator, district), 0)
    return sum(n for (i, _), n in recent.items() if i == indicator)


@dataclass(frozen=True)
class Forecast:
    done: int
    target: int | None
    deadline: dt.date | None
    today: dt.date
    recent: int                      # amount logged in the last WINDOW_DAYS days (today included)

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.done, 0)

    @property
    def met(self) -> bool:
        return self.target is not None and self.done >= self.target

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def needed_per_day(self) -> float | None:
        """What must be logged each day from today to the deadline (both included)."""
        if self.remaining is None or self.days_left is None or self.days_left < 0:
            return None
        return self.remaining / (self.days_left + 1)

    @property
    def pace_per_day(self) -> float:
        return self.recent / WINDOW_DAYS

    @property
    def projected(self) -> dt.date | None:
        """The day the target is reached at the last 7 days' pace; None when there is no pace."""
        if self.met:
            return self.today
        if self.remaining is None or self.pace_per_day <= 0:
            return None
        return self.today + dt.timedelta(days=math.ceil(self.remaining / self.pace_per_day) - 1)

    @property
    def days_late(self) -> int | None:
        """>0: projected after the deadline by that many days; ≤0: on time."""
        if self.projected is None or self.deadline is None:
            return None
        return (self.projected - self.deadline).days

    @property
    def on_track(self) -> bool | None:
        if self.met:
            return True
        late = self.days_late
        return None if late is None else late <= 0

    def text(self, unit: str) -> str | None:
        """'ต้องได้วันละ 2,845 ครัวเรือน · 7 วันล่าสุดเฉลี่ยวันละ 3,000 → จะครบประมาณ 28 เม.ย. 2565 — ทันกำหนด'"""
        if self.target is None or self.deadline is None:
            return None
        if self.met:
            return "ครบเป้าหมายแล้ว 🎉"
        parts = []
        if self.needed_per_day is not None:
            parts.append(f"ต้องได้วันละ {thai.number(math.ceil(self.needed_per_day))} {unit}")
        else:
            parts.append("เลยกำหนดแล้ว")
        if self.pace_per_day <= 0:
            parts.append("7 วันล่าสุดยังไม่มีการบันทึก")
            return " · ".join(parts)
        pace = thai.number(round(self.pace_per_day, 1))
        if self.days_late > FAR_LATE_DAYS and self.needed_per_day:
            times = self.needed_per_day / self.pace_per_day
            parts.append(f"ด้วยอัตรา 7 วันล่าสุด (วันละ {pace} {unit}) จะไม่ทันกำหนด "
                         f"— ต้องเร่งขึ้นราว {thai.number(round(times, 1))} เท่า")
            return " · ".join(parts)
        verdict = ("ทันกำหนด" if self.days_late <= 0
                   else f"ช้ากว่ากำหนด {thai.number(self.days_late)} วัน")
        parts.append(f"ด้วยอัตรา 7 วันล่าสุด (วันละ {pace} {unit}) จะครบประมาณ "
                     f"{thai.date(self.projected)} — {verdict}")
        return " · ".join(parts)
