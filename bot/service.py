"""One webhook event → at most one effect, then the reply.

Each event runs in its own transaction that also inserts its ``webhookEventId`` into
``webhook_events`` (primary key), last, with the outcome: a redelivered or concurrently repeated
event fails that insert (or the entry's unique ``event_id``) and its whole transaction rolls
back, so it takes no effect. The entry and the event row commit together; LINE is called only
after the commit.
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import logging
import re
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import (DBAPIError, IntegrityError, OperationalError, SQLAlchemyError,
                            TimeoutError as PoolTimeout)

from bot import thai
from sqlalchemy.orm import Session, sessionmaker

from bot.db import write_lock
from bot.language import Command, Parser
from bot.line.client import REPLY_WINDOW, Line
from bot.line.messages import Reply
from bot.core.plans import ActivePlan, Catalog, PlanCache
from bot.timeutil import Clock
import handlers  # noqa: F401  (registers every handler)
from handlers.base import Context, Mentionee, dispatch, dispatch_postback
from handlers.help import GREETING, HELP
from handlers.undo import unsent
from models import FailedEvent, Group, LineUser, WebhookEvent, utcnow
from models.queries import (add_notice, chat_province, group_view, keep_bot_messages,
                            record_failure, resolve_failure, take_notices, touch_user)

log = logging.getLogger(__name__)
_TAKEN = select(WebhookEvent.__table__.c.event_id).where(
    WebhookEvent.__table__.c.event_id == bindparam("e"))
_INSERT_EVENT = WebhookEvent.__table__.insert()
NAME_TTL = dt.timedelta(days=1)
NAME_RETRY = dt.timedelta(minutes=10)  # a profile LINE did not give is asked for again after
SEEN_REFRESH = dt.timedelta(minutes=5)  # last-seen group/time written at most this often
SENT_FLUSH_SECONDS = 1.0  # the ids of the bot's answers are written at most this often
SENT_QUEUE_MAX = 10_000
GROUP_CACHE_MAX = 100_000  # groups whose province this process knows without a read
MAX_TEXT_CHARS = 2000  # longer texts are not commands; they are recorded as seen and ignored


@dataclass(frozen=True)
class Prepared:
    """Read and parsed before the write transaction (see Bot._prepare)."""
    catalog: Catalog
    province: str | None            # the chat's province (None: not known)
    active: ActivePlan | None       # its current plan
    command: Command | None         # the parse of a text message, when there is one
    mentioned: bool = False         # the text @mentions the bot
    text: str | None = None         # the text parsed
    mentionees: tuple[Mentionee, ...] = ()  # the people it @mentions (not the bot, not @All)


def strip_mentions(text: str, mention) -> tuple[str, bool]:
    """The text without its @mention spans (LINE gives ``index``/``length`` in UTF-16 code
    units), and whether one of them is the bot (``isSelf``). Malformed spans are left alone."""
    stripped, is_self, _ = read_mentions(text, mention)
    return stripped, is_self


def read_mentions(text: str, mention) -> tuple[str, bool, tuple[Mentionee, ...]]:
    """``strip_mentions``, and the people mentioned (``message.mention.mentionees[]`` of type
    ``user`` that are not the bot), in the order of the text: each with its ``userId`` — None
    when LINE left it out (the person has not let the bot see their profile) — and the @name
    as the sender's LINE showed it. A person mentioned twice is listed once."""
    if not isinstance(mention, dict) or not isinstance(mention.get("mentionees"), list):
        return text, False, ()
    spans, is_self, people = [], False, []
    units = text.encode("utf-16-le", "surrogatepass")
    for m in mention["mentionees"]:
        if not isinstance(m, dict):
            continue
        i, n = m.get("index"), m.get("length")
        ok = (isinstance(i, int) and isinstance(n, int) and not isinstance(i, bool)
              and not isinstance(n, bool) and i >= 0 and n > 0)
        if ok:
            spans.append((i, i + n))
        self_ = m.get("isSelf") is True
        is_self = is_self or self_
        if self_ or m.get("type", "user") != "user":
            continue                                  # the bot; @All
        name = ""
        if ok and (i + n) * 2 <= len(units):
            name = units[i * 2:(i + n) * 2].decode("utf-16-le", "surrogatepass")
            name = storable(name).strip().removeprefix("@").strip()[:200]
        people.append((i if ok else 1 << 30, Mentionee(_str(m.get("userId")), name)))
    seen, found = set(), []
    for _, p in sorted(people, key=lambda t: t[0]):
        key = p.user_id or f"?{p.name}"
        if key not in seen:
            seen.add(key)
            found.append(p)
    if not spans:
        return text, is_self, tuple(found)
    for lo, hi in sorted(spans, reverse=True):
        if hi * 2 <= len(units):
            units = units[:lo * 2] + b" " + b"\x00" + units[hi * 2:]
    return units.decode("utf-16-le", "surrogatepass"), is_self, tuple(found)


class Batch:
    """Rows written together, one transaction a second at most per process (``write`` runs
    on a timer thread, or at ``flush``). Best effort: a crash loses at most a second's rows, so
    only what can be done again goes here (ids of answers, display names)."""

    def __init__(self, name: str, write, seconds: float, limit: int = 10_000):
        self.name, self._write, self.seconds, self.limit = name, write, seconds, limit
        self._lock = threading.Lock()
        self._rows: list = []
        self._timer: threading.Timer | None = None

    def add(self, rows: list) -> None:
        with self._lock:
            self._rows.extend(rows)
            del self._rows[:-self.limit]
            if self._timer is not None or not self._rows:
                return
            self._timer = threading.Timer(self.seconds, self.flush)
            self._timer.daemon = True
            self._timer.start()

    def flush(self) -> None:
        with self._lock:
            rows, self._rows = self._rows, []
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        if not rows:
            return
        try:
            self._write(rows)
        except SQLAlchemyError as exc:
            log.warning("%d %s not kept: %s", len(rows), self.name, exc.__class__.__name__)


@dataclass
class Outcome:
    status: str                     # recorded | replied | silent | duplicate | failed
    reply: Reply | None = None


APOLOGY = ("ขออภัยครับ ระบบขัดข้อง ยังไม่ได้บันทึกหรือทำตามข้อความนี้ 🙏\n"
           "ข้อความถูกเก็บไว้แล้ว ผู้ดูแลระบบจะนำไปบันทึกให้เมื่อแก้ไขเสร็จ ไม่ต้องพิมพ์ซ้ำครับ "
           "(ตรวจสอบภายหลังได้ด้วยคำสั่ง \"ของฉัน\")")


def database_down(exc: BaseException) -> bool:
    """The database refused or dropped us (not a bug of ours): the caller keeps the event."""
    if isinstance(exc, (OperationalError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and bool(getattr(exc, "connection_invalidated", False))


def event_key(event: dict) -> str:
    key = _str(event.get("webhookEventId"))
    if key is not None:
        return key
    canonical = json.dumps(event, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()[:56]


def _str(v, limit: int = 64) -> str | None:
    """An id as LINE sends it; anything else (too long, a lone surrogate no database can
    store) is not one."""
    if not isinstance(v, str) or not 0 < len(v) <= limit:
        return None
    try:
        v.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return v


_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(text: str | None) -> str | None:
    """Text any database takes: NUL dropped (PostgreSQL refuses it), a lone surrogate (half an
    emoji, which no UTF-8 column can hold) replaced by U+FFFD."""
    if text is None:
        return None
    return _SURROGATE.sub("\ufffd", text.replace("\x00", ""))


def _message_id(v) -> str | None:
    """A LINE message id (a string of digits, ~18 long); anything else is not kept."""
    return _str(v, 32)


class Bot:
    def __init__(self, sessions: sessionmaker[Session], line: Line, clock: Clock,
                 admins: frozenset[str], read_sessions: sessionmaker[Session] | None = None):
        self.sessions, self.line, self.clock, self.admins = sessions, line, clock, admins
        self.read_sessions = read_sessions or sessions
        self.plans = PlanCache(on_change=Parser)
        self._seen_cache: dict[str, tuple[str | None, dt.datetime]] = {}
        self._named: dict[str, dt.datetime] = {}
        self._names: dict[str, str] = {}  # display names known to this process
        self._group_province: dict[str, str | None] = {}  # see _remember_province
        self._sent = Batch("sent message ids", self._write_sent, SENT_FLUSH_SECONDS,
                           SENT_QUEUE_MAX)          # LINE ids of answers about entries
        self.outcomes: Counter[str] = Counter()  # events by outcome since this process started
        self.engine = sessions.kw["bind"]

    def warm(self) -> None:
        """Parse the plans and build every current plan's parser now, not on the first
        webhook."""
        with self.read_sessions() as s:
            catalog = self.plans.get(s)
        for active in catalog.currents(self.clock().date()):
            self.plans.companion(active.id).parse("บันทึก จปฐ 1 ครัวเรือน")

    def current_plan(self, session: Session, province_key: str | None = None) -> ActivePlan:
        """The province's current plan today (by the bot's clock); without a province, the
        only province's. LookupError when there is none."""
        catalog = self.plans.get(session)
        active = catalog.current(province_key or catalog.only_province, self.clock().date())
        if active is None:
            raise LookupError(province_key or "several provinces: name one")
        return active

    # --- webhook events --------------------------------------------------------------
    def handle_event(self, event: dict, *, late: bool = False) -> Outcome:
        """Take one event: at most one effect, then the reply. ``late``: the event comes from
        the spool or a replay, so its reply token may have expired (judged by its timestamp);
        an entry recorded then is announced with the next reply in its chat instead.

        A handler that raises (our bug) leaves nothing behind (its transaction rolls back);
        the event is stored in ``failed_events`` to be replayed after the fix, and the officer
        gets an apology. A database that refuses raises to the caller (the webhook spools)."""
        started = time.perf_counter()
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        stype = _str(source.get("type")) or "unknown"
        group_id = _str(source.get("groupId")) or _str(source.get("roomId"))
        user_id = _str(source.get("userId"))
        etype = _str(event.get("type")) or "unknown"
        ts = event.get("timestamp")
        delivery = event.get("deliveryContext")
        row = dict(
            event_id=event_key(event), event_type=etype[:32], source_type=stype[:16],
            group_id=group_id, user_id=user_id,
            timestamp_ms=ts if isinstance(ts, int) and not isinstance(ts, bool)
            and 0 <= ts < 2**62 else None,
            redelivery=bool(isinstance(delivery, dict) and delivery.get("isRedelivery") is True))
        # how long the reply token still holds: a fresh event has the whole window
        window = REPLY_WINDOW
        if late:
            age = time.time() - row["timestamp_ms"] / 1000 if row["timestamp_ms"] else 1e9
            window = REPLY_WINDOW - age
        try:
            outcome = self._handle(event, row, etype, stype, group_id, user_id, window,
                                   "replayed" if late else
                                   "redelivered" if row["redelivery"] else None)
        except Exception as exc:
            if database_down(exc):
                raise
            outcome = self._failed(event, row, etype, exc, window)
        self.outcomes[outcome.status] += 1
        ms = round((time.perf_counter() - started) * 1000, 1)
        log.info("event %s chat=%s outcome=%s ms=%.1f", row["event_id"], group_id or user_id,
                 outcome.status, ms,
                 extra={"fields": {"event_id": row["event_id"], "chat": group_id or user_id,
                                   "type": etype, "outcome": outcome.status, "ms": ms}})
        return outcome

    def _handle(self, event: dict, row: dict, etype: str, stype: str, group_id: str | None,
                user_id: str | None, window: float, again: str | None) -> Outcome:
        pre = self._prepare(event, etype, group_id, user_id)
        for attempt in range(3):
            try:
                result = self._take(row, event, etype, stype, group_id, user_id, pre,
                                    expired=window <= 0, again=again)
                break
            except IntegrityError:
                if self._taken(row["event_id"]):  # a redelivery or a concurrent twin won
                    result = None
                    break
                if attempt == 2:  # a race on a user/group row: tried three times
                    raise
                log.warning("event %s: conflict, retrying", row["event_id"])
        if result is None:
            return Outcome("duplicate")
        reply, status, name_wanted, after, about, names = result
        for fn in after:  # bookkeeping that must wait for the commit (cheap, in-process)
            fn()
        token = event.get("replyToken")
        if reply and isinstance(token, str) and window > 0:
            # the ids LINE gives an answer about an entry are kept (quoting it acts on the entry)
            on_sent = functools.partial(self._keep_sent, *about) if about else None
            self.line.submit(self.line.reply, token, reply, time.monotonic() + window, on_sent)
        if name_wanted:
            self.line.submit(self.refresh_name, user_id, group_id if stype == "group" else None,
                             group_id if stype == "room" else None)
        for other in names:  # people picked by @mention whose display name is not known yet
            if other != user_id or not name_wanted:
                self._named[other] = utcnow()  # one fetch in flight per user
                self.line.submit(self.refresh_name, other,
                                 group_id if stype == "group" else None,
                                 group_id if stype == "room" else None)
        return Outcome(status, reply)

    def _failed(self, event: dict, row: dict, etype: str, exc: Exception,
                window: float) -> Outcome:
        """A handler raised: keep the event whole (its transaction already rolled back), and
        apologise while the reply token holds. Raises when the database refuses this too."""
        log.error("event %s failed: %s", row["event_id"], exc.__class__.__name__,
                  exc_info=(type(exc), exc, exc.__traceback__))
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        text = message.get("text") if isinstance(message.get("text"), str) else None
        error = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with write_lock(self.engine), self.sessions() as s, s.begin():
            record_failure(s, row["event_id"], etype[:32], row["group_id"] or row["user_id"],
                           row["user_id"], storable(text),
                           json.dumps(event, ensure_ascii=True, default=str),  # exact, escaped
                           storable(error[-8000:]), utcnow())
        token = event.get("replyToken")
        if isinstance(token, str) and window > 0 and etype in ("message", "postback"):
            self.line.submit(self.line.reply, token, Reply.text(APOLOGY),
                             time.monotonic() + window)
        return Outcome("failed")

    def replay_failed(self, event_id: str) -> str:
        """Process a failed event again (after a fix): ``replayed`` when it took effect now,
        ``duplicate`` when it had taken effect meanwhile (a redelivery), ``failed`` when it
        raised again, ``unknown`` / the earlier status when there is nothing to replay."""
        with self.read_sessions() as s:
            failed = s.get(FailedEvent, event_id)
            if failed is None:
                return "unknown"
            if failed.status != "failed":
                return failed.status
            raw = json.loads(failed.raw)
        outcome = self.handle_event(raw, late=True)
        if outcome.status == "failed":
            return "failed"
        status = "duplicate" if outcome.status == "duplicate" else "replayed"
        with write_lock(self.engine), self.sessions() as s, s.begin():
            resolve_failure(s, event_id, status, utcnow())
        return status

    def _prepare(self, event: dict, etype: str, group_id: str | None,
                 user_id: str | None) -> Prepared:
        """What needs no write lock, done before taking it: the plans (cached; a read snapshot
        when they must be checked), the chat's province and its current plan (no read at all
        while one province has plans), and the parse of a text with that plan's words. SQLite
        has one writer at a time: the less a transaction holds it, the more events per second."""
        catalog = self.plans.fresh()
        province = self._group_province.get(group_id) if group_id else None
        known = group_id in self._group_province
        if catalog is None or (catalog.only_province is None and not known):
            with self.read_sessions() as s:
                if catalog is None:
                    catalog = self.plans.get(s)
                if catalog.only_province is None and not known:
                    province = chat_province(s, group_id, user_id)
                    if group_id:
                        self._remember_province(group_id, province)
        province = catalog.only_province or province
        active = catalog.current(province, self.clock().date())
        command = None
        mentioned = False
        text = None
        people: tuple[Mentionee, ...] = ()
        message = event.get("message") if etype == "message" else None
        if isinstance(message, dict) and message.get("type") == "text":
            text = message.get("text")
            if isinstance(text, str):
                text, mentioned, people = read_mentions(text, message.get("mention"))
                text = storable(text)  # as _route reads it
                if len(text) <= MAX_TEXT_CHARS:
                    command = self._parse(catalog, active, text)
        return Prepared(catalog, province, active, command, mentioned, text, people)

    def _remember_province(self, group_id: str, province: str | None) -> None:
        """A group's province, known to this process without a read. Safe when stale: the
        event's transaction reads the group again (group_view) and corrects both."""
        if len(self._group_province) >= GROUP_CACHE_MAX:
            self._group_province.clear()
        self._group_province[group_id] = province

    def _parse(self, catalog: Catalog, active: ActivePlan | None, text: str) -> Command:
        """Read with the words of the chat's plan; a chat of no known province with those of
        the first province's (commands and indicators are the same everywhere)."""
        if active is None:
            active = catalog.current(catalog.province_keys()[0], self.clock().date())
        return self.plans.companion(active.id).parse(text)

    def _take(self, row: dict, event: dict, etype: str, stype: str,
              group_id: str | None, user_id: str | None, pre: Prepared,
              expired: bool = False, again: str | None = None):
        """``again``: the event may be one that failed before — mark it so if it is."""
        """One transaction: act, then claim the event id with the outcome. Raises
        IntegrityError (all rolled back) when the id — or the entry's — was taken before: a
        redelivery does the work once more and throws it away, the common case pays nothing."""
        with write_lock(self.engine), self.sessions() as s, s.begin():
            ctx, command = self._context(s, row["event_id"], stype, group_id, user_id, pre)
            reply = self._route(ctx, event, etype, command)
            if reply is not None:
                if ctx.group is None or ctx.group.has_notice:
                    reply.notices.extend(take_notices(s, ctx.chat_id, ctx.utcnow))
                if ctx.in_group and isinstance(event.get("message"), dict):
                    quote = event["message"].get("quoteToken")
                    reply.quote_token = quote if isinstance(quote, str) and quote else None
            if expired and reply is not None and ctx.answer_entry_id and reply.texts:
                # applied after its reply token expired (spool, replay): the chat hears of it
                # with the next reply there, not with a push that costs quota
                when = thai.date_time(ctx.local(dt.datetime.fromtimestamp(
                    row["timestamp_ms"] / 1000, dt.timezone.utc))) if row["timestamp_ms"] else ""
                add_notice(s, ctx.chat_id, f"⏱ ข้อความที่ส่งเมื่อ {when} ระหว่างระบบขัดข้อง "
                           f"บันทึกให้แล้วครับ:\n{reply.texts[0]}", ctx.utcnow)
            if again:
                resolve_failure(s, row["event_id"], again, ctx.utcnow)
            s.flush()  # what the handler changed through the ORM, then the claim
            status = "recorded" if ctx.answer_entry_id else "replied" if reply else "silent"
            s.connection().execute(_INSERT_EVENT, {**row, "outcome": status,
                                                   "received_at": utcnow()})
            about = (ctx.chat_id, ctx.answer_entry_id) if ctx.answer_entry_id else None
            return (reply, status, self._wants_name(ctx), list(ctx.after_commit), about,
                    list(dict.fromkeys(ctx.fetch_names)))

    def _taken(self, event_id: str) -> bool:
        with self.sessions() as s:
            return s.connection().execute(_TAKEN, {"e": event_id}).first() is not None

    def _context(self, s: Session, event_id: str, stype: str, group_id: str | None,
                 user_id: str | None, pre: Prepared) -> tuple[Context, Command | None]:
        now = self.clock()
        group = group_view(s, group_id, user_id, now.astimezone(dt.timezone.utc)) \
            if group_id else None
        province, active, command = pre.province, pre.active, pre.command
        if group is not None and pre.catalog.only_province is None and \
                group.province_key != province:  # bound or re-bound since _prepare read it
            province = group.province_key
            self._remember_province(group.group_id, province)
            active = pre.catalog.current(province, now.date())
            if pre.text is not None and command is not None:
                command = self._parse(pre.catalog, active, pre.text)
        ctx = Context(session=s, plan=active.plan if active else None,
                      plan_id=active.id if active else None, now=now,
                      source_type=stype if stype in ("group", "room", "user") else "unknown",
                      chat_id=group_id or user_id or "", user_id=user_id, text="",
                      event_id=event_id, is_admin=bool(user_id and user_id in self.admins),
                      group=group, catalog=pre.catalog, province_key=province)
        ctx.names = self._names
        ctx.mentioned = pre.mentioned
        ctx.mentionees = pre.mentionees
        ctx.admins = self.admins
        return ctx, command

    def _route(self, ctx: Context, event: dict, etype: str,
               command: Command | None) -> Reply | None:
        if ctx.source_type == "unknown" or not ctx.chat_id:
            return None
        if etype == "message":
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            if message.get("type") != "text" or not isinstance(message.get("text"), str):
                self._seen(ctx)
                return None
            ctx.text = storable(message["text"])  # what is stored is what was read
            ctx.message_id = _message_id(message.get("id"))
            ctx.quoted_id = _message_id(message.get("quotedMessageId"))
            self._seen(ctx)
            if len(ctx.text) > MAX_TEXT_CHARS:
                return None
            return dispatch(ctx, command)
        if etype == "postback":
            data = (event.get("postback") or {}).get("data") if isinstance(
                event.get("postback"), dict) else None
            if not isinstance(data, str):
                return None
            self._seen(ctx)
            return dispatch_postback(ctx, data)
        if etype == "join" and ctx.in_group:
            group = ctx.session.get(Group, ctx.chat_id)
            if group is None:
                ctx.session.add(Group(group_id=ctx.chat_id, joined_at=ctx.utcnow, muted=False))
            else:
                group.joined_at, group.left_at = ctx.utcnow, None
            return Reply.text(GREETING)
        if etype == "leave" and ctx.group is not None:
            ctx.session.get(Group, ctx.chat_id).left_at = ctx.utcnow
            return None
        if etype == "follow" and ctx.source_type == "user":
            return Reply.text(GREETING.split("\n")[0], HELP)
        if etype == "unsend":
            detail = event.get("unsend") if isinstance(event.get("unsend"), dict) else {}
            message_id = _message_id(detail.get("messageId"))
            if message_id:
                unsent(ctx, message_id)
            return None
        return None

    def _keep_sent(self, chat_id: str, entry_id: int, ids: list[str]) -> None:
        """The ids LINE gave an answer about an entry: quoting that answer acts on the entry.
        Queued and written by one transaction a second at most per process (a quote comes
        seconds after the answer at the earliest), so a burst of logs does not pay a second
        write each. Best effort: what a crash loses is only that shortcut (quoting the log
        message itself still works)."""
        now = utcnow()
        self._sent.add([{"message_id": i, "chat_id": chat_id, "entry_id": entry_id,
                         "created_at": now} for i in ids if 0 < len(i) <= 32])

    def _write_sent(self, rows: list[dict]) -> None:
        with write_lock(self.engine), self.sessions() as s, s.begin():
            keep_bot_messages(s, rows)

    def flush_sent(self) -> None:
        """Write the queued answer ids now (the timer's job; also at shutdown and in tests)."""
        self._sent.flush()

    def _seen(self, ctx: Context) -> None:
        """Remember the user (and their district group, for 1:1 logs): an upsert, skipped when
        this process wrote the same group for the user within SEEN_REFRESH."""
        if not ctx.user_id:
            return
        group = ctx.chat_id if ctx.bound_district is not None else None
        last = self._seen_cache.get(ctx.user_id)
        now = ctx.utcnow
        if last is not None and last[0] == group and now - last[1] < SEEN_REFRESH:
            return
        touch_user(ctx.session, ctx.user_id, group, now)
        ctx.after_commit.append(lambda: self._seen_cache.__setitem__(ctx.user_id, (group, now)))

    def _wants_name(self, ctx: Context) -> bool:
        """Fetch the display name for a user who typed, at most once a day (per process)."""
        if not ctx.user_id or not ctx.text:
            return False
        checked = self._named.get(ctx.user_id)
        if checked is not None and utcnow() - checked < NAME_TTL:
            return False
        fetched = ctx.user.profile_fetched_at if ctx.user is not None else None
        if fetched is not None and ctx.user.display_name:  # no name yet: ask LINE again
            if fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=dt.timezone.utc)
            if utcnow() - fetched < NAME_TTL:
                self._named[ctx.user_id] = fetched
                return False
        self._named[ctx.user_id] = utcnow()  # one fetch in flight per user
        return True

    def refresh_name(self, user_id: str, group_id: str | None, room_id: str | None = None
                     ) -> None:
        """Fetch the LINE display name and write it at once (on the LINE pool's thread, not the
        webhook's), so that every worker and process reads it from the database from then on.
        A failed fetch writes nothing and is tried again after NAME_RETRY (not remembered as
        "no name" for a day)."""
        name = self.line.display_name(user_id, group_id, room_id)
        if not name:
            self._named[user_id] = utcnow() - NAME_TTL + NAME_RETRY
            return
        name = name[:200]
        self._names[user_id] = name
        try:
            with write_lock(self.engine), self.sessions() as s, s.begin():
                s.execute(update(LineUser).where(LineUser.user_id == user_id)
                          .values(display_name=name, profile_fetched_at=utcnow()))
        except SQLAlchemyError as exc:  # kept in this process; the next message tries again
            self._named.pop(user_id, None)
            log.warning("display name of %s not kept: %s", user_id, exc.__class__.__name__)

    # --- terminal chat -----------------------------------------------------------------
    def chat(self, text: str, *, user_id: str, group_id: str | None, event_id: str) -> Reply | None:
        """A message from `flask chat`: the same handlers and database, no LINE."""
        event = {"type": "message", "webhookEventId": event_id,
                 "source": ({"type": "group", "groupId": group_id, "userId": user_id}
                            if group_id else {"type": "user", "userId": user_id}),
                 "message": {"type": "text", "id": event_id, "text": text}}
        return self.handle_event(event).reply
