"""ยกเลิก: cancel a pending reading, else undo the sender's own latest entry (never another's);
แก้ไข N: change the amount of the sender's own latest entry."""
from __future__ import annotations

from bot import thai
from bot.language import Command, Intent
from bot.messages import Reply
from handlers.base import Context, handles
from handlers.confirm import cancel
from handlers.log import amount_problem, describe, standing
from models.queries import amend_entry, latest_entry_of, undo_entry

NOTHING = "ไม่พบรายการที่คุณบันทึกไว้ให้ยกเลิกครับ (ยกเลิกได้เฉพาะรายการของตนเอง)"


@handles(Intent.UNDO)
def undo(ctx: Context, command: Command) -> Reply:
    cancelled = cancel(ctx, None)
    if cancelled:
        return cancelled
    if not ctx.user_id:
        return Reply.text(NOTHING)
    entry = latest_entry_of(ctx.session, ctx.plan_id, ctx.user_id)
    if entry is None or not undo_entry(ctx.session, entry, ctx.event_id, ctx.utcnow):
        return Reply.text(NOTHING)
    what = describe(ctx, entry.indicator_key, entry.amount, entry.category_key, entry.district_key)
    lines = [f"↩️ ยกเลิกรายการแล้วครับ: {what} "
             f"(บันทึกเมื่อ {thai.date_time(ctx.local(entry.created_at))})"]
    lines += standing(ctx, entry.indicator_key, entry.district_key)
    return Reply.text("\n".join(lines))


@handles(Intent.EDIT)
def edit(ctx: Context, command: Command) -> Reply:
    if command.amount is None:
        return Reply.text("โปรดระบุจำนวนที่ถูกต้องครับ เช่น: แก้ไข 150")
    entry = latest_entry_of(ctx.session, ctx.plan_id, ctx.user_id) if ctx.user_id else None
    if entry is None:
        return Reply.text("ไม่พบรายการที่คุณบันทึกไว้ให้แก้ไขครับ (แก้ไขได้เฉพาะรายการของตนเอง)")
    bad = amount_problem(ctx, entry.indicator_key, entry.district_key, command.amount)
    if bad:
        return bad
    old = amend_entry(ctx.session, entry, command.amount)
    ind = ctx.plan.indicator(entry.indicator_key)
    unit = ctx.plan.units[ind.unit].name
    lines = [f"✏️ แก้ไขแล้วครับ: {ind.name} จาก {thai.number(old)} เป็น "
             f"{thai.number(command.amount)} {unit}"]
    lines += standing(ctx, entry.indicator_key, entry.district_key)
    return Reply.text("\n".join(lines))


