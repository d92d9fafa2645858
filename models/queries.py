"""The few queries that matter: record/undo/amend an entry with its running totals, and totals.

Totals read the ``progress`` counters (one row per indicator × district × category), so their
cost does not grow with the number of entries.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from models import Entry, Group, LineUser, Progress, utcnow


@dataclass(frozen=True)
class Total:
    done: int
    target: int | None

    @property
    def remaining(self) -> int | None:
        return None if self.target is None else max(self.target - self.done, 0)

    @property
    def ratio(self) -> float | None:
        return None if not self.target else self.done / self.target


def _bump(session: Session, entry: Entry, delta: int) -> None:
    # one row at a time, always the indicator row first: concurrent writers lock in one order
    for cat in [""] + ([entry.category_key] if entry.category_key else []):
        session.execute(
            update(Progress)
            .where(Progress.plan_id == entry.plan_id, Progress.indicator_key == entry.indicator_key,
                   Progress.district_key == entry.district_key, Progress.category_key == cat)
            .values(done=Progress.done + delta))


def record_entry(session: Session, **fields) -> Entry:
    """Insert an entry and add it to the totals, in the caller's transaction."""
    entry = Entry(**fields)
    session.add(entry)
    session.flush()  # a repeated event_id fails here, before the totals move
    _bump(session, entry, entry.amount)
    return entry


def latest_entry_of(session: Session, plan_id: int, user_id: str) -> Entry | None:
    return session.scalar(
        select(Entry).where(Entry.plan_id == plan_id, Entry.user_id == user_id,
                            Entry.undone_at.is_(None))
        .order_by(Entry.id.desc()).limit(1).with_for_update())


def undo_entry(session: Session, entry: Entry, by_event: str, at: dt.datetime) -> bool:
    """Mark undone (at the caller's clock) and subtract; False when it was undone already."""
    res = session.execute(update(Entry).where(Entry.id == entry.id, Entry.undone_at.is_(None))
                          .values(undone_at=at, undone_by=by_event))
    if res.rowcount != 1:
        return False
    _bump(session, entry, -entry.amount)
    return True


def amend_entry(session: Session, entry: Entry, amount: int) -> int:
    """Change an entry's amount; returns the old amount."""
    old = entry.amount
    session.execute(update(Entry).where(Entry.id == entry.id)
                    .values(amount=amount, amended_from=old))
    _bump(session, entry, amount - old)
    entry.amount = amount
    return old


def counters(session: Session, plan_id: int, indicator_key: str | None = None
             ) -> dict[tuple[str, str, str], int]:
    """{(indicator, district, category): done} for the plan (category '' = whole indicator)."""
    q = select(Progress.indicator_key, Progress.district_key, Progress.category_key,
               Progress.done).where(Progress.plan_id == plan_id)
    if indicator_key:
        q = q.where(Progress.indicator_key == indicator_key)
    return {(i, d, c): int(n) for i, d, c, n in session.execute(q)}


def district_done(session: Session, plan_id: int, indicator_key: str, district_key: str) -> int:
    return int(session.scalar(select(Progress.done).where(
        Progress.plan_id == plan_id, Progress.indicator_key == indicator_key,
        Progress.district_key == district_key, Progress.category_key == "")) or 0)


def recent_amounts(session: Session, plan_id: int, since: dt.datetime
                   ) -> dict[tuple[str, str], int]:
    """{(indicator, district): amount logged since ``since``} of entries not undone.
    Reads only the recent rows (index on plan_id, created_at)."""
    q = (select(Entry.indicator_key, Entry.district_key, func.sum(Entry.amount))
         .where(Entry.plan_id == plan_id, Entry.created_at >= since, Entry.undone_at.is_(None))
         .group_by(Entry.indicator_key, Entry.district_key))
    return {(i, d): int(n or 0) for i, d, n in session.execute(q)}


def _insert(session: Session):
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def touch_user(session: Session, user_id: str, group_id: str | None, now: dt.datetime) -> LineUser:
    """Remember a user and (for a bound district group) the group they were last seen in.
    An upsert: two first messages of one user at the same instant both succeed."""
    changes = {"last_seen_at": now, **({"last_group_id": group_id} if group_id else {})}
    stmt = _insert(session)(LineUser).values(user_id=user_id, **changes)
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_=changes))
    return session.get(LineUser, user_id, populate_existing=True)


def get_group(session: Session, group_id: str) -> Group | None:
    return session.get(Group, group_id)


def bind_group(session: Session, group_id: str, scope: str, district_key: str | None,
               by: str | None) -> Group:
    group = session.get(Group, group_id)
    if group is None:
        group = Group(group_id=group_id, joined_at=utcnow(), muted=False)
        session.add(group)
    group.scope, group.district_key = scope, district_key
    group.bound_by, group.bound_at, group.left_at = by, utcnow(), None
    session.flush()
    return group
