"""Which reminders are due on a day: pure, ``(plan, progress, today) → reminders``.

No database, no LINE, no wall clock: the caller passes the plan, the running totals
(``models.queries.counters``) and the day, so any date of the fiscal year can be tested.

Rules (issue 4):
- a deadline is announced ``remind_days`` days before it (default 14, 7, 3, 1 and 0);
- an event is announced on its first day (the opening of a window, or a single-day event);
- a reminder whose day is a Saturday, a Sunday or a plan holiday goes out on the working day
  before; several reminders of one milestone landing on one day make one item;
- after a missed deadline of a milestone the indicator's count measures (``progress``), a
  district still short of its target is told again every ``overdue_every`` working days (until the
  end of the fiscal year);
- a district that met its target gets a congratulation instead (``when_met: congratulate``) or
  nothing (``when_met: skip``); without a district target (TPMAP, savings groups in FY2565) the
  province's figure decides;
- each district gets ONE reminder per day holding every item due for it; the province gets one
  summary on the days something is due, with a row per district;
- every progress item carries where the district stands (``bot.core.status``: behind, silent,
  on track, done, or no target of its own and the province's status instead), from one
  :class:`~bot.core.status.Board` of the day, the same statuses the API, the dashboard and the
  chat cards read;
- several provinces: each province follows its own plan (its milestones, holidays, counters);
  the department gets a national summary (:func:`national_day`) on *national* working days —
  Monday to Friday except a day that more than half of the provinces' current plans list as a
  holiday (one province's local holiday does not silence the nation; a national holiday left
  out of one plan does not wake it) — when some province that works today has something due.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from bot.core.plan import District, Indicator, Milestone, Plan
from bot.core.progress import Counters, Figure, district_figure, province_figure
from bot.core.status import (BEHIND, SILENT, Board, LastEntries, Status, board as make_board,
                             is_working_day, working_days)
from bot.timeutil import BANGKOK

if TYPE_CHECKING:
    from bot.core.national import IndicatorSummary

ONE_DAY = dt.timedelta(days=1)

BEFORE, OPEN, OVERDUE, MET = "before", "open", "overdue", "met"


# --------------------------------------------------------------------------- calendar
# is_working_day and working_days are the status core's (bot.core.status), one calendar for the
# statuses and the reminders; is_working_day is imported from here by rounds and tests too.


def national_working_day(plans: list[Plan], day: dt.date) -> bool:
    """Monday–Friday, unless more than half of ``plans`` (each province's current plan) hold the
    day as a holiday. One plan: exactly that plan's working days."""
    if day.weekday() >= 5:
        return False
    off = sum(1 for p in plans if day in p.holiday_dates)
    return off * 2 <= len(plans) if plans else True


def send_day(plan: Plan, day: dt.date) -> dt.date:
    """The day a reminder meant for ``day`` goes out: that day, or the working day before."""
    for _ in range(60):  # a plan cannot hold two months of holidays in a row
        if is_working_day(plan, day):
            return day
        day -= ONE_DAY
    return day


def fiscal_year_end(plan: Plan) -> dt.date:
    """30 Sep of the fiscal year (FY2565 ends 30 Sep 2022)."""
    return dt.date(plan.fiscal_year - 543, 9, 30)


# --------------------------------------------------------------------------- data
@dataclass(frozen=True)
class Trigger:
    """A milestone due for a reminder today, before it is applied to a district."""
    milestone: Milestone
    reason: str          # before | open | overdue
    offset: int          # the smallest planned offset (days before) that lands today; -n overdue


@dataclass(frozen=True)
class Item:
    """One milestone in one reminder."""
    milestone: Milestone
    indicator: Indicator
    reason: str                      # before | open | overdue | met
    days_left: int                   # milestone.date - today (negative: overdue)
    offset: int                      # planned offset that fell on today (see Trigger)
    unit: str                        # unit name, e.g. ครัวเรือน
    figure: Figure | None = None     # the district's count (target None without a district target)
    province: Figure | None = None   # the province's count, when the district has no target
    command: str | None = None       # how to log, e.g. บันทึก จปฐ 120 ครัวเรือน
    status: Status | None = None     # where the district (province item: the province) stands
    measured: Status | None = None   # the status whose pace applies: ``status``, or the
                                     # province's when the district has no target of its own

    @property
    def urgent(self) -> bool:
        """≤ 1 day left (or the last reminder before the deadline), or overdue."""
        if self.reason == OVERDUE:
            return True
        return (self.reason == BEFORE and self.milestone.kind == "deadline"
                and min(self.days_left, self.offset) <= 1)


@dataclass(frozen=True)
class DistrictRow:
    """A district's line in the province's summary."""
    district: District
    figures: tuple[tuple[Indicator, Figure], ...]
    met: bool
    overdue: bool
    statuses: tuple[Status, ...] = ()    # the district's status of each of ``figures``

    @property
    def attention(self) -> tuple[Status, ...]:
        """The statuses that are behind or silent."""
        return tuple(s for s in self.statuses if s.status in (BEHIND, SILENT))


@dataclass(frozen=True)
class Reminder:
    day: dt.date
    scope: str                                  # district | province
    district: District | None
    items: tuple[Item, ...]
    rows: tuple[DistrictRow, ...] = field(default=())   # province only
    province_figures: tuple[tuple[Indicator, Figure], ...] = field(default=())
    board: Board | None = field(default=None, compare=False, repr=False)  # province only

    @property
    def urgent(self) -> bool:
        return any(i.urgent for i in self.items) or any(r.overdue for r in self.rows)

    @property
    def milestone_keys(self) -> list[str]:
        return [i.milestone.key for i in self.items]

    @property
    def days_to_deadline(self) -> int | None:
        """Days to the nearest deadline this reminder is about (negative: overdue); an event's
        first day when it is only about events; None when it only congratulates."""
        return nearest_days(self.items)

    @property
    def behind(self) -> float:
        """How far behind: the largest share of a target still missing among the reminder's
        figures (0 met … 1 nothing done); 0 without figures."""
        shares = [share_missing(i.figure if i.figure is not None and i.figure.target
                                else i.province) for i in self.items if i.reason != MET]
        shares += [share_missing(f) for _, f in self.province_figures]
        return max((x for x in shares if x is not None), default=0.0)


def nearest_days(items) -> int | None:
    live = [i for i in items if i.reason != MET]
    deadlines = [i.days_left for i in live if i.milestone.kind == "deadline"]
    days = deadlines or [i.days_left for i in live]
    return min(days) if days else None


def share_missing(f: Figure | None) -> float | None:
    if f is None or not f.target:
        return None
    return f.remaining / f.target


# --------------------------------------------------------------------------- planning
def triggers(plan: Plan, today: dt.date) -> list[Trigger]:
    """Milestones with a reminder due on ``today`` (overdue ones are per district: see below)."""
    if not is_working_day(plan, today):
        return []
    out: list[Trigger] = []
    for m in plan.milestones:
        if m.kind == "event":
            if send_day(plan, m.start) == today:
                out.append(Trigger(m, OPEN, (m.start - today).days))
            continue
        offsets = [off for off in m.remind_days if send_day(plan, m.date - dt.timedelta(off)) == today]
        if offsets:
            out.append(Trigger(m, BEFORE, min(offsets)))
        elif m.progress and today > m.date and today <= fiscal_year_end(plan):
            n = working_days(plan, m.date + ONE_DAY, today)   # working days in (date, today]
            if n > 0 and n % max(m.overdue_every, 1) == 0:
                out.append(Trigger(m, OVERDUE, -(today - m.date).days))
    return sorted(out, key=lambda t: (t.milestone.date, t.milestone.key))


def log_command(plan: Plan, ind: Indicator) -> str:
    """The exact words that log progress for an indicator, e.g. ``บันทึก จปฐ 120 ครัวเรือน``."""
    plain = [a for a in ind.aliases if "." not in a] or list(ind.aliases)
    alias = min(plain, key=len)
    unit = plan.units[ind.unit]
    amount = 1 if ind.unit in ("group", "village") else 120 if ind.district_targets else 3
    return f"บันทึก {alias} {amount} {unit.name}"


def _met(fig: Figure, prov: Figure) -> bool:
    if fig.target is not None:
        return fig.target > 0 and fig.done >= fig.target
    return prov.target is not None and prov.target > 0 and prov.done >= prov.target


def district_items(plan: Plan, counters: Counters, today: dt.date, district_key: str,
                   due: list[Trigger], statuses: Board) -> list[Item]:
    items = []
    for t in due:
        m = t.milestone
        ind = plan.indicator(m.indicator)
        unit = plan.units[ind.unit].name
        base = dict(milestone=m, indicator=ind, days_left=(m.date - today).days, offset=t.offset,
                    unit=unit)
        if m.kind == "event" or not m.progress:
            if t.reason != OVERDUE:
                items.append(Item(reason=t.reason, **base))
            continue
        fig = district_figure(plan, counters, ind, district_key)
        prov = province_figure(plan, counters, ind)
        extra = dict(figure=fig, province=prov if fig.target is None else None,
                     command=log_command(plan, ind),
                     status=statuses.cell(ind.key, district_key),
                     measured=statuses.measured(ind.key, district_key))
        if _met(fig, prov):
            if t.reason == BEFORE and plan.when_met == "congratulate":
                items.append(Item(reason=MET, **base, **extra))
            continue  # met: no nag, no overdue notice
        items.append(Item(reason=t.reason, **base, **extra))
    return items


def plan_day(plan: Plan, counters: Counters, today: dt.date,
             last: LastEntries | None = None, due: list[Trigger] | None = None,
             board: Board | None = None) -> list[Reminder]:
    """Every reminder due on ``today``: one per district that has something, then the province's
    summary (only when some district has something). Each progress item carries its status
    from ``board`` (``bot.core.status.Board`` of ``counters`` on ``today``), else from a board
    built here of ``counters`` and ``last`` ({(indicator, district): the latest entry not
    undone}; a pair missing from it has never been logged). ``due``: the day's
    :func:`triggers`, when the caller has them already."""
    due = triggers(plan, today) if due is None else due
    if not due:
        return []
    if board is None:
        board = make_board(plan, counters, last or {}, today, BANGKOK)
    out: list[Reminder] = []
    per_district: dict[str, list[Item]] = {}
    for d in plan.districts:
        items = district_items(plan, counters, today, d.key, due, board)
        per_district[d.key] = items
        if items:
            out.append(Reminder(today, "district", d, tuple(items)))
    if not out:
        return []
    # the province: every milestone any district was told about, and a row per district
    told = {i.milestone.key for r in out for i in r.items}
    prov_items = []
    for t in due:
        if t.milestone.key not in told:
            continue
        m = t.milestone
        ind = plan.indicator(m.indicator)
        measured = m.progress and m.kind == "deadline"
        prov_items.append(Item(milestone=m, indicator=ind, reason=t.reason,
                               days_left=(m.date - today).days, offset=t.offset,
                               unit=plan.units[ind.unit].name,
                               province=province_figure(plan, counters, ind)
                               if measured else None,
                               status=board.province[ind.key] if measured else None,
                               measured=board.province[ind.key] if measured else None))
    inds: list[Indicator] = []
    for it in prov_items:
        if it.indicator not in inds:
            inds.append(it.indicator)
    progress_inds = [i for i in inds if any(it.indicator is i and it.province is not None
                                            for it in prov_items)] or inds
    rows = []
    for d in plan.districts:
        figs = tuple((ind, district_figure(plan, counters, ind, d.key)) for ind in progress_inds)
        items = per_district[d.key]
        known = [f for _, f in figs if f.target]
        rows.append(DistrictRow(
            d, figs, met=bool(known) and all(f.done >= f.target for f in known),
            overdue=any(i.reason == OVERDUE for i in items),
            statuses=tuple(board.cell(ind.key, d.key) for ind in progress_inds)))
    out.append(Reminder(today, "province", None, tuple(prov_items), tuple(rows),
                        tuple((ind, province_figure(plan, counters, ind)) for ind in progress_inds),
                        board=board))
    return out


# --------------------------------------------------------------------------- the nation
@dataclass(frozen=True)
class NationalItem:
    """A milestone due today in some provinces (one line of the department's summary)."""
    item: Item                       # as the provinces have it (the smallest offset)
    provinces: tuple[str, ...]       # names of the provinces it is due in today


@dataclass(frozen=True)
class NationalReminder:
    """The department's daily summary: what the provinces are reminded of today and the
    national figures of those indicators (``bot.core.national.IndicatorSummary``)."""
    day: dt.date
    items: tuple[NationalItem, ...]
    indicators: tuple["IndicatorSummary", ...]
    working: int                     # provinces that work today
    resting: tuple[str, ...]         # provinces whose plan holds today as a holiday
    scope: str = "department"
    district: None = None

    @property
    def urgent(self) -> bool:
        return any(n.item.urgent for n in self.items)

    @property
    def milestone_keys(self) -> list[str]:
        return list(dict.fromkeys(n.item.milestone.key for n in self.items))

    @property
    def days_to_deadline(self) -> int | None:
        return nearest_days([n.item for n in self.items])

    @property
    def behind(self) -> float:
        return max(((s.target - min(s.done, s.target)) / s.target
                    for s in self.indicators if s.target), default=0.0)


def national_day(plans: list[Plan], summary: list, today: dt.date,
                 due: Callable[[Plan], list[Trigger]] | None = None) -> NationalReminder | None:
    """The department's summary for ``today`` from every province's current plan (``plans``)
    and ``bot.core.national.national_summary``: None on a national holiday or when no province
    that works today has anything due. An overdue milestone counts for a province only while
    the province is short of the indicator's target (its districts are told only then).
    ``due``: a plan's :func:`triggers` of today, when the caller has them."""
    due = due or (lambda p: triggers(p, today))
    if not national_working_day(plans, today):
        return None
    short = {(f.province_key, s.key) for s in summary for f in s.provinces
             if f.target and f.done < f.target}
    found: dict[tuple, tuple[Item, list[str]]] = {}
    working = [p for p in plans if is_working_day(p, today)]
    for plan in working:
        for t in due(plan):
            m = t.milestone
            if t.reason == OVERDUE and (plan.province_key, m.indicator) not in short:
                continue
            ind = plan.indicator(m.indicator)
            key = (m.key, m.title, m.date, m.kind, t.reason)
            item = Item(milestone=m, indicator=ind, reason=t.reason,
                        days_left=(m.date - today).days, offset=t.offset,
                        unit=plan.units[ind.unit].name)
            had = found.get(key)
            if had is None:
                found[key] = (item, [plan.province_name])
            else:
                if item.offset < had[0].offset:
                    found[key] = (item, had[1])
                found[key][1].append(plan.province_name)
    if not found:
        return None
    items = sorted((NationalItem(i, tuple(names)) for i, names in found.values()),
                   key=lambda n: (n.item.milestone.date, n.item.milestone.key))
    due_inds = list(dict.fromkeys(n.item.indicator.key for n in items))
    measured = [k for k in due_inds if any(n.item.indicator.key == k and n.item.milestone.progress
                                           and n.item.milestone.kind == "deadline"
                                           for n in items)] or due_inds
    by_key = {s.key: s for s in summary}
    indicators = tuple(by_key[k] for k in measured if k in by_key)
    resting = tuple(p.province_name for p in plans if not is_working_day(p, today))
    return NationalReminder(today, tuple(items), indicators, len(working), resting)
