"""ยกเลิก / แก้ไข: act on the entry the officer names — the one of a quoted message, else their
latest entry of the named indicator (and category), else their latest entry. Another officer's
entry only by quoting its message, and only for who may (``entry_access`` in front: the head of
the entry's district, a province admin of its province, a department admin); a bare ยกเลิก /
แก้ไข never reaches anyone else's. The entry keeps who changed it and when (changed_by,
changed_at) and, after an edit, from what (amended_from). An unsent log message takes its entry
back."""
from __future__ import annotations

from bot import thai
from bot.language import Command, Intent
from bot.line.messages import Reply
from handlers.base import Context, Need, handles, need, supersede
from handlers.confirm import cancel_open
from handlers.log import amount_problem, describe, standing
from models import Entry
from models.queries import (add_notice, amend_entry, display_name, entry_of_message,
                            latest_entry_of, mark_changed, supersede_pending, undo_entry)

OWN_ONLY = "(ยกเลิกหรือแก้ไขได้เฉพาะรายการที่ตนเองบันทึกครับ)"


def entry_access(own: str, other: str):
    """What an undo/edit touches: the entry of the quoted message (found here, once, and
    handed to the handler as ``ctx.target``) — the sender's own (``own``), or another
    officer's, at its district (``other``). Without a quote: the sender's own."""
    def access(ctx: Context, command: Command) -> list[Need]:
        if not ctx.quoted_id:
            return [need(own)]
        entry = entry_of_message(ctx.session, ctx.plan_id, ctx.quoted_id)
        ctx.target = entry
        if entry is None or entry.user_id == ctx.user_id:
            return [need(own)]
        return [need(other, ctx.plan.province_key, entry.district_key)]
    return access


def _owner(ctx: Context, entry: Entry) -> str:
    """" ของคุณสมศรี" for another officer's entry, "" for the sender's own."""
    if entry.user_id == ctx.user_id:
        return ""
    name = display_name(ctx.session, entry.user_id)
    return f" ของคุณ{name}" if name else " ของผู้บันทึกอื่น"


def _named(ctx: Context, command: Command) -> str:
    """"จปฐ. (รายได้)" for what the command names, "" when it names nothing."""
    if not command.indicator:
        return ""
    ind = ctx.plan.indicator(command.indicator)
    cat = ind.category(command.category)
    return ind.name + (f" ({cat.name})" if cat else "")


def target_entry(ctx: Context, command: Command, verb: str) -> tuple[Entry | None, Reply | None]:
    """The entry an undo/edit acts on, or the answer saying why there is none."""
    if ctx.quoted_id:
        entry = ctx.target if isinstance(ctx.target, Entry) else entry_of_message(
            ctx.session, ctx.plan_id, ctx.quoted_id)
        if entry is None:
            return None, Reply.text(f"ไม่พบรายการบันทึกจากข้อความที่อ้างถึงครับ จึงไม่ได้{verb}อะไร "
                                    f"{OWN_ONLY}")
        if entry.user_id != ctx.user_id and ctx.target is not entry:  # not let in by the table
            return None, Reply.text(f"ข้อความที่อ้างถึงเป็นรายการของผู้อื่น จึงไม่ได้{verb}ครับ "
                                    f"{OWN_ONLY}")
        if entry.undone_at is not None:
            return None, Reply.text(f"รายการนี้ถูกยกเลิกไปแล้วครับ จึงไม่ได้{verb}อะไรเพิ่ม")
        return entry, None
    entry = latest_entry_of(ctx.session, ctx.plan_id, ctx.user_id, command.indicator,
                            command.category) if ctx.user_id else None
    if entry is None:
        named = _named(ctx, command)
        what = f"รายการ {named} ที่คุณบันทึกไว้" if named else "รายการที่คุณบันทึกไว้"
        return None, Reply.text(f"ไม่พบ{what}ให้{verb}ครับ จึงไม่ได้เปลี่ยนแปลงอะไร {OWN_ONLY}")
    return entry, None


@handles(Intent.UNDO, access=entry_access("undo_own", "undo_any"))
def undo(ctx: Context, command: Command) -> Reply:
    if not ctx.quoted_id:
        cancelled = cancel_open(ctx, command.indicator)  # ยกเลิก answers the open prompt first
        if cancelled:
            return cancelled
    supersede(ctx)  # a prompt about something else is closed by this command
    entry, refusal = target_entry(ctx, command, "ยกเลิก")
    if refusal:
        return refusal
    if not undo_entry(ctx.session, entry, ctx.event_id, ctx.utcnow):
        return Reply.text("รายการนี้ถูกยกเลิกไปแล้วครับ")
    mark_changed(ctx.session, entry.id, ctx.user_id, ctx.utcnow)
    what = describe(ctx, entry.indicator_key, entry.amount, entry.category_key, entry.district_key)
    lines = [f"↩️ ยกเลิกรายการแล้วครับ: {what}{_owner(ctx, entry)} "
             f"(บันทึกเมื่อ {thai.date_time(ctx.local(entry.created_at))})"]
    lines += standing(ctx, entry.indicator_key, entry.district_key)
    return Reply.text("\n".join(lines))


@handles(Intent.EDIT, access=entry_access("edit_own", "edit_any"))
def edit(ctx: Context, command: Command) -> Reply:
    if command.amount is None:
        return Reply.text("โปรดระบุจำนวนที่ถูกต้องครับ เช่น: แก้ไข 150 หรือ แก้ไข จปฐ 150")
    entry, refusal = target_entry(ctx, command, "แก้ไข")
    if refusal:
        return refusal
    ind = ctx.plan.indicator(entry.indicator_key)
    unit = ctx.plan.units[ind.unit].name
    cat = ind.category(entry.category_key)
    name = ind.name + (f" ({cat.name})" if cat else "")
    owner = _owner(ctx, entry)
    if command.amount == entry.amount:
        whose = owner.strip() if owner else "ล่าสุดของคุณ"
        return Reply.text(f"รายการ {name} {whose}เป็น {thai.number(entry.amount)} {unit} "
                          "อยู่แล้วครับ ไม่ได้เปลี่ยนแปลงอะไร")
    bad = amount_problem(ctx, entry.indicator_key, entry.district_key, command.amount)
    if bad:
        return bad
    old = amend_entry(ctx.session, entry, command.amount)
    mark_changed(ctx.session, entry.id, ctx.user_id, ctx.utcnow)
    lines = [f"✏️ แก้ไขแล้วครับ: {name}{owner} จาก {thai.number(old)} เป็น "
             f"{thai.number(command.amount)} {unit} "
             f"(บันทึกเมื่อ {thai.date_time(ctx.local(entry.created_at))})"]
    lines += standing(ctx, entry.indicator_key, entry.district_key)
    return Reply.text("\n".join(lines))


def unsent(ctx: Context, message_id: str) -> None:
    """LINE's unsend event: the officer took their message back, so its entry goes too (and an
    open prompt of it closes). No reply token: the chat hears of it with the bot's next reply
    there (a push would cost quota for every member of the group)."""
    if not ctx.user_id:
        return
    supersede_pending(ctx.session, ctx.chat_id, ctx.user_id, ctx.utcnow, resolution="unsent",
                      message_id=message_id)
    entry = entry_of_message(ctx.session, ctx.plan_id, message_id)
    if entry is None or entry.user_id != ctx.user_id or not undo_entry(
            ctx.session, entry, ctx.event_id, ctx.utcnow):
        return  # not a log of theirs, or undone already (undo_entry checks, atomically)
    mark_changed(ctx.session, entry.id, ctx.user_id, ctx.utcnow)
    name = ctx.sender_name()
    who = f"คุณ{name}" if name else "ผู้บันทึก"
    what = describe(ctx, entry.indicator_key, entry.amount, entry.category_key, entry.district_key)
    add_notice(ctx.session, ctx.chat_id,
               f"↩️ {who}ยกเลิกการส่งข้อความบันทึก ({what}) เมื่อ "
               f"{thai.date_time(ctx.now)} น้องพัฒน์จึงยกเลิกรายการนั้นแล้วครับ", ctx.utcnow)

