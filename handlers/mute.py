"""ปิดแจ้งเตือน / เปิดแจ้งเตือน: mute or unmute a group's deadline reminders — the head of its
district, a province admin of its province, or a department admin (bot.core.roles.ACCESS)."""
from __future__ import annotations

from bot.language import Command, Intent
from bot.line.messages import Reply
from handlers.base import Context, Need, handles, need
from models.queries import get_group


def group_access(ctx: Context, command: Command) -> list[Need]:
    """The group's own place: its district (a district group), its province (a province
    group); the department's group belongs to no province (see Context.role_place)."""
    return [need("mute", *ctx.role_place)]


def _set(ctx: Context, muted: bool) -> Reply:
    group = get_group(ctx.session, ctx.chat_id) if ctx.in_group else None
    if group is None or group.scope is None:
        return Reply.text("ใช้คำสั่งนี้ในกลุ่มที่ผูกกับอำเภอหรือจังหวัดแล้วครับ")
    group.muted = muted
    if muted:
        return Reply.text("🔕 ปิดการแจ้งเตือนกำหนดส่งของกลุ่มนี้แล้วครับ "
                          "(พิมพ์ \"เปิดแจ้งเตือน\" เพื่อเปิดอีกครั้ง)")
    return Reply.text("🔔 เปิดการแจ้งเตือนกำหนดส่งของกลุ่มนี้แล้วครับ")


@handles(Intent.MUTE, access=group_access)
def mute(ctx: Context, command: Command) -> Reply:
    return _set(ctx, True)


@handles(Intent.UNMUTE, access=group_access)
def unmute(ctx: Context, command: Command) -> Reply:
    return _set(ctx, False)
