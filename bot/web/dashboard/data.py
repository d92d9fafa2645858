"""What the dashboard shows, computed from the plan, the counters and the entries.

Plain data in, plain dicts and dataclasses out: the template only lays them out. Where a
district stands (done, on track, behind, silent) is bot.core.status's ``Board``, read here and
put into words; nothing on the page computes a status of its own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import thai
from bot.core.forecast import FAR_LATE_DAYS, Forecast, window_start
from bot.core.plan import Indicator, Milestone, Plan
from bot.core.progress import Counters, Figure, category_figures, deadline_for
from bot.core.status import (DONE, LABELS, NO_TARGET, ORDER, SILENT_WORKING_DAYS, Board, Quiet,
                             Status, fiscal_year_start, quiet_officers, without_group)
from bot.timeutil import BANGKOK
from models import Entry, LineUser
from models.queries import recent_amounts

ENTRY_PAGE = 50      # entries read per page of the audit trail
ENTRY_SHOWN = 20     # shown at once; the rest of the page behind "ดูเพิ่ม"
SAVINGS = "savings"  # the "1 พัฒนากร 1 กลุ่ม" campaign's indicator


def to_bangkok(t: dt.datetime) -> dt.datetime:
    """Entries are stored in UTC (naive on SQLite)."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(BANGKOK)


# --------------------------------------------------------------------------- figures
@dataclass
class DistrictRow:
    key: str
    name: str
    target: int | None
    done: int
    percent: float | None
    remaining: int | None
    status: str = NO_TARGET            # bot.core.status: done | on-track | behind | silent | no-target
    label: str = LABELS[NO_TARGET]


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
    category_targets: bool
    next_milestone: Milestone | None
    next_milestone_when: str | None
    next_milestone_left: str | None
    deadline: Milestone | None
    deadline_when: str | None
    deadline_left: str | None
    forecast: Forecast
    forecast_text: str | None          # the projection at the last 7 days' rate
    status: str                        # the province's (bot.core.status)
    status_text: str
    pace_text: str | None              # what is needed per working day (bot.core.status)
    burnup: dict = field(default_factory=dict)


def projection_text(f: Forecast, unit: str) -> str | None:
    """Where the last 7 days' rate would take the indicator: 'ด้วยอัตรา 7 วันล่าสุด (วันละ
    2,000 ครัวเรือน) จะครบประมาณ 28 เม.ย. 2565 — ก่อนกำหนดส่ง'. What is needed per day is
    the status's (working days), said once beside it, not a second calendar-day figure."""
    if f.target is None or f.deadline is None or f.met:
        return None
    if f.pace_per_day <= 0:
        return "7 วันล่าสุดยังไม่มีการบันทึก"
    pace = f"ด้วยอัตรา 7 วันล่าสุด (วันละ {thai.number(round(f.pace_per_day, 1))} {unit})"
    late = f.days_late
    if late is None:
        return None
    if late > FAR_LATE_DAYS:
        return f"{pace} จะไม่ทันกำหนดส่ง"
    verdict = "ทันกำหนดส่ง" if late <= 0 else f"หลังกำหนดส่ง {thai.number(late)} วัน"
    return f"{pace} จะครบประมาณ {thai.date(f.projected)} — {verdict}"


def next_milestone(plan: Plan, indicator_key: str, today: dt.date) -> Milestone | None:
    """The indicator's soonest milestone not yet over (an event running today counts)."""
    ahead = [m for m in plan.milestones_for(indicator_key) if m.end >= today]
    return min(ahead, key=lambda m: (m.date if m.date >= today else today, m.kind != "deadline"),
               default=None)


def indicator_views(session: Session, plan: Plan, plan_id: int, counters: Counters,
                    now: dt.datetime, board: Board) -> list[IndicatorView]:
    today = now.date()
    recent = recent_amounts(session, plan_id, window_start(today, BANGKOK))
    daily = daily_amounts(session, plan_id)
    views = []
    for ind in plan.indicators:
        unit = plan.units[ind.unit].name
        rows = []
        for d in plan.districts:
            target = ind.district_target(d.key)
            done = counters.get((ind.key, d.key, ""), 0)
            f = Figure(d.key, d.name, target, done)
            st = board.cell(ind.key, d.key)
            rows.append(DistrictRow(d.key, d.name, target, done, f.percent, f.remaining,
                                    st.status, st.label))
        province = Figure(ind.key, ind.name, ind.target, sum(r.done for r in rows))
        state = board.province[ind.key]
        deadline = deadline_for(plan, ind.key, today)
        nxt = next_milestone(plan, ind.key, today)
        forecast = Forecast(done=province.done, target=ind.target,
                            deadline=deadline.date if deadline else None, today=today,
                            recent=sum(recent.get((ind.key, d.key), 0) for d in plan.districts))
        categories = category_figures(plan, counters, ind)
        views.append(IndicatorView(
            key=ind.key, name=ind.name, full_name=ind.full_name, unit=unit, province=province,
            districts=rows, categories=categories,
            has_district_targets=any(r.target is not None for r in rows),
            category_targets=any(c.target for c in categories),
            next_milestone=nxt,
            next_milestone_when=thai.date_span(nxt.start, nxt.end) if nxt else None,
            next_milestone_left=(("กำลังดำเนินการ" if nxt.start <= today < nxt.date
                                  else thai.days_left(nxt.date, today)) if nxt else None),
            deadline=deadline,
            deadline_when=thai.date(deadline.date) if deadline else None,
            deadline_left=thai.days_left(deadline.date, today) if deadline else None,
            forecast=forecast, forecast_text=projection_text(forecast, unit),
            status=state.status, status_text=state.label, pace_text=state.pace(),
            burnup=burnup(plan, ind, daily.get(ind.key, {}), deadline, today)))
    return views


# --------------------------------------------------------------------------- the status grid
def deadline_text(days_left: int | None) -> str | None:
    """'อีก 12 วันถึงกำหนดส่ง', 'ครบกำหนดส่งพรุ่งนี้', 'ครบกำหนดส่งวันนี้', 'เลยกำหนดส่งมา 4 วัน'."""
    if days_left is None:
        return None
    if days_left > 1:
        return f"อีก {thai.number(days_left)} วันถึงกำหนดส่ง"
    if days_left == 1:
        return "ครบกำหนดส่งพรุ่งนี้"
    if days_left == 0:
        return "ครบกำหนดส่งวันนี้"
    return f"เลยกำหนดส่งมา {thai.number(-days_left)} วัน"


def percent_text(p: float | None) -> str | None:
    return None if p is None else f"{p:.1f}%"


@dataclass(frozen=True)
class Cell:
    """One district (or the province) on one indicator, in words."""
    indicator: str
    indicator_name: str
    status: str                 # the CSS class suffix: st-behind …
    label: str                  # ล่าช้า …: the colour is never alone
    figures: str                # '3,756 / 7,921 ที่ควรได้' or 'ได้ 23 ครัวเรือน'
    percent: str | None         # of the target
    pace: str | None            # 'ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)'
    deadline: str | None        # 'อีก 12 วันถึงกำหนดส่ง'
    quiet: str | None           # 'ไม่มีการบันทึกมา 8 วัน (ล่าสุด 11 เม.ย. 2565)'


def cell(st: Status, indicator_name: str) -> Cell:
    if st.status == NO_TARGET:
        return Cell(st.indicator, indicator_name, st.status, st.label,
                    f"ได้ {thai.number(st.done)} {st.unit}", None, None, None, None)
    if st.status == DONE:
        figures = f"ได้ {thai.number(st.done)} จากเป้า {thai.number(st.target)}"
    elif st.expected is not None:
        figures = f"{thai.number(st.done)} / {thai.number(st.expected)} ที่ควรได้"
    else:
        figures = f"{thai.number(st.done)} / {thai.number(st.target)} {st.unit}"
    pace = st.pace()
    if st.days_left is not None and st.days_left < 0 and st.needed_per_working_day is None:
        # past the deadline: 'เลยกำหนดส่งมา 4 วัน' says it; what is missing instead of a pace
        pace = f"ยังขาด {thai.number(st.remaining)} {st.unit}" if st.remaining else None
    return Cell(st.indicator, indicator_name, st.status, st.label, figures,
                percent_text(st.percent), pace, deadline_text(st.days_left), st.quiet_text())


@dataclass(frozen=True)
class Column:
    key: str
    name: str
    unit: str
    deadline: str | None        # '1 พ.ค. 2565'
    deadline_left: str | None   # 'อีก 12 วัน'
    district_targets: bool
    counts: list[tuple[str, str, int]]   # (status, label, districts), worst first, none empty


@dataclass(frozen=True)
class GridRow:
    key: str | None             # None: the province
    name: str
    status: str                 # its worst cell's
    cells: list[Cell]


@dataclass(frozen=True)
class Grid:
    columns: list[Column]
    rows: list[GridRow]         # districts, worst first
    province: GridRow
    legend: list[tuple[str, str, str]]   # (status, label, what it means)

    @property
    def no_target_names(self) -> list[str]:
        return [c.name for c in self.columns if not c.district_targets]


LEGEND = {
    "behind": "ได้น้อยกว่าที่ควรได้ตามเส้นตรงถึงกำหนดส่ง (นับวันทำการ)",
    "silent": f"ไม่มีการบันทึกมา {SILENT_WORKING_DAYS} วันทำการขึ้นไป",
    "on-track": "ได้ตามที่ควรได้หรือมากกว่า",
    "done": "ได้ครบเป้าหมายแล้ว",
    "no-target": "แผนไม่มีเป้าของอำเภอ: แสดงผลงาน สถานะดูที่ทั้งจังหวัด",
}


def status_grid(board: Board) -> Grid:
    """Districts × indicators, the most-behind district first, the province last."""
    plan = board.plan
    names = {i.key: i.name for i in plan.indicators}
    columns = []
    for ind in plan.indicators:
        prov = board.province[ind.key]
        counts = board.counts(ind.key)
        columns.append(Column(
            ind.key, ind.name, plan.units[ind.unit].name,
            thai.date(prov.deadline) if prov.deadline else None,
            thai.days_left(prov.deadline, prov.today) if prov.deadline else None,
            any(ind.district_target(d.key) is not None for d in plan.districts),
            [(s, LABELS[s], counts[s]) for s in ORDER if counts[s] and s != NO_TARGET]))
    rows = []
    for key, statuses in board.rows():
        worst = min(statuses, key=Status.sort_key) if statuses else None
        rows.append(GridRow(key, plan.district(key).name, worst.status if worst else NO_TARGET,
                            [cell(st, names[st.indicator]) for st in statuses]))
    prov = [board.province[i.key] for i in plan.indicators]
    worst = min(prov, key=Status.sort_key) if prov else None
    province = GridRow(None, "ทั้งจังหวัด", worst.status if worst else NO_TARGET,
                       [cell(st, names[st.indicator]) for st in prov])
    shown = {c.status for r in rows + [province] for c in r.cells}
    legend = [(s, LABELS[s], LEGEND[s]) for s in ORDER if s in shown]
    return Grid(columns, rows, province, legend)


# --------------------------------------------------------------------------- who has not reported
def person_name(name: str | None, user_id: str) -> str:
    """The LINE display name, or 'ผู้ใช้ …a1b2' when LINE gave none."""
    return name or f"ผู้ใช้ …{user_id[-4:]}"


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    since: str | None           # 'บันทึกล่าสุด 11 เม.ย. 2565 (8 วันก่อน)' / 'ยังไม่เคยบันทึก'


@dataclass(frozen=True)
class DistrictPeople:
    key: str
    name: str
    people: list[Person]
    registered: int


@dataclass(frozen=True)
class People:
    registered: int                     # officers registered in the province
    officers: int | None                # the plan's officer count
    working_days: int                   # the quiet threshold
    quiet: list[DistrictPeople]         # districts in the grid's order, only those with someone
    quiet_count: int
    campaign: str | None                # the savings indicator's name (None: no campaign)
    without_group: list[DistrictPeople]
    without_count: int


def people(plan: Plan, officers, today: dt.date, tz: dt.tzinfo,
           order: list[str] | None = None) -> People:
    """Who has not reported: officers with nothing logged for SILENT_WORKING_DAYS working days
    (bot.core.status.quiet_officers), and for the savings campaign those with no group yet;
    grouped by district in ``order`` (the grid's, worst first) else the plan's."""
    keys = list(order or [d.key for d in plan.districts])
    keys += [d.key for d in plan.districts if d.key not in keys]
    registered = {k: 0 for k in keys}
    for o in officers:
        registered[o.district_key] = registered.get(o.district_key, 0) + 1

    def by_district(items: list[Person], district_of) -> list[DistrictPeople]:
        out = []
        for k in keys + sorted(set(map(district_of, items)) - set(keys)):
            mine = [p for p, d in zip(items, map(district_of, items)) if d == k]
            if mine:
                d = plan.district(k)
                out.append(DistrictPeople(k, d.name if d else k, mine, registered.get(k, 0)))
        return out

    quiet: list[Quiet] = quiet_officers(plan, officers, today, tz)
    quiet_people = [Person(q.user_id, person_name(q.name, q.user_id), q.since(today))
                    for q in quiet]
    district_of_quiet = {q.user_id: q.district for q in quiet}
    campaign = plan.indicator(SAVINGS)
    waiting = without_group(plan, officers) if campaign else []
    waiting_people = [Person(o.user_id, person_name(o.display_name, o.user_id), None)
                      for o in waiting]
    district_of_waiting = {o.user_id: o.district_key for o in waiting}
    return People(
        registered=len(officers), officers=plan.officers, working_days=SILENT_WORKING_DAYS,
        quiet=by_district(quiet_people, lambda p: district_of_quiet[p.user_id]),
        quiet_count=len(quiet_people), campaign=campaign.name if campaign else None,
        without_group=by_district(waiting_people, lambda p: district_of_waiting[p.user_id]),
        without_count=len(waiting_people))


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


def timeline(plan: Plan, counters: Counters, today: dt.date,
             district: str | None = None) -> list[TimelineRow]:
    """The fiscal year's milestones and where each stands; a deadline passed short of the
    target is overdue. ``district``: measured by that district alone (its own target; without
    one, a passed deadline is only past — the province's figures are not the district's)."""
    names = {i.key: i.name for i in plan.indicators}
    met = {}
    for ind in plan.indicators:
        if district is None:
            done = sum(counters.get((ind.key, d.key, ""), 0) for d in plan.districts)
            met[ind.key] = done >= ind.target
        else:
            target = ind.district_target(district)
            met[ind.key] = target is None or counters.get((ind.key, district, ""), 0) >= target
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


# --------------------------------------------------------------------------- who looked
LOOKED_SHOWN = 20
LOOKED_ACTIONS = ("login", "login_failed", "logout", "export", "brief", "token_create",
                  "token_revoke", "grant", "revoke")
FAILURES = {"wrong_token": "รหัสไม่ถูกต้อง", "csrf": "แบบฟอร์มหมดอายุ", "no_role": "ยังไม่มีสิทธิ์",
            "access_denied": "ยกเลิกที่หน้า LINE", "state": "state ไม่ตรงกับที่เริ่ม",
            "token": "LINE ไม่ออกโทเค็นให้", "id_token": "ID token ไม่ผ่านการตรวจ",
            "unreachable": "ติดต่อ LINE ไม่ได้"}
FORMATS = {"xlsx": "Excel", "csv": "CSV", "html": "หน้าเว็บ", "pdf": "PDF"}


@dataclass(frozen=True)
class LookRow:
    id: int
    action: str
    when: str                  # '19 เม.ย. 2565 10:00 น.'
    who: str
    what: str
    where: str | None          # the province / district it was about


def actor_name(actor: str, display_name: str | None) -> str:
    """Who, in words: a LINE user's name, the shared token, an API token, a command."""
    if actor == "token:DASHBOARD_TOKEN":
        return "รหัสเข้าใช้แดชบอร์ด (DASHBOARD_TOKEN)"
    if actor.startswith("token:"):
        return f"รหัส API “{actor[6:]}”"
    if actor.startswith("cli:"):
        return f"คำสั่ง flask ({actor[4:]})"
    if actor in ("form:?", "line:?"):
        return "ไม่ทราบผู้ใช้"
    return person_name(display_name, actor)


def _what(e, subject_name: str | None) -> str:
    from bot.core.roles import ROLE_NAMES
    d = e.detail or {}
    if e.action == "login":
        return "เข้าสู่ระบบด้วย LINE" if d.get("via") == "line" else "เข้าสู่ระบบด้วยรหัสเข้าใช้"
    if e.action == "login_failed":
        reason = FAILURES.get(d.get("reason"), d.get("reason") or "")
        way = "ด้วย LINE" if d.get("via") == "line" else "ด้วยรหัสเข้าใช้"
        client = f" จาก {d['client']}" if d.get("client") else ""
        return f"เข้าสู่ระบบ{way} ไม่สำเร็จ ({reason}){client}"
    if e.action == "logout":
        return "ออกจากระบบ"
    year = f" ปีงบประมาณ {d['fiscal_year']}" if d.get("fiscal_year") else ""
    if e.action == "export":
        return f"ส่งออก {FORMATS.get(d.get('format'), d.get('format') or '')}{year}"
    if e.action == "brief":
        day = ""
        if d.get("date"):
            try:
                day = f" วันประชุม {thai.date(dt.date.fromisoformat(d['date']))}"
            except ValueError:
                pass
        return f"สรุปสำหรับประชุม ({FORMATS.get(d.get('format'), d.get('format') or '')}){year}{day}"
    if e.action in ("token_create", "token_revoke"):
        verb = "สร้าง" if e.action == "token_create" else "ยกเลิก"
        return f"{verb}รหัส API “{d.get('name') or (e.subject or '')[6:]}”"
    if e.action in ("grant", "revoke"):
        role = ROLE_NAMES.get(d.get("role"), d.get("role") or "")
        whom = f"คุณ{subject_name}" if subject_name else (e.subject or "")
        return f"แต่งตั้ง {whom} เป็น{role}" if e.action == "grant" else \
            f"ถอนสิทธิ์{role}ของ {whom}"
    return e.action


def who_looked(session: Session, province_key: str | None, catalog=None, *,
               national: bool = False, limit: int = LOOKED_SHOWN) -> list[LookRow]:
    """The latest logins, exports, brief downloads, token and role changes: of a province
    (``national``: and those of no province — department admins' and the shared token's
    logins, failed logins); no province and ``national``: everything."""
    from sqlalchemy import or_
    from sqlalchemy.orm import aliased

    from models import AuditEvent
    actor, subject = aliased(LineUser), aliased(LineUser)
    q = (select(AuditEvent, actor.display_name, subject.display_name)
         .outerjoin(actor, actor.user_id == AuditEvent.actor)
         .outerjoin(subject, subject.user_id == AuditEvent.subject)
         .where(AuditEvent.action.in_(LOOKED_ACTIONS)))
    if province_key is not None:
        q = q.where(or_(AuditEvent.province_key == province_key,
                        AuditEvent.province_key.is_(None)) if national
                    else AuditEvent.province_key == province_key)
    elif not national:
        q = q.where(AuditEvent.province_key.is_(None))
    out = []
    for e, name, subject_name in session.execute(
            q.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)):
        where = None
        if e.province_key:
            pname = (catalog.province_name(e.province_key) if catalog else None) \
                or e.province_key
            # the page's own province goes without saying; a district is said
            where = f"จ.{pname}" if e.province_key != province_key else None
            if e.district_key:
                plan = None
                if catalog is not None and catalog.province_of(e.province_key):
                    plan = catalog.get(catalog.plans_of(e.province_key)[-1].id).plan
                district = plan.district(e.district_key) if plan else None
                where = " ".join(x for x in (
                    f"อ.{district.name if district else e.district_key}", where) if x)
        out.append(LookRow(e.id, e.action, thai.date_time(to_bangkok(e.at)),
                           actor_name(e.actor, name), _what(e, subject_name), where))
    return out
