"""ผูกกลุ่ม อำเภอ… / ผูกกลุ่ม จังหวัด: admins bind a LINE group to a district or the province."""
from __future__ import annotations

from bot.language import PROVINCE, Command, Intent
from bot.line.messages import Reply
from handlers.base import Context, handles
from models.queries import bind_group


def district_list(ctx: Context) -> str:
    return ", ".join(d.name for d in ctx.plan.districts)


@handles(Intent.BIND, admin=True)
def bind(ctx: Context, command: Command) -> Reply:
    if not ctx.in_group:
        return Reply.text("คำสั่งผูกกลุ่มใช้ในกลุ่มไลน์ของอำเภอครับ: เชิญน้องพัฒน์เข้ากลุ่ม "
                          "แล้วพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\"")
    if not command.district:
        return Reply.text("โปรดระบุอำเภอครับ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\" หรือ \"ผูกกลุ่ม จังหวัด\"\n"
                          f"อำเภอในแผน: {district_list(ctx)}")
    if command.district == PROVINCE:
        bind_group(ctx.session, ctx.chat_id, "province", None, ctx.user_id)
        return Reply.text(f"✅ ผูกกลุ่มนี้กับระดับจังหวัด{ctx.plan.province_name}แล้วครับ\n"
                          "พิมพ์ \"ยอด\" เพื่อดูยอดรวมทั้งจังหวัด หรือ \"ยอด บ้านโป่ง\" "
                          "เพื่อดูรายอำเภอครับ")
    bind_group(ctx.session, ctx.chat_id, "district", command.district, ctx.user_id)
    name = ctx.district_name(command.district)
    return Reply.text(f"✅ ผูกกลุ่มนี้กับ{name}แล้วครับ\n"
                      f"รายการที่บันทึกในกลุ่มนี้จะนับเป็นผลงานของ{name}\n"
                      "ตัวอย่าง: บันทึก จปฐ 120 ครัวเรือน · บันทึก ออมทรัพย์ 1 กลุ่ม · ยอด")
