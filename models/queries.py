"""The few queries that matter: record/undo/amend an entry with its running totals, and totals.

Totals read the ``progress`` counters (one row per indicator × district × category), so their
cost does not grow with the number of entries.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.timeutil import as_utc
from models import (BotMessage, ChatNotice, Entry, FailedEvent, Group, LineUser,
                    PendingConfirmation, PlanRecord, Progress, utcnow)


_progress = Progress.__table__
_BUMP = {  # compiled once: the hot path only binds values
    n: (update(_progress)
        .where(_progress.c.plan_id == bindparam("p"), _progress.c.indicator_key == bindparam("i"),
               _progress.c.district_key == bindparam("d"),
               _progress.c.category_key.in_([bindparam(f"c{k}") for k in range(n)]))
        .values(done=_progress.c.done + bindparam("delta"))
        .returning(_progress.c.category_key, _progress.c.done))
    for n in (1, 2)}
_INSERT_ENTRY = Entry.__table__.insert()


def _bump(session: Session, plan_id: int, indicator: str, district: str, category: str | None,
          delta: int) -> dict[str, int]:
    """Add to the indicator's counter and its category's, in one statement; returns the new
    values {category ('' = the whole indicator): done}. (On PostgreSQL the primary-key scan
    locks '' before any category key: concurrent writers lock in one order.)"""
    cats = [""] + ([category] if category else [])
    params = {"p": plan_id, "i": indicator, "d": district, "delta": delta,
              **{f"c{k}": c for k, c in enumerate(cats)}}
    return {c: int(n) for c, n in session.connection().execute(_BUMP[len(cats)], params)}


def record_entry(session: Session, **fields) -> tuple[int, int]:
    """Insert an entry and add it to the totals, in the caller's transaction; returns (the new
    entry's id, the district's new total of the indicator). A repeated event_id raises
    IntegrityError here and the caller's transaction rolls back whole."""
    fields.setdefault("created_at", utcnow())
    fields.setdefault("message_id", None)
    entry_id = session.connection().execute(_INSERT_ENTRY, fields).inserted_primary_key[0]
    return entry_id, _bump(session, fields["plan_id"], fields["indicator_key"],
                           fields["district_key"], fields.get("category_key"),
                           fields["amount"]).get("", 0)


def latest_entry_of(session: Session, plan_id: int, user_id: str, indicator: str | None = None,
                    category: str | None = None) -> Entry | None:
    """The user's latest entry not undone; of ``indicator`` (and ``category``) when named."""
    q = select(Entry).where(Entry.plan_id == plan_id, Entry.user_id == user_id,
                            Entry.undone_at.is_(None))
    if indicator:
        q = q.where(Entry.indicator_key == indicator)
    if category:
        q = q.where(Entry.category_key == category)
    return session.scalar(q.order_by(Entry.id.desc()).limit(1).with_for_update())


def own_total(session: Session, plan_id: int, user_id: str, indicator: str, district: str,
              category: str | None) -> int:
    """What the user has recorded so far (not undone) for the indicator (and category) in the
    district: the base a running total ("รวม 130") is compared with."""
    q = select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.plan_id == plan_id, Entry.user_id == user_id, Entry.indicator_key == indicator,
        Entry.district_key == district, Entry.undone_at.is_(None))
    if category:
        q = q.where(Entry.category_key == category)
    return int(session.scalar(q) or 0)


_e = Entry.__table__
_RECENT_SAME = {  # compiled once (the hot path of every log): with and without a category.
    # Reads the user's entries of the last minutes through ix_entries_user_created: the cost
    # does not grow with the user's history.
    with_cat: select(func.max(_e.c.created_at)).where(
        _e.c.user_id == bindparam("u"), _e.c.created_at >= bindparam("since"),
        _e.c.plan_id == bindparam("p"), _e.c.indicator_key == bindparam("i"),
        _e.c.amount == bindparam("a"), _e.c.undone_at.is_(None),
        _e.c.category_key == bindparam("c") if with_cat else _e.c.category_key.is_(None))
    for with_cat in (False, True)}


def recent_same(session: Session, plan_id: int, user_id: str, indicator: str, amount: int,
                category: str | None, since: dt.datetime) -> dt.datetime | None:
    """When the user recorded the same indicator, amount and category since ``since`` (not
    undone), or None: a log sent twice."""
    return session.connection().execute(_RECENT_SAME[bool(category)], {
        "p": plan_id, "u": user_id, "i": indicator, "a": amount, "c": category,
        "since": since}).scalar()


def entry_of_message(session: Session, plan_id: int, message_id: str) -> Entry | None:
    """The entry a LINE message is about: the log message itself, or the bot's answer to it."""
    entry = session.scalar(select(Entry).where(Entry.plan_id == plan_id,
                                               Entry.message_id == message_id)
                           .order_by(Entry.id.desc()).limit(1))
    if entry is not None:
        return entry
    return session.scalar(select(Entry).join(BotMessage, BotMessage.entry_id == Entry.id)
                          .where(BotMessage.message_id == message_id, Entry.plan_id == plan_id))


_INSERT_BOT_MESSAGE = BotMessage.__table__.insert()


def keep_bot_messages(session: Session, rows: list[dict]) -> None:
    """Rows of (message_id, chat_id, entry_id, created_at): LINE's ids of the bot's answers."""
    known = set(session.scalars(select(BotMessage.message_id).where(
        BotMessage.message_id.in_([r["message_id"] for r in rows]))))
    fresh = [r for r in rows if r["message_id"] not in known]
    if fresh:
        session.connection().execute(_INSERT_BOT_MESSAGE, fresh)


_pc = PendingConfirmation.__table__
_SUPERSEDE = {  # one statement, compiled once: every command of every officer runs it
    by_message: update(_pc).where(
        _pc.c.chat_id == bindparam("chat"), _pc.c.user_id == bindparam("user"),
        _pc.c.resolved_at.is_(None), _pc.c.expires_at > bindparam("now"),
        *([_pc.c.message_id == bindparam("m")] if by_message else []))
    .values(resolved_at=bindparam("now"), resolution=bindparam("res"))
    .returning(_pc.c.id, _pc.c.text)
    for by_message in (False, True)}


def supersede_pending(session: Session, chat_id: str, user_id: str, at: dt.datetime,
                      resolution: str = "superseded", message_id: str | None = None
                      ) -> list[tuple[int, str]]:
    """Close the user's open prompts in the chat (all of them; with ``message_id`` only the
    prompt of that message), in one statement; returns (id, text) of those closed."""
    rows = session.connection().execute(_SUPERSEDE[message_id is not None], {
        "chat": chat_id, "user": user_id, "now": at, "res": resolution, "m": message_id})
    return [(r.id, r.text) for r in rows]


def add_notice(session: Session, chat_id: str, text: str, at: dt.datetime) -> None:
    session.add(ChatNotice(chat_id=chat_id, text=text, created_at=at))


_cn = ChatNotice.__table__
_OPEN_NOTICES = select(_cn.c.id, _cn.c.text).where(
    _cn.c.chat_id == bindparam("chat"), _cn.c.delivered_at.is_(None)).order_by(_cn.c.id).limit(3)
_DELIVERED = update(_cn).where(_cn.c.id.in_(bindparam("ids", expanding=True))).values(
    delivered_at=bindparam("now"))


def take_notices(session: Session, chat_id: str, at: dt.datetime) -> list[str]:
    """The chat's notices not yet carried by a reply (three at most, oldest first), marked
    delivered."""
    rows = session.connection().execute(_OPEN_NOTICES, {"chat": chat_id}).all()
    if rows:
        session.connection().execute(_DELIVERED, {"ids": [r.id for r in rows], "now": at})
    return [r.text for r in rows]


def undo_entry(session: Session, entry: Entry, by_event: str, at: dt.datetime) -> bool:
    """Mark undone (at the caller's clock) and subtract; False when it was undone already."""
    res = session.execute(update(Entry).where(Entry.id == entry.id, Entry.undone_at.is_(None))
                          .values(undone_at=at, undone_by=by_event))
    if res.rowcount != 1:
        return False
    _bump(session, entry.plan_id, entry.indicator_key, entry.district_key, entry.category_key,
          -entry.amount)
    return True


def amend_entry(session: Session, entry: Entry, amount: int) -> int:
    """Change an entry's amount; returns the old amount."""
    old = entry.amount
    session.execute(update(Entry).where(Entry.id == entry.id)
                    .values(amount=amount, amended_from=old))
    _bump(session, entry.plan_id, entry.indicator_key, entry.district_key, entry.category_key,
          amount - old)
    entry.amount = amount
    return old


_COUNTERS = select(_progress.c.indicator_key, _progress.c.district_key, _progress.c.category_key,
                   _progress.c.done).where(_progress.c.plan_id == bindparam("p"))
_COUNTERS_OF = _COUNTERS.where(_progress.c.indicator_key == bindparam("i"))


def counters(session: Session, plan_id: int, indicator_key: str | None = None
             ) -> dict[tuple[str, str, str], int]:
    """{(indicator, district, category): done} for the plan (category '' = whole indicator)."""
    if indicator_key:
        rows = session.connection().execute(_COUNTERS_OF, {"p": plan_id, "i": indicator_key})
    else:
        rows = session.connection().execute(_COUNTERS, {"p": plan_id})
    return {(i, d, c): int(n) for i, d, c, n in rows}


_NAME = select(LineUser.__table__.c.display_name).where(
    LineUser.__table__.c.user_id == bindparam("u"))


def display_name(session: Session, user_id: str | None) -> str | None:
    if not user_id:
        return None
    return session.connection().execute(_NAME, {"u": user_id}).scalar()


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


def _touch(insert, with_group: bool):
    cols = {"user_id": bindparam("u"), "last_seen_at": bindparam("at")}
    if with_group:
        cols["last_group_id"] = bindparam("g")
    stmt = insert(LineUser.__table__).values(**cols)
    return stmt.on_conflict_do_update(index_elements=["user_id"], set_={
        k: stmt.excluded[k] for k in cols if k != "user_id"})


_TOUCH = {(name, g): _touch(insert, g) for name, insert in
          (("postgresql", pg_insert), ("sqlite", sqlite_insert)) for g in (False, True)}


def touch_user(session: Session, user_id: str, group_id: str | None, now: dt.datetime) -> None:
    """Remember a user and (for a bound district group) the group they were last seen in.
    An upsert: two first messages of one user at the same instant both succeed."""
    conn = session.connection()
    conn.execute(_TOUCH[(conn.dialect.name, bool(group_id))],
                 {"u": user_id, "at": now, "g": group_id})
    cached = session.identity_map.get(session.identity_key(LineUser, user_id))
    if cached is not None:  # keep a loaded row in step with what was written
        session.expire(cached)


@dataclass(frozen=True)
class GroupView:
    """What a message needs to know of its group (read with one Core query, no ORM state),
    and whether the sender has a prompt open there and the chat a notice waiting: the common
    message then needs no statement to close prompts or collect notices."""
    group_id: str
    scope: str | None
    province_key: str | None
    district_key: str | None
    muted: bool
    has_prompt: bool = True
    has_notice: bool = True


_g = Group.__table__
_OPEN_PROMPT = select(_pc.c.id).where(
    _pc.c.chat_id == _g.c.group_id, _pc.c.user_id == bindparam("u"),
    _pc.c.resolved_at.is_(None), _pc.c.expires_at > bindparam("now")).exists()
_NOTICE = select(_cn.c.id).where(_cn.c.chat_id == _g.c.group_id,
                                 _cn.c.delivered_at.is_(None)).exists()
_GROUP = select(_g.c.group_id, _g.c.scope, _g.c.province_key, _g.c.district_key, _g.c.muted,
                _OPEN_PROMPT, _NOTICE).where(_g.c.group_id == bindparam("g"))


def group_view(session: Session, group_id: str, user_id: str | None,
               now: dt.datetime) -> GroupView | None:
    row = session.connection().execute(
        _GROUP, {"g": group_id, "u": user_id or "", "now": now}).first()
    return GroupView(*row[:5], bool(row[5]), bool(row[6])) if row else None


_lu = LineUser.__table__
_GROUP_PROVINCE = select(_g.c.province_key).where(_g.c.group_id == bindparam("g"))
_USER_PROVINCE = select(_g.c.province_key).select_from(
    _lu.join(_g, _g.c.group_id == _lu.c.last_group_id)).where(_lu.c.user_id == bindparam("u"))


_REGISTERED_PROVINCE = select(_lu.c.registered_province).where(_lu.c.user_id == bindparam("u"))


def chat_province(session: Session, group_id: str | None, user_id: str | None) -> str | None:
    """The province a chat belongs to: a bound group's; in 1:1 the officer's last district
    group's, else the province they registered in, else the one province where they hold a
    role (a province admin who writes in the province's group only)."""
    conn = session.connection()
    if group_id:
        return conn.execute(_GROUP_PROVINCE, {"g": group_id}).scalar()
    if not user_id:
        return None
    found = conn.execute(_USER_PROVINCE, {"u": user_id}).scalar() or \
        conn.execute(_REGISTERED_PROVINCE, {"u": user_id}).scalar()
    if found:
        return found
    from models import Role
    held = conn.execute(select(Role.province_key).distinct().where(
        Role.user_id == user_id, Role.revoked_at.is_(None)).limit(2)).scalars().all()
    return held[0] if len(held) == 1 else None


def get_group(session: Session, group_id: str) -> Group | None:
    return session.get(Group, group_id)


def bind_group(session: Session, group_id: str, scope: str, district_key: str | None,
               by: str | None, province_key: str | None = None) -> Group:
    """Bind a group: scope district (in a province), province, or department. A district or
    province group with no province named gets the only province that has plans."""
    if province_key is None and scope in ("district", "province"):
        provinces = session.scalars(select(PlanRecord.province_key).distinct().where(
            PlanRecord.province_key.not_like("%~%")).limit(2)).all()  # not set-apart copies
        if len(provinces) != 1:
            raise ValueError("several provinces have plans: name the group's province")
        province_key = provinces[0]
    group = session.get(Group, group_id)
    if group is None:
        group = Group(group_id=group_id, joined_at=utcnow(), muted=False)
        session.add(group)
    group.scope, group.province_key, group.district_key = scope, province_key, district_key
    group.bound_by, group.bound_at, group.left_at = by, utcnow(), None
    session.flush()
    return group


def record_failure(session: Session, event_id: str, event_type: str, chat_id: str | None,
                   user_id: str | None, text: str | None, raw: str, error: str,
                   at: dt.datetime) -> None:
    """Keep an event whose handling raised (again: one more attempt)."""
    failed = session.get(FailedEvent, event_id)
    if failed is None:
        session.add(FailedEvent(event_id=event_id, event_type=event_type, chat_id=chat_id,
                                user_id=user_id, text=text, raw=raw, error=error, attempts=1,
                                failed_at=at, status="failed"))
    else:
        failed.attempts += 1
        failed.error, failed.failed_at, failed.status, failed.resolved_at = error, at, "failed", None


_fe = FailedEvent.__table__
_RESOLVE_FAILURE = update(_fe).where(_fe.c.event_id == bindparam("e"),
                                     _fe.c.status == "failed").values(
    status=bindparam("status"), resolved_at=bindparam("now"))


def resolve_failure(session: Session, event_id: str, status: str, at: dt.datetime) -> None:
    """A failed event took effect after all (replayed, or redelivered by LINE)."""
    session.connection().execute(_RESOLVE_FAILURE, {"e": event_id, "status": status, "now": at})


def failure_counts(session: Session) -> tuple[int, dt.datetime | None]:
    """(failed events waiting for a replay, when the oldest failed)."""
    n, oldest = session.execute(select(func.count(), func.min(FailedEvent.failed_at)).where(
        FailedEvent.status == "failed")).one()
    return int(n), oldest


# --------------------------------------------------------------------------- status inputs
LAST_ENTRIES_CHUNK = 30   # pairs per statement: one compiled statement serves every plan


@functools.lru_cache(maxsize=1)
def _last_entries_statement():
    """One SELECT of LAST_ENTRIES_CHUNK scalar subqueries, the (indicator, district) of each
    bound: built and compiled once per process, whatever the plans' shapes."""
    e = Entry.__table__
    return select(*[
        select(e.c.created_at)
        .where(e.c.plan_id == bindparam("p"), e.c.indicator_key == bindparam(f"i{n}"),
               e.c.district_key == bindparam(f"d{n}"), e.c.undone_at.is_(None))
        .order_by(e.c.id.desc()).limit(1).scalar_subquery().label(f"t{n}")
        for n in range(LAST_ENTRIES_CHUNK)])


def last_entries(session: Session, plan_id: int, plan) -> dict[tuple[str, str], dt.datetime]:
    """{(indicator, district): the created_at of the latest entry not undone}, for every
    indicator and district of ``plan``: one statement per LAST_ENTRIES_CHUNK pairs, one index
    probe per pair (ix_entries_plan_indicator_district)."""
    pairs = [(i.key, d.key) for i in plan.indicators for d in plan.districts]
    out = {}
    for lo in range(0, len(pairs), LAST_ENTRIES_CHUNK):
        chunk = pairs[lo:lo + LAST_ENTRIES_CHUNK]
        padded = chunk + [chunk[-1]] * (LAST_ENTRIES_CHUNK - len(chunk))
        params = {"p": plan_id}
        for n, (i, d) in enumerate(padded):
            params[f"i{n}"], params[f"d{n}"] = i, d
        row = session.connection().execute(_last_entries_statement(), params).one()
        for pair, t in zip(chunk, row):
            if t is not None:
                out[pair] = as_utc(t)
    return out


def load_board(session: Session, plan_id: int, plan, now: dt.datetime,
               counts: dict[tuple[str, str, str], int] | None = None):
    """The plan's statuses (bot.core.status.Board) as they stand at ``now`` (aware; a closed
    fiscal year is measured at its end, bot.core.plans.as_of). ``counts``: the counters when
    the caller has read them already."""
    from bot.core.plans import as_of
    from bot.core.status import board
    at = as_of(plan.fiscal_year, now)
    if counts is None:
        counts = counters(session, plan_id)
    return board(plan, counts, last_entries(session, plan_id, plan), at.date(), at.tzinfo)


@dataclass(frozen=True)
class Officer:
    """A registered officer and when they last logged (for "who has not reported")."""
    user_id: str
    display_name: str | None
    district_key: str
    last_entry_at: dt.datetime | None     # aware UTC; any indicator of the plan
    groups: int                           # savings groups logged (the "1 พัฒนากร 1 กลุ่ม" campaign)


def officers_activity(session: Session, plan_id: int, province_key: str,
                      district_key: str | None = None, savings_key: str = "savings"
                      ) -> list[Officer]:
    """Every registered officer of the province (or district) with their latest entry of the
    plan and the savings groups they logged, in one statement."""
    e, u = Entry.__table__, LineUser.__table__
    last = (select(func.max(e.c.created_at))
            .where(e.c.user_id == u.c.user_id, e.c.plan_id == plan_id, e.c.undone_at.is_(None))
            .scalar_subquery())
    groups = (select(func.coalesce(func.sum(e.c.amount), 0))
              .where(e.c.user_id == u.c.user_id, e.c.plan_id == plan_id,
                     e.c.indicator_key == savings_key, e.c.undone_at.is_(None))
              .scalar_subquery())
    q = (select(u.c.user_id, u.c.display_name, u.c.registered_district, last, groups)
         .where(u.c.registered_province == province_key, u.c.registered_district.is_not(None)))
    if district_key is not None:
        q = q.where(u.c.registered_district == district_key)
    out = []
    for uid, name, district, t, n in session.connection().execute(q):
        out.append(Officer(uid, name, district, as_utc(t), int(n or 0)))
    return out


# --------------------------------------------------------------------------- who changed it
def mark_changed(session: Session, entry_id: int, by: str | None, at: dt.datetime) -> None:
    """Who edited or undid an entry (a LINE userId, or "cli:<os user>"), and when; with
    ``amended_from`` the entry keeps who changed it, when and from what."""
    session.execute(update(Entry).where(Entry.id == entry_id)
                    .values(changed_by=(by or "?")[:100], changed_at=at))


# --------------------------------------------------------------------------- a past day
# (the meeting brief of a past date: the progress counters hold only today's totals)
def _live(e, at: dt.datetime):
    """Entries made by ``at`` and not undone by then."""
    return and_(e.c.created_at <= at, or_(e.c.undone_at.is_(None), e.c.undone_at > at))


def entries_as_of(session: Session, plan_id: int, at: dt.datetime):
    """(counters, last entries) as they stood at ``at``, from the entries: one aggregate.
    (The progress counters hold only today's totals.) An amount corrected later counts with
    its corrected value."""
    e = Entry.__table__
    at = at.astimezone(dt.timezone.utc)
    q = (select(e.c.indicator_key, e.c.district_key, func.sum(e.c.amount), func.max(e.c.created_at))
         .where(e.c.plan_id == plan_id, _live(e, at))
         .group_by(e.c.indicator_key, e.c.district_key))
    counts, last = {}, {}
    for ind, district, n, t in session.connection().execute(q):
        counts[(ind, district, "")] = int(n or 0)
        if t is not None:
            last[(ind, district)] = as_utc(t)
    return counts, last


def officers_activity_as_of(session: Session, plan_id: int, province_key: str, at: dt.datetime,
                    savings_key: str = "savings") -> list[Officer]:
    """models.queries.officers_activity as it stood at ``at``: officers registered by then,
    with their latest entry and savings groups up to then."""
    e, u = Entry.__table__, LineUser.__table__
    at = at.astimezone(dt.timezone.utc)
    mine = (e.c.user_id == u.c.user_id, e.c.plan_id == plan_id, _live(e, at))
    last = select(func.max(e.c.created_at)).where(*mine).scalar_subquery()
    groups = (select(func.coalesce(func.sum(case((e.c.indicator_key == savings_key, e.c.amount),
                                                 else_=0)), 0))
              .where(*mine).scalar_subquery())
    q = (select(u.c.user_id, u.c.display_name, u.c.registered_district, last, groups)
         .where(u.c.registered_province == province_key, u.c.registered_district.is_not(None),
                or_(u.c.registered_at.is_(None), u.c.registered_at <= at)))
    return [Officer(uid, name, district, as_utc(t), int(n or 0))
            for uid, name, district, t, n in session.connection().execute(q)]
