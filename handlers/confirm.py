"""ยืนยัน / ยกเลิก of an uncertain log: recorded only on the same user's ยืนยัน within 10 minutes.
Pending readings live in the database, so they survive a restart."""
from __future__ import annotations

from sqlalchemy import select, update

from bot.language import Command, Intent
from bot.messages import Reply
from handlers.base import Context, handles, postback
from handlers.log import amount_problem, record_and_answer
from models import PendingConfirmation


def open_pending(ctx: Context, pending_id: int | None = None) -> PendingConfirmation | None:
    q = select(PendingConfirmation).where(
        PendingConfirmation.chat_id == ctx.chat_id,
        PendingConfirmation.user_id == (ctx.user_id or ctx.chat_id),
        PendingConfirmation.resolved_at.is_(None),
        PendingConfirmation.expires_at > ctx.utcnow)
    if pending_id is not None:
        q = q.where(PendingConfirmation.id == pending_id)
    return ctx.session.scalar(q.order_by(PendingConfirmation.id.desc()).limit(1))


def resolve(ctx: Context, pending: PendingConfirmation, resolution: str) -> bool:
    """Atomically close a pending reading; False when it was already closed (double tap)."""
    res = ctx.session.execute(
        update(PendingConfirmation)
        .where(PendingConfirmation.id == pending.id, PendingConfirmation.resolved_at.is_(None))
        .values(resolved_at=ctx.utcnow, resolution=resolution))
    return res.rowcount == 1


def confirm(ctx: Context, pending_id: int | None) -> Reply:
    pending = open_pending(ctx, pending_id)
    if pending is None:
        return Reply.text("ไม่มีรายการที่รอการยืนยันครับ (รายการรอยืนยันหมดอายุใน 10 นาที) "
                          "โปรดพิมพ์บันทึกใหม่อีกครั้งครับ")
    if not resolve(ctx, pending, "confirmed"):
        return Reply.text("รายการนี้ยืนยันไปแล้วครับ")
    c = pending.command
    bad = amount_problem(ctx, c["indicator"], c["district"], c["amount"])
    if bad:
        return bad
    return record_and_answer(ctx, c["indicator"], c["amount"], c.get("category"), c["district"],
                             pending.text)


def cancel(ctx: Context, pending_id: int | None) -> Reply | None:
    pending = open_pending(ctx, pending_id)
    if pending is None or not resolve(ctx, pending, "cancelled"):
        return None
    return Reply.text("ยกเลิกแล้วครับ ไม่ได้บันทึกรายการนี้")


@handles(Intent.CONFIRM)
def confirm_text(ctx: Context, command: Command) -> Reply:
    return confirm(ctx, None)


def _id(arg: str) -> int | None:
    return int(arg) if arg.isdigit() else None


@postback("confirm")
def confirm_postback(ctx: Context, arg: str) -> Reply:
    return confirm(ctx, _id(arg))


@postback("cancel")
def cancel_postback(ctx: Context, arg: str) -> Reply:
    return cancel(ctx, _id(arg)) or Reply.text("ไม่มีรายการที่รอการยืนยันครับ")
