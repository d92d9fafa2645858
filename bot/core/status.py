"""Where each district stands: one status per (district, indicator) and for the province,
computed here once and used by the API, the dashboard, the chat cards, the reminders and the
meeting brief. Pure: plan, counters, last-entry times and a date in; ``Status`` objects out.

The straight line. An indicator starts on its first milestone (one that begins before the
deadline it is measured against), else on the fiscal year's first day (1 Oct). The line runs
from there to the deadline in *working days* (Monday–Friday, not the plan's holidays):

    expected = target × (working days in [start, today)) / (working days in [start, deadline])

i.e. where the line stood when today began: on the deadline's day it is the target less one
day's share, after the deadline the whole target. What is still needed is spread over the
working days left, today included (``needed_per_working_day``).

Status, in the order the dashboard sorts them (worst first):
- ``behind``     done < expected (``silent`` may be true as well);
- ``silent``     not behind, not done, and nothing logged on ``SILENT_WORKING_DAYS`` whole
                 working days or more: the working days after the last entry's day and before
                 today (today is not over: a reminder at 08:30 does not count it), from the
                 indicator's start when nothing was ever logged;
- ``on-track``   done ≥ expected;
- ``done``       the target is reached;
- ``no-target``  a district with no target of its own: its count is shown, the pace and the
                 verdict are the province's (and say so).
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from bot import thai
from bot.core.plan import Plan
from bot.core.progress import Counters, deadline_for
from bot.timeutil import as_utc

ONE_DAY = dt.timedelta(days=1)
SILENT_WORKING_DAYS = 3

DONE, ON_TRACK, BEHIND, SILENT, NO_TARGET = "done", "on-track", "behind", "silent", "no-target"
ORDER = (BEHIND, SILENT, ON_TRACK, DONE, NO_TARGET)          # worst first
LABELS = {DONE: "ครบแล้ว", ON_TRACK: "ตามแผน", BEHIND: "ล่าช้า",
          SILENT: "ไม่มีความเคลื่อนไหว", NO_TARGET: "ไม่มีเป้ารายอำเภอ"}
ICONS = {DONE: "✅", ON_TRACK: "🔵", BEHIND: "🔴", SILENT: "🟠", NO_TARGET: "⚪"}
WHOLE_PROVINCE = "ทั้งจังหวัด"   # said of a province's figure shown to a district
# (fill of a bar or badge, ink of its words on white): the words always say it too
COLORS = {DONE: ("#1DB446", "#11762F"), ON_TRACK: ("#1E88E5", "#1565C0"),
          BEHIND: ("#E53935", "#C62828"), SILENT: ("#F5A623", "#9A5B00"),
          NO_TARGET: ("#9E9E9E", "#555555")}


# --------------------------------------------------------------------------- calendar
def is_working_day(plan: Plan, day: dt.date) -> bool:
    return day.weekday() < 5 and day not in plan.holiday_dates


def working_days(plan: Plan, first: dt.date, last: dt.date) -> int:
    """Working days in [first, last] (0 when last < first)."""
    if last < first:
        return 0
    holidays = plan.holiday_dates
    weeks, extra = divmod((last - first).days + 1, 7)
    n = weeks * 5
    d = first + dt.timedelta(days=weeks * 7)
    for _ in range(extra):
        n += d.weekday() < 5
        d += ONE_DAY
    n -= sum(1 for h in holidays if first <= h <= last and h.weekday() < 5)
    return n


def fiscal_year_start(plan: Plan) -> dt.date:
    """FY 2565 starts 1 Oct 2564 (2021-10-01)."""
    return dt.date(plan.fiscal_year - 543 - 1, 10, 1)


def indicator_start(plan: Plan, indicator_key: str, deadline: dt.date | None) -> dt.date:
    """The line's first day: the indicator's earliest milestone that begins before its
    deadline, else the fiscal year's first day."""
    starts = [m.start for m in plan.milestones_for(indicator_key)
              if deadline is None or m.start < deadline]
    return min(starts, default=fiscal_year_start(plan))


# --------------------------------------------------------------------------- wording
def amount_text(n: float) -> str:
    """1,040 · 2.5 · 0.4: whole numbers as they are, a fraction with one decimal."""
    return thai.number(round(n, 1) if n < 10 else math.ceil(n - 1e-9))


def pace_text(per_working_day: float | None, unit: str) -> str | None:
    """'ต้องได้วันละ 1,040 ครัวเรือน', 'ต้องได้วันละ 2.5 กลุ่ม', under one a day per week:
    'ต้องได้สัปดาห์ละ 1.4 กลุ่ม' (never rounded up to 1 a day)."""
    if per_working_day is None:
        return None
    if per_working_day <= 0:
        return "ไม่ต้องเพิ่มแล้ว"
    if per_working_day >= 1:
        return f"ต้องได้วันละ {amount_text(per_working_day)} {unit}"
    week = per_working_day * 5
    return f"ต้องได้สัปดาห์ละ {thai.number(max(round(week, 1), 0.1))} {unit}"


def since_text(days: int) -> str:
    return "วันนี้" if days <= 0 else "เมื่อวาน" if days == 1 else f"{thai.number(days)} วันก่อน"


# --------------------------------------------------------------------------- status
@dataclass(frozen=True)
class Status:
    indicator: str
    district: str | None            # None: the province
    name: str                       # the district's Thai name, or the province's
    unit: str
    done: int
    target: int | None
    today: dt.date
    start: dt.date
    deadline: dt.date | None
    expected: int | None
    needed_per_working_day: float | None
    working_days_left: int | None   # today (if working) to the deadline, both included
    last_entry_at: dt.datetime | None   # aware (UTC)
    last_entry_day: dt.date | None      # its day in the plan's time zone
    silent: bool
    status: str

    # ---- figures
    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.done, 0)

    @property
    def percent(self) -> float | None:
        return None if not self.target else round(100.0 * self.done / self.target, 1)

    @property
    def days_left(self) -> int | None:
        return None if self.deadline is None else (self.deadline - self.today).days

    @property
    def days_since_entry(self) -> int | None:
        """Calendar days since the last entry (None: nothing logged yet)."""
        return None if self.last_entry_day is None else (self.today - self.last_entry_day).days

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def color(self) -> str:
        return COLORS[self.status][0]

    @property
    def ink(self) -> str:
        return COLORS[self.status][1]

    @property
    def icon(self) -> str:
        return ICONS[self.status]

    def sort_key(self) -> tuple:
        """Worst first: behind (furthest below its line first), silent (longest first),
        on track, done, no target; then plan order is kept by a stable sort."""
        rank = ORDER.index(self.status)
        if self.status == BEHIND:
            share = self.done / self.expected if self.expected else 1.0
            return rank, share, -(self.expected or 0) + self.done
        if self.status == SILENT:
            return rank, -(self.days_since_entry if self.days_since_entry is not None else 10**6), 0
        return rank, -(self.percent or 0.0), 0

    # ---- words (the cards, the reminders and the brief say the same)
    def pace(self) -> str | None:
        """What is needed per working day, or that the deadline has passed."""
        if self.status in (DONE, NO_TARGET) or self.target is None or self.deadline is None:
            return None
        if self.needed_per_working_day is None:
            return "เลยกำหนดแล้ว"
        text = pace_text(self.needed_per_working_day, self.unit)
        if self.working_days_left:
            text += f" ({thai.number(self.working_days_left)} วันทำการที่เหลือ)"
        return text

    def quiet_text(self) -> str | None:
        """'ไม่มีการบันทึกมา 7 วัน (ล่าสุด 12 เม.ย. 2565)' when silent."""
        if not self.silent:
            return None
        if self.last_entry_day is None:
            return "ยังไม่มีการบันทึกเลย"
        return (f"ไม่มีการบันทึกมา {thai.number(self.days_since_entry)} วัน "
                f"(ล่าสุด {thai.date(self.last_entry_day)})")

    def verdict(self, whole_province: bool = False) -> str | None:
        """'ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921': the status in words and what was done
        against where the line stands; ``whole_province``: the province's status told to a
        district without a target of its own ('ล่าช้า (ทั้งจังหวัด) · …'). None: no target."""
        if self.status == NO_TARGET:
            return None
        label = self.label + (f" ({WHOLE_PROVINCE})" if whole_province else "")
        if self.status == DONE:
            return label
        parts = [label]
        if self.status == BEHIND and self.expected is not None:
            parts.append(f"ได้ {thai.number(self.done)} จากที่ควรได้ {thai.number(self.expected)}")
        elif self.status in (ON_TRACK, SILENT) and self.expected:
            parts.append(f"ได้ {thai.number(self.done)} (ควรได้ {thai.number(self.expected)})")
        return " · ".join(parts)

    def line(self, pace: bool = True, whole_province: bool = False) -> str:
        """One line, the same on every surface: the verdict, how long nothing was logged, what
        is needed per working day — 'ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921 · ไม่มีการบันทึกมา
        11 วัน (ล่าสุด 8 เม.ย. 2565) · ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)'.
        ``pace`` False: without the pace (a short line for a district on track)."""
        if self.status == DONE:
            return f"{self.verdict(whole_province)} 🎉"
        if self.status == NO_TARGET:
            parts = [f"ได้ {thai.number(self.done)} {self.unit} ({self.label})"]
        else:
            parts = [self.verdict(whole_province)]
        quiet = self.quiet_text()
        if quiet:
            parts.append(quiet)
        needed = self.pace() if pace else None
        if needed:
            parts.append(needed)
        return " · ".join(parts)

    def as_api(self) -> dict:
        """The status fields of a district object in GET /api/v1/progress."""
        return {"status": self.status, "silent": self.silent, "expected": self.expected,
                "needed_per_working_day": (None if self.needed_per_working_day is None
                                           else round(self.needed_per_working_day, 2)),
                "last_entry_at": (self.last_entry_at.astimezone(dt.timezone.utc).isoformat()
                                  if self.last_entry_at else None)}


def status_of(plan: Plan, indicator_key: str, district_key: str | None, done: int,
              target: int | None, last_entry_at: dt.datetime | None, today: dt.date,
              tz: dt.tzinfo) -> Status:
    """The status of one district (or of the province: district_key None) for one indicator."""
    ind = plan.indicator(indicator_key)
    unit = plan.units[ind.unit].name
    due = deadline_for(plan, indicator_key, today)
    deadline = due.date if due else None
    start = indicator_start(plan, indicator_key, deadline)
    if district_key is None:
        name = plan.province_name
    else:
        d = plan.district(district_key)
        name = d.name if d else district_key
    last_entry_at = as_utc(last_entry_at)
    last_day = last_entry_at.astimezone(tz).date() if last_entry_at else None

    expected = needed = left = None
    if target is not None and deadline is not None:
        total = max(working_days(plan, start, deadline), 1)
        if today > deadline:
            expected, left = target, 0
        else:
            elapsed = working_days(plan, start, today - ONE_DAY)
            expected = math.floor(target * min(elapsed, total) / total)
            left = working_days(plan, today, deadline)
            remaining = max(target - done, 0)
            needed = remaining / left if left else (None if remaining else 0.0)
    met = target is not None and done >= target
    quiet_since = last_day if last_day is not None else start - ONE_DAY
    silent = (not met and today > start
              and working_days(plan, quiet_since + ONE_DAY, today - ONE_DAY) >= SILENT_WORKING_DAYS)
    if target is None:
        status = NO_TARGET
    elif met:
        status = DONE
    elif expected is not None and done < expected:
        status = BEHIND
    elif silent:
        status = SILENT
    else:
        status = ON_TRACK
    return Status(indicator_key, district_key, name, unit, done, target, today, start, deadline,
                  expected, needed, left, last_entry_at, last_day, silent, status)


LastEntries = dict[tuple[str, str], dt.datetime]


@dataclass(frozen=True)
class Board:
    """Every status of a plan on a day: the province line and each district, per indicator."""
    plan: Plan
    today: dt.date
    province: dict[str, Status]               # indicator → the province's status
    districts: dict[str, list[Status]]        # indicator → districts in plan order

    def cell(self, indicator_key: str, district_key: str | None) -> Status:
        if district_key is None:
            return self.province[indicator_key]
        return next(s for s in self.districts[indicator_key] if s.district == district_key)

    def measured(self, indicator_key: str, district_key: str | None) -> Status:
        """The status whose pace applies: the district's, or the province's when the district
        has no target of its own."""
        s = self.cell(indicator_key, district_key)
        return self.province[indicator_key] if s.status == NO_TARGET else s

    def worst_first(self, indicator_key: str) -> list[Status]:
        return sorted(self.districts[indicator_key], key=Status.sort_key)

    def rows(self) -> list[tuple[str, list[Status]]]:
        """(district key, its statuses in indicator order), the district with the worst cell
        first; districts with no targets anywhere last."""
        keys = [i.key for i in self.plan.indicators]
        by_district = {d.key: [self.cell(k, d.key) for k in keys] for d in self.plan.districts}
        order = sorted(self.plan.districts, key=lambda d: min(
            s.sort_key() for s in by_district[d.key]))
        return [(d.key, by_district[d.key]) for d in order]

    def counts(self, indicator_key: str) -> dict[str, int]:
        out = {s: 0 for s in ORDER}
        for st in self.districts[indicator_key]:
            out[st.status] += 1
        return out


def board(plan: Plan, counters: Counters, last: LastEntries, today: dt.date,
          tz: dt.tzinfo) -> Board:
    """Statuses for every district and indicator of ``plan`` (``last``: (indicator, district)
    → the latest entry not undone)."""
    province, districts = {}, {}
    for ind in plan.indicators:
        rows = []
        for d in plan.districts:
            rows.append(status_of(plan, ind.key, d.key, counters.get((ind.key, d.key, ""), 0),
                                  ind.district_target(d.key), last.get((ind.key, d.key)),
                                  today, tz))
        latest = max((t for (i, _), t in last.items() if i == ind.key and t is not None),
                     key=as_utc, default=None)
        province[ind.key] = status_of(plan, ind.key, None, sum(s.done for s in rows), ind.target,
                                      latest, today, tz)
        districts[ind.key] = rows
    return Board(plan, today, province, districts)


# --------------------------------------------------------------------------- people
@dataclass(frozen=True)
class Quiet:
    """A registered officer who has not logged for a while (or never)."""
    user_id: str
    name: str | None
    district: str
    last_entry_day: dt.date | None
    working_days: int                # whole working days with nothing logged (before today)
    groups: int                      # savings groups logged

    def since(self, today: dt.date) -> str:
        if self.last_entry_day is None:
            return "ยังไม่เคยบันทึก"
        return f"บันทึกล่าสุด {thai.date(self.last_entry_day)} ({since_text((today - self.last_entry_day).days)})"


def quiet_officers(plan: Plan, officers, today: dt.date, tz: dt.tzinfo,
                   at_least: int = SILENT_WORKING_DAYS) -> list[Quiet]:
    """Officers (``models.queries.Officer``) with nothing logged on ``at_least`` whole working
    days before today (counted from the fiscal year's start for one who never logged), longest
    quiet first."""
    since_start = fiscal_year_start(plan) - ONE_DAY
    out = []
    for o in officers:
        last_day = o.last_entry_at.astimezone(tz).date() if o.last_entry_at else None
        n = working_days(plan, (last_day or since_start) + ONE_DAY, today - ONE_DAY)
        if n >= at_least:
            out.append(Quiet(o.user_id, o.display_name, o.district_key, last_day, n, o.groups))
    order = {d.key: k for k, d in enumerate(plan.districts)}
    return sorted(out, key=lambda q: (q.last_entry_day is not None, q.last_entry_day or today,
                                      order.get(q.district, 99), q.name or ""))


def without_group(plan: Plan, officers) -> list:
    """Officers who have logged no savings group yet ("1 พัฒนากร 1 กลุ่ม"), by district."""
    order = {d.key: k for k, d in enumerate(plan.districts)}
    return sorted((o for o in officers if o.groups <= 0),
                  key=lambda o: (order.get(o.district_key, 99), o.display_name or ""))
