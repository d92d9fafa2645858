"""One reminder round: plan the day, write the ledger, push each group's message once.

Exactly once, in this order:
1. the round holds a lock — a PostgreSQL advisory lock (``REMINDER_LOCK_ID``, not the migration
   lock) or, on SQLite, a file lock next to the database — so two clocks never run it together;
2. every (group, day) delivery is INSERTed into ``reminder_deliveries`` (unique (group_id, day),
   ON CONFLICT DO NOTHING) with its payload and a fresh UUID retry key, and COMMITTED;
3. only then is it pushed, with that UUID as ``X-Line-Retry-Key``; a row is claimed first
   (``UPDATE … SET attempts = attempts + 1 WHERE status = 'pending' AND attempts = :seen``), and
   5xx / 429 / timeouts are retried with short backoff and the same key; 409 means LINE already
   has it (delivered);
4. a round killed half-way leaves ``pending`` rows: the next run pushes their stored payload with
   their stored key, so LINE drops whatever was already delivered.
Before the pushes the round reads the quota; when the round would not fit, only urgent
reminders are sent — across every province, nearest deadline first, then furthest behind
(:func:`rank`) — and the others are recorded ``dropped``.

One round covers every province (:func:`plan_round`): each district and province group follows
its own province's current plan and rests on that plan's holidays; department groups get the
national summary on national working days (``reminders.planner.national_working_day``).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import logging
import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker

from bot.db import sqlite_file
from bot.line.client import Line
from bot.line.messages import Reply
from bot.core.national import national_summary
from bot.core.plan import Plan
from bot.core.plans import ActivePlan, Catalog, PlanCache
from bot.timeutil import BANGKOK
from models import Group, ReminderDelivery, utcnow
from models.queries import counters, load_board
from reminders.messages import from_payload, render, render_national, to_payload
from reminders.planner import (Reminder, Trigger, is_working_day, national_day,
                               national_working_day, plan_day, triggers)

log = logging.getLogger(__name__)
REMINDER_LOCK_ID = 0x6E6E7264  # "nnrd": the reminder round's advisory lock (≠ bot.db.MIGRATE_LOCK_ID)
MAX_GROUP_MEMBERS = 500         # LINE's group size limit: a round can never cost more per group


@dataclass(frozen=True)
class Settings:
    backoff: float = 0.5        # seconds before the first retry; doubled each time
    max_backoff: float = 8.0
    attempts: int = 5           # pushes per delivery per run (the same retry key each time)
    workers: int = 8            # pushes in parallel
    lock_wait: float = 900.0    # seconds to wait for another clock's round to finish
    unknown_members: int = 30   # quota estimate for a group whose member count LINE won't say


@dataclass(frozen=True)
class Outgoing:
    """What one group receives today."""
    group_id: str
    scope: str                  # district | province | department
    district_key: str | None
    label: str                  # อำเภอบ้านโป่ง | จังหวัดราชบุรี (+ จังหวัด… with several provinces)
    reply: Reply
    urgent: bool
    milestones: tuple[str, ...]
    province_key: str | None = None
    province_name: str | None = None
    days: int | None = None     # to the nearest deadline it is about (negative: overdue)
    behind: float = 0.0         # the largest share of a target still missing (0–1)

    def payload(self) -> dict:
        return to_payload(self.reply, scope=self.scope, district=self.district_key,
                          label=self.label, milestones=list(self.milestones),
                          province=self.province_key, days=self.days,
                          behind=round(self.behind, 4))

    @property
    def rank(self) -> tuple:
        return rank(self.urgent, self.days, self.behind)


def rank(urgent: bool, days: int | None, behind: float) -> tuple:
    """Which reminder goes first when the quota cannot carry the whole round: urgent ones, then
    the nearest deadline (overdue ones, longest overdue first), then the furthest behind."""
    return (not urgent, days if days is not None else 10 ** 6, -behind)


def payload_rank(urgent: bool, payload: dict | None) -> tuple:
    """The rank of a delivery already in the ledger (payloads written before ranks: by urgency)."""
    payload = payload or {}
    return rank(urgent, payload.get("days"), payload.get("behind") or 0.0)


@dataclass
class RoundPlan:
    """A round on paper: every group's message, and which provinces rest today."""
    day: dt.date
    out: list[Outgoing] = field(default_factory=list)
    provinces: list[str] = field(default_factory=list)   # names of provinces with plans
    resting: list[str] = field(default_factory=list)     # provinces whose plan holds a holiday
    unplanned: list[str] = field(default_factory=list)   # groups' provinces without a plan

    @property
    def several(self) -> bool:
        return len(self.provinces) > 1


@dataclass
class RoundReport:
    day: dt.date
    planned: int = 0            # groups with something to receive today
    sent: int = 0               # accepted by LINE in this run
    delivered_before: int = 0   # 409 (LINE had it) or sent by an earlier run
    dropped: int = 0            # not sent: quota (or the group muted/left meanwhile)
    failed: int = 0             # LINE refused (4xx other than 409/429)
    pending: int = 0            # retries used up: a later run tries again with the same key
    skipped: str | None = None  # why the round did not run
    resting: list[str] = field(default_factory=list)  # provinces on a holiday of their plan
    quota: tuple[int | None, int] | None = None
    estimate: int | None = None
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"reminders {self.day.isoformat()}: skipped ({self.skipped})"
        return (f"reminders {self.day.isoformat()}: planned={self.planned} sent={self.sent} "
                f"delivered_before={self.delivered_before} dropped={self.dropped} "
                f"failed={self.failed} pending={self.pending}")


# --------------------------------------------------------------------------- planning
SCOPES = ("district", "province", "department")
DEPARTMENT_LABEL = "ส่วนกลาง (ภาพรวมทั้งประเทศ)"


def eligible_groups(session: Session) -> list:
    """Bound (district, province or department), not muted, still in the group: rows of
    (group_id, scope, province_key, district_key), one statement, no ORM objects."""
    return list(session.execute(
        select(Group.group_id, Group.scope, Group.province_key, Group.district_key)
        .where(Group.scope.in_(SCOPES), Group.muted.is_(False), Group.left_at.is_(None))
        .order_by(Group.group_id)))


def working_provinces(catalog: Catalog, today: dt.date) -> list[str]:
    """The provinces whose current plan works ``today`` (catalog order)."""
    out = []
    for key in catalog.province_keys():
        active = catalog.current(key, today)
        if active is not None and is_working_day(active.plan, today):
            out.append(key)
    return out


def round_day(catalog: Catalog, today: dt.date) -> bool:
    """Does the round run today: some province works (a national working day always has one)."""
    return bool(working_provinces(catalog, today))


def plan_round(session: Session, plans: PlanCache, today: dt.date) -> RoundPlan:
    """Every group's message for ``today`` (nothing is written or sent).

    A district or province group follows its own province's current plan (milestones, holidays,
    counters, statuses) and gets nothing on that plan's holidays; department groups get the
    national summary on national working days (``planner.national_day``). Reads, whatever the
    number of groups: the groups once, and per province that has groups and something due
    today its counters once and each district's latest entry once (one statement: the
    statuses, ``models.queries.load_board``); the national totals once."""
    catalog = plans.get(session)
    groups = eligible_groups(session)
    only = catalog.only_province
    result = RoundPlan(today, provinces=[catalog.province_name(k) or k
                                         for k in catalog.province_keys()])
    several = result.several
    currents = {k: catalog.current(k, today) for k in catalog.province_keys()}
    result.resting = [a.plan.province_name for a in currents.values()
                      if a is not None and not is_working_day(a.plan, today)]
    by_province: dict[str, list] = {}
    department: list = []
    for g in groups:
        if g.scope == "department":
            department.append(g)
        else:
            by_province.setdefault(g.province_key or only or "", []).append(g)
    for key in [k for k in by_province if k not in currents]:
        result.unplanned.append(key or "?")
        log.warning("%d group(s) of province %r: no plan of that province is loaded",
                    len(by_province[key]), key)
    due: dict[str, list[Trigger]] = {}   # each province's triggers, computed once

    def due_of(plan: Plan) -> list[Trigger]:
        if plan.province_key not in due:
            due[plan.province_key] = triggers(plan, today)   # [] on the plan's holidays
        return due[plan.province_key]

    for key, active in currents.items():
        members = by_province.get(key)
        if not members or active is None:
            continue
        result.out.extend(_province_round(session, active, members, today, several,
                                          due_of(active.plan)))
    if department:
        plans_now = [a.plan for a in currents.values() if a is not None]
        national = None
        if national_working_day(plans_now, today) and any(due_of(p) for p in plans_now):
            national = national_day(plans_now, national_summary(session, catalog, today),
                                    today, due_of)
        if national is not None:
            reply = render_national(national)
            result.out.extend(Outgoing(
                g.group_id, "department", None, DEPARTMENT_LABEL, reply, national.urgent,
                tuple(national.milestone_keys), None, None, national.days_to_deadline,
                national.behind) for g in department)
    return result


def _province_round(session: Session, active: ActivePlan, members: list,
                    today: dt.date, several: bool, due: list[Trigger]) -> list[Outgoing]:
    """One province's part of the round: its district and province groups (``due``: the
    plan's triggers today, none on its holidays). The statuses are the API's and the cards'
    (``load_board``), measured on the round's day."""
    plan = active.plan
    if not due:
        return []
    counts = counters(session, active.id)
    statuses = load_board(session, active.id, plan,
                          dt.datetime.combine(today, dt.time(), tzinfo=BANGKOK), counts)
    reminders = plan_day(plan, counts, today, due=due, board=statuses)
    by_district: dict[str, Reminder] = {r.district.key: r for r in reminders
                                        if r.scope == "district"}
    province = next((r for r in reminders if r.scope == "province"), None)
    rendered: dict[str, Reply] = {}
    order = {d.key: n for n, d in enumerate(plan.districts)}
    where = f" จังหวัด{plan.province_name}" if several else ""
    out = []
    for g in members:
        r = province if g.scope == "province" else by_district.get(g.district_key or "")
        if r is None:
            continue
        key = r.district.key if r.district else "*province*"
        if key not in rendered:
            rendered[key] = render(r, plan.province_name)
        label = (f"อำเภอ{r.district.name}{where}" if r.district
                 else f"จังหวัด{plan.province_name}")
        out.append(Outgoing(g.group_id, r.scope, r.district.key if r.district else None, label,
                            rendered[key], r.urgent, tuple(r.milestone_keys),
                            plan.province_key, plan.province_name, r.days_to_deadline,
                            r.behind))
    out.sort(key=lambda o: (o.scope == "province", order.get(o.district_key, 99), o.group_id))
    return out


def outgoing(session: Session, plans: PlanCache, today: dt.date) -> list[Outgoing]:
    """Every group's message for ``today`` (see :func:`plan_round`)."""
    return plan_round(session, plans, today).out


# --------------------------------------------------------------------------- locking
def _poll(try_once, deadline: float, pause: float) -> bool:
    """Call ``try_once`` until it succeeds or ``deadline`` (time.monotonic()) has passed."""
    while True:
        if try_once():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)


@contextlib.contextmanager
def round_lock(engine: Engine, wait: float):
    """True when this process may run the round; False when another held it for ``wait`` s."""
    deadline = time.monotonic() + wait
    if engine.dialect.name == "postgresql":
        conn = engine.connect()

        def try_pg() -> bool:
            got = bool(conn.exec_driver_sql(
                f"SELECT pg_try_advisory_lock({REMINDER_LOCK_ID})").scalar())
            conn.commit()  # a session-level lock outlives the transaction
            return got

        try:
            got = _poll(try_pg, deadline, 0.2)
            try:
                yield got
            finally:
                if got:
                    conn.exec_driver_sql(f"SELECT pg_advisory_unlock({REMINDER_LOCK_ID})")
                    conn.commit()
        finally:
            conn.close()
        return
    db = sqlite_file(engine)
    if db is None:
        yield True
        return
    with open(Path(db + ".reminders-lock"), "w") as fh:
        def try_file() -> bool:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                return False

        got = _poll(try_file, deadline, 0.1)
        try:
            yield got
        finally:
            if got:
                fcntl.flock(fh, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the round
class Rounds:
    def __init__(self, engine: Engine, sessions: sessionmaker[Session], line: Line,
                 plans: PlanCache | None = None, settings: Settings | None = None):
        self.engine, self.sessions, self.line = engine, sessions, line
        self.plans = plans or PlanCache()
        self.settings = settings or Settings()
        self._rng = random.Random()
        self._rng_lock = threading.Lock()

    # --- preview -------------------------------------------------------------------
    def preview(self, today: dt.date) -> tuple[list[Outgoing], dict[str, str]]:
        """What a round on ``today`` would send, and the ledger status of groups already there.

        A group whose delivery is already in the ledger and still ``pending`` shows the stored
        payload: a round resends exactly that, never a newer text."""
        plan, status = self.plan(today)
        return plan.out, status

    def plan(self, today: dt.date) -> tuple[RoundPlan, dict[str, str]]:
        """:meth:`preview` with the provinces of the round (which rest today)."""
        with self.sessions() as s:
            plan = plan_round(s, self.plans, today)
            rows = {r.group_id: r for r in s.scalars(
                select(ReminderDelivery).where(ReminderDelivery.day == today))}
        plan.out = [dataclasses.replace(o, reply=from_payload(rows[o.group_id].payload))
                    if o.group_id in rows and rows[o.group_id].status == "pending" else o
                    for o in plan.out]
        return plan, {g: r.status for g, r in rows.items()}

    # --- run -----------------------------------------------------------------------
    def run(self, today: dt.date) -> RoundReport:
        report = RoundReport(today)
        if not self.line.enabled:
            report.skipped = "no LINE_CHANNEL_ACCESS_TOKEN: nothing is sent"
            log.warning(report.summary())
            return report
        with round_lock(self.engine, self.settings.lock_wait) as got:
            if not got:
                report.skipped = "another clock holds the round lock"
                log.warning(report.summary())
                return report
            self._prepare(today, report)
            self._push_pending(today, report)
        log.info(report.summary())
        return report

    def _insert(self, session: Session):
        return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert

    def _prepare(self, today: dt.date, report: RoundReport) -> None:
        """Write today's ledger rows (pending, or dropped for the quota) and commit them."""
        with self.sessions() as s:
            plan = plan_round(s, self.plans, today)
            rows = {r.group_id: r for r in s.scalars(
                select(ReminderDelivery).where(ReminderDelivery.day == today))}
        out = plan.out
        report.planned = len(out)
        report.resting = plan.resting
        eligible = {o.group_id for o in out}
        # written (and so pushed) most urgent first
        new = sorted((o for o in out if o.group_id not in rows), key=lambda o: o.rank)
        report.delivered_before = sum(1 for o in out if o.group_id in rows
                                      and rows[o.group_id].status == "sent")
        # pending rows of groups muted or gone since they were written get nothing either
        gone = [r for r in rows.values() if r.status == "pending" and r.group_id not in eligible
                and self._group_gone(r.group_id)]
        waiting = [(r.group_id, bool(r.urgent), payload_rank(bool(r.urgent), r.payload))
                   for r in rows.values() if r.status == "pending" and r not in gone]
        drop = self._over_quota(waiting + [(o.group_id, o.urgent, o.rank) for o in new], report)
        with self.sessions() as s, s.begin():
            if new:
                stmt = self._insert(s)(ReminderDelivery).values([
                    {"group_id": o.group_id, "day": today, "retry_key": str(uuid.uuid4()),
                     "payload": o.payload(), "urgent": o.urgent, "attempts": 0,
                     "status": "dropped" if o.group_id in drop else "pending",
                     "error": drop.get(o.group_id), "created_at": utcnow()} for o in new])
                s.execute(stmt.on_conflict_do_nothing(index_elements=["group_id", "day"]))
            for r in gone:
                s.execute(update(ReminderDelivery).where(
                    ReminderDelivery.id == r.id, ReminderDelivery.status == "pending")
                    .values(status="dropped", error="group muted or left before sending"))
            for gid, _, _ in waiting:
                if gid in drop:
                    s.execute(update(ReminderDelivery).where(
                        ReminderDelivery.group_id == gid, ReminderDelivery.day == today,
                        ReminderDelivery.status == "pending")
                        .values(status="dropped", error=drop[gid]))
        report.dropped = len(drop) + len(gone)
        for gid, why in drop.items():
            log.warning("reminder for %s on %s dropped: %s", gid, today, why)

    def _group_gone(self, group_id: str) -> bool:
        with self.sessions() as s:
            g = s.get(Group, group_id)
            return g is None or g.muted or g.left_at is not None or g.scope is None

    def _over_quota(self, candidates: list[tuple[str, bool, tuple]], report: RoundReport
                    ) -> dict[str, str]:
        """{group_id: reason} of the deliveries to drop so that the round fits the quota.

        A round that does not fit sends only urgent reminders, across every province, in
        :func:`rank` order (the nearest deadline, then the furthest behind) while they fit; the
        rest of the round (every non-urgent one, and urgent ones the quota cannot carry) is
        recorded ``dropped``. Quota kept for the rest of the month serves later urgent ones."""
        if not candidates:
            return {}
        quota = self.line.quota()
        report.quota = quota
        if quota is None:
            log.warning("LINE quota unknown: sending the round without a quota check")
            return {}
        limit, used = quota
        if limit is None:
            return {}
        remaining = max(limit - used, 0)
        if len(candidates) * MAX_GROUP_MEMBERS <= remaining:
            return {}  # fits even if every group were full: no need to count members
        with ThreadPoolExecutor(self.settings.workers) as pool:
            counts = list(pool.map(self.line.group_member_count,
                                   [g for g, _, _ in candidates]))
        costs = {g: (n if n is not None else self.settings.unknown_members)
                 for (g, _, _), n in zip(candidates, counts)}
        total = sum(costs.values())
        report.estimate = total
        if total <= remaining:
            return {}
        why = f"quota: round needs ~{total:,} messages, {remaining:,} left this month"
        log.warning("%s: sending only urgent reminders", why)
        drop, budget = {}, remaining
        for gid, urgent, _ in sorted(candidates, key=lambda c: c[2]):
            if urgent and costs[gid] <= budget:
                budget -= costs[gid]
            else:
                drop[gid] = why if urgent is False else why + " (even for urgent ones)"
        return drop

    def _push_pending(self, today: dt.date, report: RoundReport) -> None:
        """Claim today's pending rows, push them on a small pool, record outcomes in batches.

        A push happens only for a row this run claimed; an outcome not yet recorded when the
        process dies is found again as ``pending`` and re-pushed with its key (LINE: 409)."""
        with self.sessions() as s:
            rows = s.execute(select(ReminderDelivery.id, ReminderDelivery.group_id,
                                    ReminderDelivery.retry_key, ReminderDelivery.payload,
                                    ReminderDelivery.attempts)
                             .where(ReminderDelivery.day == today,
                                    ReminderDelivery.status == "pending")
                             .order_by(ReminderDelivery.urgent.desc(), ReminderDelivery.id)).all()
        if not rows:
            return
        with self.sessions() as s, s.begin():  # one transaction, one claim per row
            mine = [row for row in rows if s.execute(update(ReminderDelivery).where(
                ReminderDelivery.id == row.id, ReminderDelivery.status == "pending",
                ReminderDelivery.attempts == row.attempts)
                .values(attempts=row.attempts + 1)).rowcount == 1]
        buffer: list[dict] = []
        last_flush = time.monotonic()
        with ThreadPoolExecutor(max(1, self.settings.workers),
                                thread_name_prefix="reminder") as pool:
            futures = [pool.submit(self._deliver, *row) for row in mine]
            try:
                for fut in as_completed(futures):
                    outcome, values = fut.result()
                    buffer.append(values)
                    report.sent += outcome == "sent"
                    report.delivered_before += outcome == "duplicate"
                    report.failed += outcome == "failed"
                    report.pending += outcome == "pending"
                    if values["error"]:
                        report.errors.append(f"{values['group_id']}: {values['error']}")
                    if len(buffer) >= 100 or time.monotonic() - last_flush > 0.5:
                        self._record(buffer)
                        buffer, last_flush = [], time.monotonic()
            except BaseException:
                pool.shutdown(wait=True, cancel_futures=True)
                self._record(buffer)  # what LINE did answer is still worth keeping
                raise
        self._record(buffer)

    def _record(self, outcomes: list[dict]) -> None:
        if not outcomes:
            return
        with self.sessions() as s, s.begin():
            for v in outcomes:
                values = {k: v[k] for k in ("status", "attempts", "error", "sent_at")
                          if k in v}
                s.execute(update(ReminderDelivery).where(ReminderDelivery.id == v["id"])
                          .values(**values))

    def _deliver(self, row_id: int, group_id: str, retry_key: str, payload: dict,
                 seen: int) -> tuple[str, dict]:
        """Push with the row's key until LINE answers (or the tries run out)."""
        reply = from_payload(payload)
        st = self.settings
        tries = 0
        while True:
            tries += 1
            res = self.line.push(group_id, reply, retry_key)
            if res.status in ("sent", "duplicate", "failed") or tries >= st.attempts:
                break
            delay = min(st.backoff * 2 ** (tries - 1), st.max_backoff)
            with self._rng_lock:
                delay *= 0.5 + self._rng.random()
            time.sleep(delay)
        ok = res.status in ("sent", "duplicate")
        error = None if ok else (f"HTTP {res.http_status}: {res.error}" if res.http_status
                                 else str(res.error))
        status = "sent" if ok else "failed" if res.status == "failed" else "pending"
        values = {"id": row_id, "group_id": group_id, "status": status,
                  "attempts": seen + tries, "error": error}
        if ok:
            values["sent_at"] = utcnow()
        else:
            log.warning("reminder to %s: %s after %d tries (%s)", group_id, status, tries, error)
        return (res.status if ok else status), values
