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
reminders are sent and the others are recorded ``dropped``.
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
from bot.core.forecast import window_start
from bot.line.client import Line
from bot.line.messages import Reply
from bot.core.plans import PlanCache
from bot.timeutil import BANGKOK
from models import Group, ReminderDelivery, utcnow
from models.queries import counters, recent_amounts
from reminders.messages import from_payload, render, to_payload
from reminders.planner import Reminder, plan_day

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
    scope: str                  # district | province
    district_key: str | None
    label: str                  # อำเภอบ้านโป่ง | จังหวัดราชบุรี
    reply: Reply
    urgent: bool
    milestones: tuple[str, ...]

    def payload(self) -> dict:
        return to_payload(self.reply, scope=self.scope, district=self.district_key,
                          label=self.label, milestones=list(self.milestones))


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
def eligible_groups(session: Session) -> list[Group]:
    """Bound, not muted, still in the group."""
    return list(session.scalars(
        select(Group).where(Group.scope.in_(("district", "province")), Group.muted.is_(False),
                            Group.left_at.is_(None)).order_by(Group.group_id)))


def outgoing(session: Session, plans: PlanCache, today: dt.date) -> list[Outgoing]:
    """Every group's message for ``today`` (nothing is written or sent)."""
    active = plans.get(session).default(today)
    plan = active.plan
    recent = recent_amounts(session, active.id, window_start(today, BANGKOK))
    reminders = plan_day(plan, counters(session, active.id), today, recent)
    by_district: dict[str, Reminder] = {r.district.key: r for r in reminders
                                        if r.scope == "district"}
    province = next((r for r in reminders if r.scope == "province"), None)
    rendered: dict[str, Reply] = {}
    order = {d.key: n for n, d in enumerate(plan.districts)}
    out = []
    for g in eligible_groups(session):
        r = province if g.scope == "province" else by_district.get(g.district_key or "")
        if r is None:
            continue
        key = r.district.key if r.district else "*province*"
        if key not in rendered:
            rendered[key] = render(r, plan.province_name)
        label = f"อำเภอ{r.district.name}" if r.district else f"จังหวัด{plan.province_name}"
        out.append(Outgoing(g.group_id, r.scope, r.district.key if r.district else None, label,
                            rendered[key], r.urgent, tuple(r.milestone_keys)))
    out.sort(key=lambda o: (o.scope == "province", order.get(o.district_key, 99), o.group_id))
    return out


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
        with self.sessions() as s:
            out = outgoing(s, self.plans, today)
            rows = {r.group_id: r for r in s.scalars(
                select(ReminderDelivery).where(ReminderDelivery.day == today))}
        out = [dataclasses.replace(o, reply=from_payload(rows[o.group_id].payload))
               if o.group_id in rows and rows[o.group_id].status == "pending" else o
               for o in out]
        return out, {g: r.status for g, r in rows.items()}

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
            out = outgoing(s, self.plans, today)
            rows = {r.group_id: r for r in s.scalars(
                select(ReminderDelivery).where(ReminderDelivery.day == today))}
        report.planned = len(out)
        eligible = {o.group_id for o in out}
        new = [o for o in out if o.group_id not in rows]
        report.delivered_before = sum(1 for o in out if o.group_id in rows
                                      and rows[o.group_id].status == "sent")
        # pending rows of groups muted or gone since they were written get nothing either
        gone = [r for r in rows.values() if r.status == "pending" and r.group_id not in eligible
                and self._group_gone(r.group_id)]
        waiting = [(r.group_id, bool(r.urgent)) for r in rows.values()
                   if r.status == "pending" and r not in gone]
        drop = self._over_quota(waiting + [(o.group_id, o.urgent) for o in new], report)
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
            for gid, _ in waiting:
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

    def _over_quota(self, candidates: list[tuple[str, bool]], report: RoundReport
                    ) -> dict[str, str]:
        """{group_id: reason} of the deliveries to drop so that the round fits the quota."""
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
            counts = list(pool.map(self.line.group_member_count, [g for g, _ in candidates]))
        costs = {g: (n if n is not None else self.settings.unknown_members)
                 for (g, _), n in zip(candidates, counts)}
        total = sum(costs.values())
        report.estimate = total
        if total <= remaining:
            return {}
        why = f"quota: round needs ~{total:,} messages, {remaining:,} left this month"
        log.warning("%s: sending only urgent reminders", why)
        drop, budget = {}, remaining
        for gid, urgent in candidates:
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
