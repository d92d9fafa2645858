"""What every handler gets (Context) and the one table that maps intents to handlers.

A handler is ``fn(ctx, command) -> Reply | None``, registered with ``@handles(Intent.X)``.
Access control sits in front of handlers, not inside them: ``@handles(Intent.X, access=fn)``
names what the command touches (``fn(ctx, command) -> [Need(action, province, district)]``:
the group's district, the entry a quote names, the place a group is bound to …), and
``dispatch`` asks the access table (bot.core.roles.ACCESS) whether the sender may, before the
handler runs. An intent registered without ``access`` is one everyone may use
(:data:`EVERYONE_MAY`); any other is refused. This module imports no handler: the package
(handlers/__init__.py) imports them all, and each fills the table.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import Session

from bot.language import PROVINCE, Command, Intent
from bot.line.messages import Reply
from bot.core import roles
from bot.core.plan import Plan
from bot.core.plans import ActivePlan, Catalog, as_of
from models import Group, LineUser
from models.queries import GroupView, display_name, supersede_pending


@dataclass(frozen=True)
class Mentionee:
    """A person a message @mentions (``message.mention.mentionees[]``, not the bot): their
    LINE userId (None when LINE left it out: they have not let the bot see their profile), and
    the @name as the sender's LINE showed it (without the @)."""
    user_id: str | None
    name: str


@dataclass(frozen=True)
class Need:
    """What a command needs: one of ``actions`` (bot.core.roles.ACCESS) at the place, and what
    to say when the sender may not (None: the action's usual refusal)."""
    actions: tuple[str, ...]
    province_key: str | None = None
    district_key: str | None = None
    why: str | None = None


def need(action: str | tuple[str, ...], province_key: str | None = None,
         district_key: str | None = None, why: str | None = None) -> Need:
    return Need((action,) if isinstance(action, str) else tuple(action), province_key,
                district_key, why)


Handler = Callable[["Context", Command], Reply | None]
Access = Callable[["Context", Command], list[Need]]
HANDLERS: dict[Intent, tuple[Handler, Access | None]] = {}
POSTBACKS: dict[str, Callable[["Context", str], Reply | None]] = {}
# the intents every officer may use without an access function of their own, and the action
# of the table each one is (a new intent with neither is refused: nobody is let in by default)
EVERYONE_MAY: dict[Intent, str] = {
    Intent.QUERY: "query", Intent.RANKING: "query", Intent.MINE: "query",
    Intent.HISTORY: "query", Intent.MISSING: "query", Intent.REGISTER: "register",
    Intent.HELP: "help", Intent.CONFIRM: "confirm"}


@dataclass
class Context:
    session: Session
    plan: Plan | None              # the chat's province's current plan (None: province unknown)
    plan_id: int | None
    now: dt.datetime               # aware, Asia/Bangkok
    source_type: str               # group | room | user
    chat_id: str                   # group/room id, or the user's id in 1:1
    user_id: str | None
    text: str
    event_id: str
    is_admin: bool = False
    group: GroupView | None = None    # a snapshot; handlers that change a group load it
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict, repr=False)  # display-name cache
    message_id: str | None = None     # LINE id of the message being answered
    quoted_id: str | None = None      # message.quotedMessageId: the message it replies to
    mentioned: bool = False           # the message @mentions the bot
    answer_entry_id: int | None = None  # the entry this answer is about (its ids are kept)
    notes: list[str] = field(default_factory=list)  # said after the answer (a prompt closed)
    catalog: Catalog | None = None    # every loaded plan (provinces, fiscal years)
    province_key: str | None = None   # the chat's province, when known
    mentionees: tuple[Mentionee, ...] = ()  # the people the message @mentions (not the bot)
    admins: frozenset[str] = frozenset()    # ADMIN_LINE_USER_IDS: the department admins
    fetch_names: list[str] = field(default_factory=list)  # userIds whose LINE display name
    #                                   to fetch after the commit (a person picked by @mention)
    target: object = None             # what an access function found and approved (an entry)
    _user: object = field(default=None, repr=False)
    _user_loaded: bool = field(default=False, repr=False)
    _person: object = field(default=None, repr=False)

    @property
    def user(self) -> LineUser | None:
        """The sender's LineUser row, read on first use (most messages never need it)."""
        if not self._user_loaded:
            self._user = self.session.get(LineUser, self.user_id) if self.user_id else None
            self._user_loaded = True
        return self._user  # type: ignore[return-value]

    @property
    def person(self) -> roles.Person:
        """The sender as the access table sees them (their roles: read on first use)."""
        if self._person is None:
            admins = self.admins | ({self.user_id} if self.is_admin and self.user_id else set())
            self._person = roles.person_of(self.session, self.user_id, admins)
        return self._person  # type: ignore[return-value]

    def may(self, action: str | Need, province_key: str | None = None,
            district_key: str | None = None) -> bool:
        """May the sender do ``action`` at the place (bot.core.roles.may)? Actions everyone
        may do cost no read."""
        n = action if isinstance(action, Need) else need(action, province_key, district_key)
        if any(roles.EVERYONE in roles.ACCESS[a] for a in n.actions):
            return True
        return any(roles.may(self.person, a, n.province_key, n.district_key) for a in n.actions)

    @property
    def group_place(self) -> tuple[str | None, str | None]:
        """(province, district) of the group: a district group's both, a province group's
        province; (None, None) for the department's group, an unbound group and a 1:1 chat."""
        g = self.group if self.in_group else None
        if g is None or g.scope not in ("district", "province"):
            return None, None
        return g.province_key, (g.district_key if g.scope == "district" else None)

    @property
    def role_place(self) -> tuple[str | None, str | None]:
        """The place a role command (mute, appoint, revoke) is checked at: the group's; in a
        1:1 chat or a group not bound yet, SOMEWHERE (whoever holds the role anywhere hears
        from the handler why not here, rather than a refusal); the department's group: none
        (its department admins only)."""
        if self.group_scope == "department":
            return None, None
        province, district = self.group_place
        return (province, district) if province else (roles.SOMEWHERE, None)

    @property
    def prompt_owner(self) -> str:
        """Whose prompts these are: the sender, or the chat when LINE gives no user id."""
        return self.user_id or self.chat_id

    @property
    def utcnow(self) -> dt.datetime:
        """What is written to the database: always UTC (SQLite keeps no offset)."""
        return self.now.astimezone(dt.timezone.utc)

    def sender_name(self) -> str | None:
        """The sender's LINE display name: this process's cache, else the database (where any
        worker's fetch writes it). A name not known yet is read again next time, never
        remembered as missing."""
        if not self.user_id:
            return None
        name = self.names.get(self.user_id)
        if not name:
            name = display_name(self.session, self.user_id)
            if name:
                self.names[self.user_id] = name
        return name or None

    def local(self, t: dt.datetime) -> dt.datetime:
        """A stored time (UTC; naive on SQLite) in the bot's time zone."""
        if t.tzinfo is None:
            t = t.replace(tzinfo=dt.timezone.utc)
        return t.astimezone(self.now.tzinfo)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def in_group(self) -> bool:
        return self.source_type in ("group", "room")

    @property
    def group_scope(self) -> str | None:
        return self.group.scope if self.group is not None else None

    @property
    def bound_district(self) -> str | None:
        """This chat's district when it is a group bound to one."""
        if self.in_group and self.group is not None and self.group.scope == "district":
            return self.group.district_key
        return None

    def home_district(self) -> str | None:
        """The district a log counts for: the bound group's, or in 1:1 the officer's last group's."""
        if self.in_group:
            return self.group.district_key if self.group is not None else None
        if self.user is not None and self.user.last_group_id:
            group = self.session.get(Group, self.user.last_group_id)
            if group is not None and group.scope == "district":
                return group.district_key
        return None

    def with_plan(self, chosen: ActivePlan) -> "Context":
        """The same message read against another plan of the province (another fiscal year)."""
        return dataclasses.replace(self, plan=chosen.plan, plan_id=chosen.id)

    @property
    def several_provinces(self) -> bool:
        return self.catalog is not None and self.catalog.only_province is None

    def district_name(self, key: str | None) -> str:
        if key == PROVINCE or key is None:
            return f"จังหวัด{self.plan.province_name}"
        d = self.plan.district(key)
        return f"อำเภอ{d.name}" if d else key


def handles(intent: Intent, *, access: Access | None = None):
    """Register ``fn`` for ``intent``. ``access``: what the command touches (see the module's
    docstring); without it the intent must be one everyone may use (EVERYONE_MAY)."""
    def register(fn: Handler) -> Handler:
        HANDLERS[intent] = (fn, access)
        return fn
    return register


def postback(action: str):
    def register(fn):
        POSTBACKS[action] = fn
        return fn
    return register


ASK = "โปรดติดต่อกลุ่มงานสารสนเทศ สนง.พช.จังหวัดครับ"


def refusal(ctx: Context, n: Need) -> str:
    """Why the sender may not: who may, in words (the action's usual refusal)."""
    if n.why:
        return n.why
    province = ""
    if n.province_key and n.province_key != roles.SOMEWHERE and ctx.catalog is not None:
        province = ctx.catalog.province_name(n.province_key) or ""
    of_province = f"ของจังหวัด{province}" if province else ""
    action = n.actions[0]
    if action == "mute":
        return ("ขออภัยครับ การปิดหรือเปิดการแจ้งเตือนของกลุ่มนี้ทำได้เฉพาะหัวหน้าอำเภอ (พัฒนาการอำเภอ) "
                f"ของอำเภอนี้ ผู้ดูแลจังหวัด{province} หรือผู้ดูแลระบบของกรมครับ "
                "จึงยังไม่ได้เปลี่ยนการแจ้งเตือน")
    if action in ("bind", "bind_department"):
        who = ("ผู้ดูแลระบบของกรม" if action == "bind_department" else
               f"ผู้ดูแลจังหวัด{of_province} หรือผู้ดูแลระบบของกรม")
        return (f"ขออภัยครับ การผูกกลุ่มนี้ทำได้เฉพาะ{who}เท่านั้น จึงยังไม่ได้ผูกกลุ่ม "
                f"หากต้องการผูกกลุ่ม {ASK}")
    if action.startswith(("appoint_", "revoke_")):
        verb = "การแต่งตั้ง" if action.startswith("appoint_") else "การถอนสิทธิ์"
        if all(a.endswith("province_admin") for a in n.actions):
            return (f"ขออภัยครับ {verb}ผู้ดูแลจังหวัดทำได้เฉพาะผู้ดูแลระบบของกรมเท่านั้น "
                    "จึงยังไม่ได้เปลี่ยนสิทธิ์ของใครครับ")
        return (f"ขออภัยครับ {verb}หัวหน้าอำเภอทำได้เฉพาะผู้ดูแลจังหวัด{of_province} "
                "หรือผู้ดูแลระบบของกรมเท่านั้น จึงยังไม่ได้เปลี่ยนสิทธิ์ของใครครับ")
    if action in ("undo_any", "edit_any"):
        verb = "ยกเลิก" if action == "undo_any" else "แก้ไข"
        return (f"ข้อความที่อ้างถึงเป็นรายการของผู้อื่น จึงไม่ได้{verb}ครับ "
                "(ยกเลิกหรือแก้ไขรายการของผู้อื่นได้เฉพาะหัวหน้าอำเภอของอำเภอนั้น ผู้ดูแลจังหวัด "
                "หรือผู้ดูแลระบบ พัฒนากรแก้ไขได้เฉพาะรายการที่ตนเองบันทึกครับ)")
    return f"ขออภัยครับ คุณยังไม่มีสิทธิ์ใช้คำสั่งนี้ที่นี่ {ASK}"


def check_access(ctx: Context, command: Command) -> Reply | None:
    """The access table in front of the handler: None when the sender may, else the refusal
    (nothing has changed yet)."""
    _, access = HANDLERS[command.intent]
    if access is None:
        action = EVERYONE_MAY.get(command.intent)
        needs = [need(action)] if action else [need("__nobody__")]
    else:
        needs = access(ctx, command)
    for n in needs:
        if n.actions == ("__nobody__",) or not ctx.may(n):
            return Reply.text(refusal(ctx, n))
    return None


HINT_1TO1 = ("น้องพัฒน์ยังไม่เข้าใจข้อความนี้ครับ 🙏\n"
             "ตัวอย่าง: บันทึก จปฐ 120 ครัวเรือน · ยอด · ยอดรวมจังหวัด\n"
             "พิมพ์ \"วิธีใช้\" เพื่อดูคำสั่งทั้งหมดครับ")


HINT_MENTION = ("สวัสดีครับ 🙏 น้องพัฒน์ช่วยบันทึกผลงานและดูยอดได้ครับ\n"
                "ตัวอย่าง: บันทึก จปฐ 120 ครัวเรือน · ยอด · กำหนดส่ง\n"
                "พิมพ์ \"วิธีใช้\" เพื่อดูคำสั่งทั้งหมดครับ")
NO_PROVINCE_GROUP = ("กลุ่มนี้ยังไม่ได้ผูกกับอำเภอหรือจังหวัดครับ จึงยังบันทึกหรือดูยอดไม่ได้\n"
                     "ผู้ดูแลจังหวัดหรือผู้ดูแลระบบพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง จังหวัดราชบุรี\" "
                     "หรือ \"ผูกกลุ่ม จังหวัดราชบุรี\" ได้เลยครับ")
NO_PROVINCE_1TO1 = ("น้องพัฒน์ยังไม่ทราบว่าคุณอยู่อำเภอและจังหวัดใดครับ\n"
                    "โปรดพิมพ์บันทึกหรือ \"ลงทะเบียน\" ในกลุ่มไลน์ของอำเภอก่อนครั้งหนึ่ง "
                    "แล้วจึงใช้แชตนี้ได้ครับ")
# commands that need no plan: they work in a group of no known province
_NEEDS_NO_PLAN = frozenset({Intent.BIND, Intent.HELP, Intent.MUTE, Intent.UNMUTE,
                            Intent.APPOINT, Intent.REVOKE, Intent.WHO})
# commands that do not close the sender's open prompt: ยืนยัน answers it, ยกเลิก decides itself
_KEEPS_PROMPT = frozenset({Intent.CONFIRM, Intent.UNDO})


def supersede(ctx: Context) -> None:
    """A later command from the same officer in the same chat closes their open prompt: a
    prompt belongs to one message, and ยืนยัน may only ever confirm the newest one."""
    if (not ctx.user_id and not ctx.chat_id) or (ctx.group is not None
                                                  and not ctx.group.has_prompt):
        return  # known from the group's read: nothing open (the common case costs nothing)
    for _, text in supersede_pending(ctx.session, ctx.chat_id, ctx.prompt_owner, ctx.utcnow):
        ctx.notes.append(f"ℹ️ รายการที่รอยืนยัน \"{_short(text)}\" ถูกยกเลิกแล้ว "
                         "เพราะมีคำสั่งใหม่ตามมาครับ")


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _confirms_open_prompt(ctx: Context) -> bool:
    """"ยืนยันแล้วครับ" is talk in a group (someone confirming a meeting) — unless its sender has
    a prompt open there: then it is the answer to it, and silence would leave them believing
    it was recorded."""
    return (ctx.text.lstrip().startswith("ยืนยัน") and ctx.in_group and ctx.group is not None
            and ctx.group.has_prompt)


def dispatch(ctx: Context, command: Command) -> Reply | None:
    """Route a parsed message. Chatter in groups gets None: no reply, no change — unless the
    message @mentions the bot, which always gets an answer."""
    if not command.understood and _confirms_open_prompt(ctx):
        command = Command(intent=Intent.CONFIRM)
    if not command.understood or command.intent not in HANDLERS:
        if ctx.mentioned:
            return Reply.text(HINT_MENTION)
        return None if ctx.in_group else Reply.text(HINT_1TO1)
    fn, _ = HANDLERS[command.intent]
    if ctx.plan is None and command.intent not in _NEEDS_NO_PLAN and not (
            command.intent is Intent.QUERY and ctx.group_scope == "department"):
        return Reply.text(NO_PROVINCE_GROUP if ctx.in_group else NO_PROVINCE_1TO1)
    refused = check_access(ctx, command)
    if refused is not None:
        if ctx.notes:
            refused.notices.extend(ctx.notes)
        return refused
    if command.intent not in _KEEPS_PROMPT:
        supersede(ctx)
    if ctx.plan is not None:
        ctx, refusal = for_year(ctx, command)
        if refusal is not None:
            return refusal
    reply = fn(ctx, command)
    if reply is None and ctx.mentioned:
        reply = Reply.text(HINT_MENTION)
    if reply is not None and ctx.notes:
        reply.notices.extend(ctx.notes)
    return reply


# what may be asked of another fiscal year; changes always go to the current plan
_ANY_YEAR = frozenset({Intent.QUERY, Intent.RANKING, Intent.MINE, Intent.HISTORY, Intent.MISSING})


def named_year(ctx: Context, command: Command) -> int | None:
    """The B.E. fiscal year the message names ("ปี 2565", "ปีที่แล้ว"), or None."""
    year = command.year
    offset = command.year_offset
    if year is None and offset is not None:
        year = ctx.plan.fiscal_year + offset
    return year


def for_year(ctx: Context, command: Command) -> tuple[Context, Reply | None]:
    """The context to answer with: another fiscal year's plan of the province when the message
    names one ("ยอด ปี 2565": its figures, its deadlines as they stood at its end); a change
    (log, edit, undo) that names a year other than the current one is refused with the reason."""
    year = named_year(ctx, command)
    if year is None or year == ctx.plan.fiscal_year:
        return ctx, None
    province = ctx.plan.province_name
    current = ctx.plan.fiscal_year
    found = ctx.catalog.find(ctx.plan.province_key, year) if ctx.catalog is not None else None
    if command.intent not in _ANY_YEAR:
        why = (f"ปีงบประมาณ {year} ผ่านไปแล้ว" if year < current else
               f"ปีงบประมาณ {year} ยังไม่ใช่ปีปัจจุบัน")
        return ctx, Reply.text(
            f"{why}ครับ รายการใหม่และการแก้ไขนับเข้าแผนปีงบประมาณ {current} "
            f"ของจังหวัด{province}เท่านั้น จึงยังไม่ได้บันทึกหรือเปลี่ยนแปลงอะไร\n"
            "หากเป็นผลงานของปีนี้ พิมพ์ใหม่โดยไม่ระบุปีครับ")
    if found is None:
        years = ", ".join(str(r.fiscal_year) for r in ctx.catalog.plans_of(ctx.plan.province_key))
        return ctx, Reply.text(f"ยังไม่มีแผนปีงบประมาณ {year} ของจังหวัด{province}ครับ "
                               f"(มีแผนปี {years})")
    other = ctx.with_plan(found)
    other.now = as_of(year, ctx.now)
    if other.now != ctx.now:  # a closed year: its deadlines and pace as they stood at its end
        other.notes.insert(0, f"ℹ️ ยอดปีงบประมาณ {year} ซึ่งสิ้นสุดแล้ว "
                              f"(ปีปัจจุบันคือ {current}) ครับ")
    else:
        other.notes.insert(0, f"ℹ️ ยอดปีงบประมาณ {year} (ปีปัจจุบันคือ {current}) ครับ")
    return other, None


def dispatch_postback(ctx: Context, data: str) -> Reply | None:
    action, _, arg = (data or "").partition(":")
    fn = POSTBACKS.get(action)
    if fn is None:
        return None
    if ctx.plan is None:
        return Reply.text(NO_PROVINCE_GROUP if ctx.in_group else NO_PROVINCE_1TO1)
    return fn(ctx, arg)
