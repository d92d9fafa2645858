"""ผูกกลุ่ม อำเภอ… / ผูกกลุ่ม จังหวัด… / ผูกกลุ่ม กรม: bind a LINE group to a district, a
province or the department — a province admin within their province, a department admin
anywhere (bot.core.roles.ACCESS, checked in front: ``bind_access``).

While one province has plans the parser's reading decides (as it always did). With several,
the words are resolved against every loaded province (bot.core.places): a district name that
several provinces have gets a question listing them, answered by adding the province.
"""
from __future__ import annotations

from bot.core.places import Place, resolve
from bot.core.roles import SOMEWHERE, audit
from bot.language import DEPARTMENT, PROVINCE, Command, Intent
from bot.line.messages import Reply
from handlers.base import Context, Need, handles, need
from models.queries import bind_group


MAX_LISTED = 8


def district_list(ctx: Context, province_key: str | None = None) -> str:
    active = ctx.catalog.current(province_key or ctx.province_key, ctx.today) \
        if ctx.catalog is not None else None
    plan = active.plan if active is not None else ctx.plan
    return ", ".join(d.name for d in plan.districts) if plan is not None else ""


def place_name(ctx: Context, place: Place) -> str:
    if place.scope == "department":
        return "ระดับกรม (ภาพรวมทั้งประเทศ)"
    province = ctx.catalog.province_name(place.province_key) or place.province_key
    if place.scope == "province":
        return f"ระดับจังหวัด{province}"
    active = ctx.catalog.current(place.province_key, ctx.today)
    d = active.plan.district(place.district_key) if active else None
    return f"อำเภอ{d.name if d else place.district_key} จังหวัด{province}"


def target(ctx: Context, command: Command) -> Place | None:
    """The place the words name, when they name one place (else the handler asks)."""
    if command.district == DEPARTMENT:
        return Place("department")
    if not ctx.several_provinces:
        if command.district == PROVINCE:
            return Place("province", ctx.province_key)
        if command.district:
            return Place("district", ctx.province_key, command.district)
        return None
    return resolve(ctx.catalog, ctx.today, command.place or "").place


def bind_access(ctx: Context, command: Command) -> list[Need]:
    """Binding to a place needs the right to bind there; moving a group away from its
    province (or from the department) needs the right to bind there too. Words that name no
    one place (a question follows) need the right to bind somewhere."""
    place = target(ctx, command)
    if place is None:
        needs = [need("bind", SOMEWHERE)]
    elif place.scope == "department":
        needs = [need("bind_department")]
    else:
        needs = [need("bind", place.province_key, place.district_key)]
    group = ctx.group if ctx.in_group else None
    if group is not None and group.scope == "department" and (
            place is None or place.scope != "department"):
        needs.append(need("bind_department"))
    elif group is not None and group.scope in ("district", "province") and (
            place is None or place.province_key != group.province_key):
        needs.append(need("bind", group.province_key, group.district_key))
    return needs


@handles(Intent.BIND, access=bind_access)
def bind(ctx: Context, command: Command) -> Reply:
    if not ctx.in_group:
        return Reply.text("คำสั่งผูกกลุ่มใช้ในกลุ่มไลน์ของอำเภอครับ: เชิญน้องพัฒน์เข้ากลุ่ม "
                          "แล้วพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\"")
    if command.district == DEPARTMENT:
        return _bound(ctx, Place("department"))
    if not ctx.several_provinces:
        return _bind_one_province(ctx, command)
    words = command.place or ""  # the parser's words after the verb
    found = resolve(ctx.catalog, ctx.today, words)
    if found.place is not None:
        return _bound(ctx, found.place)
    if found.candidates:
        names = [place_name(ctx, c) for c in found.candidates[:MAX_LISTED]]
        first = found.candidates[0]
        example = ctx.catalog.province_name(first.province_key)
        return Reply.text(
            f"ชื่อ \"{words.strip()}\" มีในหลายจังหวัดครับ ยังไม่ได้ผูกกลุ่ม\n"
            + "\n".join(f"• {n}" for n in names)
            + f"\nโปรดพิมพ์พร้อมชื่อจังหวัด เช่น \"ผูกกลุ่ม {words.strip()} จังหวัด{example}\"")
    if found.province_key is not None and found.unknown:
        province = ctx.catalog.province_name(found.province_key)
        return Reply.text(f"ไม่พบอำเภอ \"{found.unknown}\" ในแผนของจังหวัด{province}ครับ "
                          "ยังไม่ได้ผูกกลุ่ม\n"
                          f"อำเภอในแผน: {district_list(ctx, found.province_key)}")
    if found.unknown:
        return Reply.text(f"ไม่พบ \"{found.unknown}\" ในแผนของจังหวัดใดเลยครับ ยังไม่ได้ผูกกลุ่ม\n"
                          "ตัวอย่าง: \"ผูกกลุ่ม อำเภอบ้านโป่ง\" · \"ผูกกลุ่ม อำเภอเมือง "
                          "จังหวัดราชบุรี\" · \"ผูกกลุ่ม จังหวัดราชบุรี\" · \"ผูกกลุ่ม กรม\"")
    return Reply.text("โปรดระบุอำเภอและจังหวัดครับ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\", "
                      "\"ผูกกลุ่ม อำเภอเมือง จังหวัดราชบุรี\", \"ผูกกลุ่ม จังหวัดราชบุรี\" "
                      "หรือ \"ผูกกลุ่ม กรม\"")


def _bind_one_province(ctx: Context, command: Command) -> Reply:
    if not command.district:
        return Reply.text("โปรดระบุอำเภอครับ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\" หรือ \"ผูกกลุ่ม จังหวัด\"\n"
                          f"อำเภอในแผน: {district_list(ctx)}")
    if command.district == PROVINCE:
        return _bound(ctx, Place("province", ctx.province_key))
    return _bound(ctx, Place("district", ctx.province_key, command.district))


def _bound(ctx: Context, place: Place) -> Reply:
    bind_group(ctx.session, ctx.chat_id, place.scope, place.district_key, ctx.user_id,
               province_key=place.province_key)
    audit(ctx.session, ctx.user_id or "?", "bind", ctx.chat_id, place.province_key,
          place.district_key, {"scope": place.scope}, ctx.utcnow)
    if place.scope == "department":
        return Reply.text("✅ ผูกกลุ่มนี้กับระดับกรมแล้วครับ\n"
                          "กลุ่มนี้จะได้รับสรุปภาพรวมทั้งประเทศทุกเช้า "
                          "พิมพ์ \"ยอด\" เพื่อดูยอดรวมทุกจังหวัดครับ")
    province = ctx.catalog.province_name(place.province_key) if ctx.catalog else None
    province = province or (ctx.plan.province_name if ctx.plan else "")
    if place.scope == "province":
        return Reply.text(f"✅ ผูกกลุ่มนี้กับระดับจังหวัด{province}แล้วครับ\n"
                          "พิมพ์ \"ยอด\" เพื่อดูยอดรวมทั้งจังหวัด หรือ \"ยอด บ้านโป่ง\" "
                          "เพื่อดูรายอำเภอครับ")
    name = place_name(ctx, place) if ctx.several_provinces else ctx.district_name(
        place.district_key)
    return Reply.text(f"✅ ผูกกลุ่มนี้กับ{name}แล้วครับ\n"
                      f"รายการที่บันทึกในกลุ่มนี้จะนับเป็นผลงานของ{name}\n"
                      "ตัวอย่าง: บันทึก จปฐ 120 ครัวเรือน · บันทึก ออมทรัพย์ 1 กลุ่ม · ยอด")
