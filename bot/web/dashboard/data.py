"""What the dashboard shows, computed from the plan, the counters and the entries.

Plain data in, plain dicts and dataclasses out: the template only lays them out.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import thai
from bot.core.forecast import WINDOW_DAYS, Forecast
from bot.core.plan import Indicator, Milestone, Plan
from bot.core.progress import Counters, Figure, category_figures, deadline_for
from bot.timeutil import BANGKOK
from models import Entry, LineUser
from models.queries import recent_amounts

ENTRY_PAGE = 50


def to_bangkok(t: dt.datetime) -> dt.datetime:
    """Entries are stored in UTC (naive on SQLite)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(BANGKOK)


def fiscal_year_start(plan: Plan) -> dt.date:
    """FY 2565 starts 1 Oct 2564 (2021-10-01 C.E.)."""
    return dt.date(plan.fiscal_year - 543 - 1, 10, 1)


def fiscal_year_end(plan: Plan) -> dt.date:
    return dt.date(plan.fiscal_year - 543, 9, 30)


# --------------------------------------------------------------------------- figures
@dataclass
class DistrictRow:
    key: str
    name: str
    target: int | None
    done: int
    percent: float | None
    remaining: int | None


@dataclass
class IndicatorView:
    key: str
    name: str
    full_name: str
    unit: str
    province: Figure
    districts: list[DistrictRow]
    categories: list[Figure]
    has_district_targets: bool
    next_milestone: Milestone | None
    next_milestone_when: str | None
    next_milestone_left: str | None
    deadline: Milestone | None
    deadline_when: str | None
    deadline_left: str | None
    forecast: Forecast
    forecast_text: str | None
    status: str                        # met | on-track | late | no-pace | overdue | none
    status_text: str
    burnup: dict = field(default_factory=dict)


def _status(f: Forecast) -> tuple[str, str]:
    if f.target is None or f.deadline is None:
        return "none", "ไม่มีกำหนดส่ง"
    if f.met:
        return "met", "ครบเป้าแล้ว"
    if f.days_left is not None and f.days_left < 0:
        return "overdue", "เลยกำหนด"
    if f.on_track is None:
        return "no-pace", "ยังไม่มีการบันทึกใน 7 วัน"
    return ("on-track", "ทันกำหนด") if f.on_track else ("late", "ช้ากว่ากำหนด")


def next_milestone(plan: Plan, indicator_key: str, today: dt.date) -> Milestone | None:
    """The indicator's soonest milestone not yet over (an event running today counts)."""
    ahead = [m for m in plan.milestones_for(indicator_key) if m.end >= today]
    return min(ahead, key=lambda m: (m.date if m.date >= today else today, m.kind != "deadline"),
               default=None)


def indicator_views(session: Session, plan: Plan, plan_id: int, counters: Counters,
                    now: dt.datetime) -> list[IndicatorView]:
    today = now.date()
    window_start = dt.datetime.combine(today - dt.timedelta(days=WINDOW_DAYS - 1), dt.time(),
                                       tzinfo=BANGKOK).astimezone(dt.timezone.utc)
    recent = recent_amounts(session, plan_id, window_start)
    daily = daily_amounts(session, plan_id)
    views = []
    for ind in plan.indicators:
        unit = plan.units[ind.unit].name
        rows = []
        for d in plan.districts:
            target = ind.district_target(d.key)
            done = counters.get((ind.key, d.key, ""), 0)
            f = Figure(d.key, d.name, target, done)
            rows.append(DistrictRow(d.key, d.name, target, done, f.percent, f.remaining))
        province = Figure(ind.key, ind.name, ind.target, sum(r.done for r in rows))
        deadline = deadline_for(plan, ind.key, today)
        nxt = next_milestone(plan, ind.key, today)
        forecast = Forecast(done=province.done, target=ind.target,
                            deadline=deadline.date if deadline else None, today=today,
                            recent=sum(recent.get((ind.key, d.key), 0) for d in plan.districts))
        status, status_text = _status(forecast)
        views.append(IndicatorView(
            key=ind.key, name=ind.name, full_name=ind.full_name, unit=unit, province=province,
            districts=rows, categories=category_figures(plan, counters, ind),
            has_district_targets=any(r.target is not None for r in rows),
            next_milestone=nxt,
            next_milestone_when=thai.date_span(nxt.start, nxt.end) if nxt else None,
            next_milestone_left=(("กำลังดำเนินการ" if nxt.start <= today < nxt.date
                                  else thai.days_left(nxt.date, today)) if nxt else None),
            deadline=deadline,
            deadline_when=thai.date(deadline.date) if deadline else None,
            deadline_left=thai.days_left(deadline.date, today) if deadline else None,
            forecast=forecast, forecast_text=forecast.text(unit),
            status=status, status_text=status_text,
            burnup=burnup(plan, ind, daily.get(ind.key, {}), deadline, today)))
    return views


# --------------------------------------------------------------------------- burn-up
def daily_amounts(session: Session, plan_id: int) -> dict[str, dict[dt.date, int]]:
    """{indicator: {Bangkok day: amount}} of the entries that are not undone, summed by the
    database (one row per indicator and day, however many entries there are)."""
    if session.get_bind().dialect.name == "postgresql":
        day = func.date(func.timezone("Asia/Bangkok", Entry.created_at))
    else:  # SQLite keeps UTC text; Bangkok is UTC+7 all year (no daylight saving)
        day = func.date(Entry.created_at, "+7 hours")
    q = (select(Entry.indicator_key, day, func.sum(Entry.amount))
         .where(Entry.plan_id == plan_id, Entry.undone_at.is_(None))
         .group_by(Entry.indicator_key, day))
    out: dict[str, dict[dt.date, int]] = {}
    for key, d, amount in session.execute(q):
        d = d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d))
        out.setdefault(key, {})[d] = int(amount or 0)
    return out


def burnup(plan: Plan, ind: Indicator, per_day: dict[dt.date, int], deadline: Milestone | None,
           today: dt.date) -> dict:
    """Cumulative progress per day against the straight line from the start to the deadline.

    The line starts at the indicator's first milestone (or first entry, if earlier); when that
    is the deadline itself, at the start of the fiscal year.
    """
    due = deadline.date if deadline else None
    future = sum(a for d, a in per_day.items() if d > today)   # a pinned clock (BOT_TODAY)
    per_day = {d: a for d, a in per_day.items() if d <= today}
    if future:
        per_day[today] = per_day.get(today, 0) + future
    candidates = [m.start for m in plan.milestones_for(ind.key)] + list(per_day)
    start = min(candidates, default=fiscal_year_start(plan))
    if due is not None and start >= due:
        start = min(fiscal_year_start(plan), *per_day) if per_day else fiscal_year_start(plan)
    end = max(d for d in (due, today, start) if d is not None)
    n = (end - start).days + 1
    labels, actual, ideal = [], [], []
    running = sum(a for d, a in per_day.items() if d < start)
    for i in range(n):
        day = start + dt.timedelta(days=i)
        labels.append(thai.date(day))
        running += per_day.get(day, 0)
        actual.append(running if day <= today else None)
        if due is not None and ind.target is not None and day <= due:
            span = max((due - start).days, 1)
            ideal.append(round(ind.target * min((day - start).days / span, 1.0), 1))
        else:
            ideal.append(None)
    return {"labels": labels, "actual": actual, "ideal": ideal, "target": ind.target,
            "unit": plan.units[ind.unit].name}


# --------------------------------------------------------------------------- timeline
@dataclass
class TimelineRow:
    milestone: Milestone
    indicator_name: str
    when: str
    state: str            # past | current | next | upcoming | overdue
    state_text: str
    left: str


def timeline(plan: Plan, counters: Counters, today: dt.date) -> list[TimelineRow]:
    names = {i.key: i.name for i in plan.indicators}
    met = {}
    for ind in plan.indicators:
        done = sum(counters.get((ind.key, d.key, ""), 0) for d in plan.districts)
        met[ind.key] = done >= ind.target
    ordered = sorted(plan.milestones, key=lambda m: (m.date, m.start, m.key))
    upcoming = [m for m in ordered if m.date >= today]
    next_date = upcoming[0].date if upcoming else None
    rows = []
    for m in ordered:
        if m.kind == "event" and m.start <= today <= m.end:
            state, text = "current", "กำลังดำเนินการ"
        elif m.date == next_date:
            state, text = "next", "ถัดไป"
        elif m.date >= today:
            state, text = "upcoming", "กำลังจะถึง"
        elif m.kind == "deadline" and m.progress and not met[m.indicator]:
            state, text = "overdue", "เลยกำหนด"
        else:
            state, text = "past", "ผ่านแล้ว"
        rows.append(TimelineRow(m, names.get(m.indicator, m.indicator), thai.date_span(m.start, m.end), state, text,
                                thai.days_left(m.date, today)))
    return rows


# --------------------------------------------------------------------------- audit trail
SOURCES = {"group": "กลุ่มไลน์", "room": "ห้องแชต", "user": "แชต 1:1", "cli": "คำสั่ง"}


@dataclass
class EntryRow:
    id: int
    who: str
    when: str
    district: str
    what: str
    text: str
    source: str
    undone: str | None
    amended: str | None


def entries(session: Session, plan: Plan, plan_id: int, *, district: str | None = None,
            indicator: str | None = None, before: int | None = None,
            limit: int = ENTRY_PAGE) -> tuple[list[EntryRow], int | None]:
    """The newest entries (filtered), and the id to page on when there are more."""
    q = (select(Entry, LineUser.display_name)
         .outerjoin(LineUser, LineUser.user_id == Entry.user_id)
         .where(Entry.plan_id == plan_id))
    if district:
        q = q.where(Entry.district_key == district)
    if indicator:
        q = q.where(Entry.indicator_key == indicator)
    if before:
        q = q.where(Entry.id < before)
    found = session.execute(q.order_by(Entry.id.desc()).limit(limit + 1)).all()
    out = []
    for e, name in found[:limit]:
        ind = plan.indicator(e.indicator_key)
        d = plan.district(e.district_key)
        unit = plan.units[ind.unit].name if ind else ""
        cat = ind.category(e.category_key) if ind else None
        what = " ".join(x for x in (ind.name if ind else e.indicator_key,
                                    cat.name if cat else None,
                                    f"{thai.number(e.amount)} {unit}".strip()) if x)
        out.append(EntryRow(
            id=e.id, who=name or e.user_id or "-",
            when=thai.date_time(to_bangkok(e.created_at)),
            district=d.name if d else e.district_key, what=what, text=e.text,
            source=SOURCES.get(e.source_type, e.source_type),
            undone=thai.date_time(to_bangkok(e.undone_at)) if e.undone_at else None,
            amended=(f"แก้จาก {thai.number(e.amended_from)}"
                     if e.amended_from is not None else None)))
    return out, (found[limit - 1][0].id if len(found) > limit else None)
