"""ยืนยัน / ยกเลิก of a prompt: recorded only on the same user's ยืนยัน within 10 minutes.

A prompt belongs to one message: any later command of the same officer in the same chat closes
it (handlers.base.supersede), so a typed ยืนยัน confirms at most the one open prompt, and a tap
on the button of a prompt that was cancelled, replaced, unsent, confirmed or that expired
records nothing and says so. Prompts live in the database, so they survive a restart."""
from __future__ import annotations

from sqlalchemy import select, update

from bot.language import Command, Intent
from bot.line.messages import Reply
from handlers.base import Context, handles, postback
from handlers.log import CONFIRM_MINUTES, amount_problem, record_and_answer
from models import PendingConfirmation
from models.queries import own_total

NOTHING_OPEN = ("ไม่มีรายการที่รอการยืนยันครับ (รายการรอยืนยันหมดอายุใน "
                f"{CONFIRM_MINUTES} นาที หรือเมื่อมีคำสั่งใหม่ตามมา) หากต้องการบันทึก "
                "โปรดพิมพ์บันทึกใหม่อีกครั้งครับ")
STALE = {
    "superseded": "รายการนี้ถูกแทนที่ด้วยคำสั่งที่คุณพิมพ์ตามมาแล้ว จึงไม่ได้บันทึกครับ",
    "cancelled": "รายการนี้ถูกยกเลิกไปแล้ว จึงไม่ได้บันทึกครับ",
    "confirmed": "รายการนี้ยืนยันและบันทึกไปแล้วครับ ครั้งนี้ไม่ได้บันทึกซ้ำ",
    "unsent": "ข้อความของรายการนี้ถูกยกเลิกการส่งแล้ว จึงไม่ได้บันทึกครับ",
    "expired": (f"รายการนี้หมดเวลายืนยันแล้ว (เกิน {CONFIRM_MINUTES} นาที) จึงไม่ได้บันทึกครับ "
                "หากต้องการบันทึก โปรดพิมพ์ใหม่อีกครั้ง"),
}


def open_pending(ctx: Context) -> PendingConfirmation | None:
    """The sender's open, unexpired prompt in this chat (at most one: see supersede)."""
    return ctx.session.scalar(select(PendingConfirmation).where(
        PendingConfirmation.chat_id == ctx.chat_id,
        PendingConfirmation.user_id == ctx.prompt_owner,
        PendingConfirmation.resolved_at.is_(None),
        PendingConfirmation.expires_at > ctx.utcnow)
        .order_by(PendingConfirmation.id.desc()).limit(1))


def _own_prompt(ctx: Context, pending_id: int) -> PendingConfirmation | None:
    return ctx.session.scalar(select(PendingConfirmation).where(
        PendingConfirmation.id == pending_id, PendingConfirmation.chat_id == ctx.chat_id,
        PendingConfirmation.user_id == ctx.prompt_owner))


def _expired(ctx: Context, pending: PendingConfirmation) -> bool:
    at = pending.expires_at
    if at.tzinfo is None:
        at = at.replace(tzinfo=ctx.utcnow.tzinfo)
    return at <= ctx.utcnow


def resolve(ctx: Context, pending: PendingConfirmation, resolution: str) -> bool:
    """Atomically close a prompt; False when it was already closed (a double tap)."""
    res = ctx.session.execute(
        update(PendingConfirmation)
        .where(PendingConfirmation.id == pending.id, PendingConfirmation.resolved_at.is_(None))
        .values(resolved_at=ctx.utcnow, resolution=resolution))
    return res.rowcount == 1


def _stale(ctx: Context, pending: PendingConfirmation) -> Reply | None:
    if pending.resolved_at is not None:
        return Reply.text(STALE.get(pending.resolution or "", STALE["cancelled"]))
    if _expired(ctx, pending):
        return Reply.text(STALE["expired"])
    return None


def confirm(ctx: Context, pending_id: int | None) -> Reply:
    if pending_id is None:
        pending = open_pending(ctx)
        if pending is None:
            return Reply.text(NOTHING_OPEN)
    else:
        pending = _own_prompt(ctx, pending_id)
        if pending is None:  # another officer's prompt, or none at all
            return Reply.text(NOTHING_OPEN)
        stale = _stale(ctx, pending)
        if stale:
            return stale
    if not resolve(ctx, pending, "confirmed"):
        return Reply.text(STALE["confirmed"])
    c = pending.command
    if c.get("plan", ctx.plan_id) != ctx.plan_id or ctx.plan.district(c["district"]) is None:
        # asked in a 1:1 chat, then the officer wrote in a group of another province: the
        # prompt's district is not of this plan
        return Reply.text("รายการที่รอยืนยันนี้ถามไว้สำหรับอำเภอในจังหวัดอื่น ก่อนที่คุณจะพิมพ์ในกลุ่ม"
                          "ของอีกจังหวัดหนึ่ง จึงไม่ได้บันทึกครับ โปรดพิมพ์บันทึกใหม่อีกครั้ง")
    if pending.kind == "total" and ctx.user_id and own_total(
            ctx.session, ctx.plan_id, ctx.user_id, c["indicator"], c["district"],
            c.get("category")) != c.get("own"):
        return Reply.text("ยอดที่คุณบันทึกไว้เปลี่ยนไปหลังจากที่ถาม จึงไม่ได้บันทึกครับ "
                          "โปรดพิมพ์ยอดสะสมใหม่อีกครั้ง")
    bad = amount_problem(ctx, c["indicator"], c["district"], c["amount"])
    if bad:
        return bad
    return record_and_answer(ctx, c["indicator"], c["amount"], c.get("category"), c["district"],
                             pending.text, pending.message_id)


def cancel_open(ctx: Context, indicator: str | None = None) -> Reply | None:
    """ยกเลิก while a prompt is open: cancel the prompt (of ``indicator`` when one is named)."""
    pending = open_pending(ctx)
    if pending is None:
        return None
    if indicator and pending.command.get("indicator") != indicator:
        return None
    if not resolve(ctx, pending, "cancelled"):
        return None
    return Reply.text("ยกเลิกแล้วครับ ไม่ได้บันทึกรายการนี้")


@handles(Intent.CONFIRM)
def confirm_text(ctx: Context, command: Command) -> Reply:
    return confirm(ctx, None)


def _id(arg: str) -> int | None:
    return int(arg) if arg.isdigit() else None


@postback("confirm")
def confirm_postback(ctx: Context, arg: str) -> Reply:
    pending_id = _id(arg)
    return confirm(ctx, pending_id) if pending_id is not None else Reply.text(NOTHING_OPEN)


@postback("cancel")
def cancel_postback(ctx: Context, arg: str) -> Reply:
    pending_id = _id(arg)
    pending = _own_prompt(ctx, pending_id) if pending_id is not None else None
    if pending is None:
        return Reply.text(NOTHING_OPEN)
    if _expired(ctx, pending) or not resolve(ctx, pending, "cancelled"):  # closed already
        return Reply.text("รายการนี้ไม่ได้รอการยืนยันแล้ว จึงไม่มีอะไรต้องยกเลิกครับ")
    return Reply.text("ยกเลิกแล้วครับ ไม่ได้บันทึกรายการนี้")
