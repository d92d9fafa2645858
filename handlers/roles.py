"""แต่งตั้งผู้ดูแลจังหวัด @ชื่อ / แต่งตั้งหัวหน้าอำเภอ @ชื่อ / ถอนสิทธิ์ @ชื่อ / ใครดูแล.

The person is picked by LINE's @mention (``ctx.mentionees``: userId and the @name), in the
group of the place: a province admin in a group of that province, a district head in the
district's group (or in the province's group, naming the district). Who may grant or revoke
what is the access table's (bot.core.roles.ACCESS), checked in front of these handlers; a
revoke picks, among the roles the person holds here, the one the speaker may revoke. Every
grant and revoke is written to the audit trail with the role (bot.core.roles.grant/revoke).
"""
from __future__ import annotations

from bot import thai
from bot.core import roles
from bot.core.roles import DISTRICT_HEAD, PROVINCE_ADMIN, Holder
from bot.language import PROVINCE, Command, Intent
from bot.line.messages import Reply
from handlers.base import (NO_PROVINCE_1TO1, NO_PROVINCE_GROUP, Context, Mentionee, Need,
                           handles, need, refusal)
from models.queries import display_name

ROLE = {PROVINCE_ADMIN: "ผู้ดูแลจังหวัด", DISTRICT_HEAD: "หัวหน้าอำเภอ (พัฒนาการอำเภอ)"}
VERB = {Intent.APPOINT: "แต่งตั้ง", Intent.REVOKE: "ถอนสิทธิ์"}
RIGHTS = {
    DISTRICT_HEAD: ("สิทธิ์ของหัวหน้าอำเภอ: ปิด/เปิดการแจ้งเตือนของกลุ่มอำเภอ · แก้ไขหรือยกเลิกรายการของ"
                    "พัฒนากรในอำเภอ (ตอบกลับข้อความบันทึกแล้วพิมพ์ \"แก้เป็น …\" หรือ \"ยกเลิก\") · "
                    "ดูแดชบอร์ดของอำเภอ"),
    PROVINCE_ADMIN: ("สิทธิ์ของผู้ดูแลจังหวัด: ผูกกลุ่ม · แต่งตั้งและถอนสิทธิ์หัวหน้าอำเภอ · "
                     "ปิด/เปิดการแจ้งเตือน · แก้ไขหรือยกเลิกรายการ · ดูและส่งออกข้อมูลของจังหวัด"),
}
IN_GROUP = ("คำสั่งนี้ใช้ในกลุ่มไลน์ของอำเภอหรือจังหวัดครับ: พิมพ์ในกลุ่มแล้ว @กล่าวถึงผู้นั้น "
            "เช่น \"แต่งตั้งหัวหน้าอำเภอ @ชื่อ\" (ผู้ดูแลระบบใช้คำสั่ง flask people ได้ด้วย)")
DEPARTMENT_GROUP = ("กลุ่มนี้เป็นกลุ่มระดับกรม ไม่ได้อยู่ในจังหวัดใดครับ โปรดแต่งตั้งหรือถอนสิทธิ์ในกลุ่มไลน์"
                    "ของจังหวัดหรืออำเภอนั้น")


# --------------------------------------------------------------------------- what they touch
def district_of(ctx: Context, command: Command) -> str | None:
    """The district a command is about: the one named, else the group's."""
    if command.district and command.district != PROVINCE:
        return command.district
    return ctx.group_place[1]


def appoint_access(ctx: Context, command: Command) -> list[Need]:
    province, _ = ctx.role_place
    if command.role == PROVINCE_ADMIN:
        return [need("appoint_province_admin", province)]
    if command.role == DISTRICT_HEAD:
        return [need("appoint_district_head", province, district_of(ctx, command))]
    return [need(("appoint_district_head", "appoint_province_admin"), province,
                 district_of(ctx, command))]


def revoke_access(ctx: Context, command: Command) -> list[Need]:
    province, _ = ctx.role_place
    actions = {PROVINCE_ADMIN: "revoke_province_admin",
               DISTRICT_HEAD: "revoke_district_head"}.get(
        command.role, ("revoke_district_head", "revoke_province_admin"))
    return [need(actions, province, district_of(ctx, command))]


# --------------------------------------------------------------------------- words
def _province(ctx: Context, key: str) -> str:
    name = ctx.catalog.province_name(key) if ctx.catalog is not None else None
    return name or (ctx.plan.province_name if ctx.plan is not None else key)


def _district(ctx: Context, province_key: str, district_key: str) -> str:
    active = ctx.catalog.current(province_key, ctx.today) if ctx.catalog is not None else None
    plan = active.plan if active is not None else ctx.plan
    d = plan.district(district_key) if plan is not None else None
    return d.name if d else district_key


def place_of(ctx: Context, role: str, province_key: str, district_key: str | None) -> str:
    """"อำเภอบ้านโป่ง จังหวัดราชบุรี", "จังหวัดราชบุรี"."""
    if role == DISTRICT_HEAD and district_key:
        return f"อำเภอ{_district(ctx, province_key, district_key)} จังหวัด{_province(ctx, province_key)}"
    return f"จังหวัด{_province(ctx, province_key)}"


def since(ctx: Context, h: Holder) -> str:
    return thai.date(ctx.local(h.granted_at).date())


def name_of(h: Holder) -> str:
    return h.display_name or f"ผู้ใช้ …{h.user_id[-4:]}"


def _people(ctx: Context, command: Command, verb: str
            ) -> tuple[list[Mentionee], Reply | None]:
    """The people the message @mentions, or the answer saying how to pick them."""
    people = list(ctx.mentionees)
    if not people:
        typed = ""
        if command.unknown:
            words = " ".join(command.unknown)
            typed = f"\n(คำว่า \"{words}\" ไม่ใช่การ @กล่าวถึง น้องพัฒน์จึงไม่ทราบว่าเป็นใคร)"
        example = ("แต่งตั้งผู้ดูแลจังหวัด @ชื่อ" if command.role == PROVINCE_ADMIN else
                   "ถอนสิทธิ์ @ชื่อ" if command.intent is Intent.REVOKE else
                   "แต่งตั้งหัวหน้าอำเภอ @ชื่อ")
        return [], Reply.text(
            f"โปรด @กล่าวถึงผู้ที่จะ{verb}ครับ: พิมพ์ @ แล้วเลือกชื่อจากรายชื่อสมาชิกในกลุ่ม "
            f"เช่น \"{example}\" ยังไม่ได้{verb}ใคร{typed}")
    hidden = [p for p in people if not p.user_id]
    if hidden:
        names = " ".join(f"@{p.name}" if p.name else "ผู้ที่ถูกกล่าวถึง" for p in hidden)
        return [], Reply.text(
            f"LINE ไม่ได้ส่งบัญชีของ {names} มาให้น้องพัฒน์ "
            "(เพราะยังไม่ได้เพิ่มน้องพัฒน์เป็นเพื่อน) จึงยังไม่ได้" + verb + "ใครครับ\n"
            f"วิธีแก้: ให้ {names} เพิ่มน้องพัฒน์เป็นเพื่อนใน LINE ก่อน "
            "แล้วพิมพ์คำสั่งนี้พร้อม @กล่าวถึงอีกครั้งครับ")
    return people, None


def _not_read(ctx: Context, command: Command, verb: str) -> Reply | None:
    """A grant or revoke acts only on what was read for certain."""
    if command.needs_confirmation:
        fixed = ", ".join(f"\"{a}\" → \"{b}\"" for a, b in command.corrections)
        return Reply.text(f"น้องพัฒน์ไม่แน่ใจว่าอ่านถูก ({fixed}) จึงยังไม่ได้{verb}ใครครับ "
                          "โปรดพิมพ์ใหม่ให้ถูกต้องอีกครั้ง")
    if command.problem == "two-roles":
        return Reply.text(f"โปรด{verb}ทีละตำแหน่งครับ เช่น \"{verb}หัวหน้าอำเภอ @ชื่อ\" "
                          f"หรือ \"{verb}ผู้ดูแลจังหวัด @ชื่อ\" ยังไม่ได้{verb}ใคร")
    if command.problem:
        return Reply.text(f"โปรดระบุอำเภอเดียวครับ เช่น \"{verb}หัวหน้าอำเภอบ้านโป่ง @ชื่อ\" "
                          f"ยังไม่ได้{verb}ใคร")
    return None


def _where(ctx: Context) -> Reply | None:
    """The answer when this chat is not a group of a province."""
    if not ctx.in_group:
        return Reply.text(IN_GROUP)
    if ctx.group_scope == "department":
        return Reply.text(DEPARTMENT_GROUP)
    if ctx.group_place[0] is None:
        return Reply.text(NO_PROVINCE_GROUP)
    return None


# --------------------------------------------------------------------------- แต่งตั้ง
@handles(Intent.APPOINT, access=appoint_access)
def appoint(ctx: Context, command: Command) -> Reply:
    verb = VERB[Intent.APPOINT]
    answer = _where(ctx) or _not_read(ctx, command, verb)
    if answer:
        return answer
    if command.role is None:
        return Reply.text("โปรดระบุตำแหน่งครับ: \"แต่งตั้งหัวหน้าอำเภอ @ชื่อ\" (พัฒนาการอำเภอ) หรือ "
                          "\"แต่งตั้งผู้ดูแลจังหวัด @ชื่อ\" ยังไม่ได้แต่งตั้งใคร")
    province = ctx.group_place[0]
    district = district_of(ctx, command) if command.role == DISTRICT_HEAD else None
    if command.role == DISTRICT_HEAD and district is None:
        return Reply.text("กลุ่มนี้เป็นกลุ่มระดับจังหวัด โปรดระบุอำเภอครับ เช่น "
                          "\"แต่งตั้งหัวหน้าอำเภอบ้านโป่ง @ชื่อ\" หรือพิมพ์ในกลุ่มของอำเภอนั้น "
                          "ยังไม่ได้แต่งตั้งใคร")
    people, answer = _people(ctx, command, verb)
    if answer:
        return answer
    where = place_of(ctx, command.role, province, district)
    lines = []
    for p in people:
        user = roles.ensure_user(ctx.session, p.user_id, p.name)
        if user.profile_fetched_at is None:
            ctx.fetch_names.append(p.user_id)   # after the commit, from the group's profile
        name = user.display_name or p.name or f"ผู้ใช้ …{p.user_id[-4:]}"
        row, new = roles.grant(ctx.session, p.user_id, command.role, province, district,
                               by=ctx.user_id or "?", at=ctx.utcnow,
                               detail={"chat": ctx.chat_id, "name": name})
        if new:
            lines.append(f"✅ แต่งตั้งคุณ{name} เป็น{ROLE[command.role]} {where} แล้วครับ")
        else:
            at = thai.date(ctx.local(roles.aware(row.granted_at)).date())
            lines.append(f"คุณ{name} เป็น{ROLE[command.role]} {where} อยู่แล้วครับ "
                         f"(ตั้งแต่ {at})")
    lines.append(RIGHTS[command.role])
    return Reply.text("\n".join(lines))


# --------------------------------------------------------------------------- ถอนสิทธิ์
def _held_here(ctx: Context, command: Command, user_id: str) -> list[Holder]:
    """The person's live roles that this message can be about: in a district group the
    province's admin role and that district's head role; in the province's group any of the
    province; narrowed by the role and district the words name."""
    province, group_district = ctx.group_place
    named = command.district if command.district not in (None, PROVINCE) else None
    out = []
    for h in roles.people_of(ctx.session, province, user_id=user_id):
        if command.role and h.role != command.role:
            continue
        if h.role == DISTRICT_HEAD and (named or group_district) and \
                h.district_key != (named or group_district):
            continue
        out.append(h)
    return out


def _revoke_one(ctx: Context, command: Command, p: Mentionee) -> str:
    name = display_name(ctx.session, p.user_id) or p.name or f"ผู้ใช้ …{p.user_id[-4:]}"
    held = _held_here(ctx, command, p.user_id)
    if not held:
        what = ROLE.get(command.role or "", "ผู้ดูแล")
        district = district_of(ctx, command)
        here = place_of(ctx, DISTRICT_HEAD if district else PROVINCE_ADMIN,
                        ctx.group_place[0], district)
        return (f"คุณ{name} ไม่ได้เป็น{what}ของ{here}ครับ จึงไม่มีสิทธิ์ให้ถอน "
                "(พิมพ์ \"ใครดูแล\" เพื่อดูรายชื่อ)")
    mine = [h for h in held if ctx.may(f"revoke_{h.role}", h.province_key, h.district_key)]
    if not mine:
        return refusal(ctx, need(f"revoke_{held[0].role}", held[0].province_key))
    if len(mine) > 1:
        listed = "\n".join(f"• {ROLE[h.role]} {place_of(ctx, h.role, h.province_key, h.district_key)}"
                           for h in mine)
        return (f"คุณ{name} มีสิทธิ์มากกว่าหนึ่งอย่างที่นี่ครับ ยังไม่ได้ถอนสิทธิ์ใด:\n{listed}\n"
                "โปรดระบุว่าจะถอนสิทธิ์ใด เช่น \"ถอนสิทธิ์หัวหน้าอำเภอบ้านโป่ง @ชื่อ\" หรือ "
                "\"ถอนสิทธิ์ผู้ดูแลจังหวัด @ชื่อ\"")
    h = mine[0]
    roles.revoke(ctx.session, h.user_id, h.role, h.province_key, h.district_key,
                 by=ctx.user_id or "?", at=ctx.utcnow, detail={"chat": ctx.chat_id, "name": name})
    return (f"✅ ถอนสิทธิ์{ROLE[h.role]} {place_of(ctx, h.role, h.province_key, h.district_key)} "
            f"ของคุณ{name} แล้วครับ (ได้รับแต่งตั้งเมื่อ {since(ctx, h)})")


@handles(Intent.REVOKE, access=revoke_access)
def revoke(ctx: Context, command: Command) -> Reply:
    verb = VERB[Intent.REVOKE]
    answer = _where(ctx) or _not_read(ctx, command, verb)
    if answer:
        return answer
    people, answer = _people(ctx, command, verb)
    if answer:
        return answer
    return Reply.text("\n".join(_revoke_one(ctx, command, p) for p in people))


# --------------------------------------------------------------------------- ใครดูแล
@handles(Intent.WHO, access=lambda ctx, command: [need("who")])
def who(ctx: Context, command: Command) -> Reply:
    province, district = ctx.group_place
    if not ctx.in_group:
        district = ctx.home_district()
        province = ctx.province_key if district else None
    if province is None:
        if ctx.in_group and ctx.group_scope == "department":
            return Reply.text(f"กลุ่มนี้เป็นกลุ่มระดับกรมครับ ผู้ดูแลระบบของกรม {len(ctx.admins)} คน "
                              "(ตั้งค่าในระบบ) ดูรายชื่อผู้ดูแลของแต่ละจังหวัดได้ในกลุ่มของจังหวัดนั้น")
        return Reply.text(NO_PROVINCE_GROUP if ctx.in_group else NO_PROVINCE_1TO1)
    if command.district == PROVINCE:
        district = None
    elif command.district:
        district = command.district
    holders = roles.people_of(ctx.session, province, district)
    heads = [h for h in holders if h.role == DISTRICT_HEAD]
    admins = [h for h in holders if h.role == PROVINCE_ADMIN]
    pname = _province(ctx, province)
    where = (f"อำเภอ{_district(ctx, province, district)} จังหวัด{pname}" if district
             else f"จังหวัด{pname}")
    lines = [f"👤 ผู้ดูแล{where}"]
    lines.append("หัวหน้าอำเภอ (พัฒนาการอำเภอ):")
    for h in heads:
        at = "" if district else f" อำเภอ{_district(ctx, province, h.district_key)}"
        lines.append(f"• {name_of(h)}{at} — ตั้งแต่ {since(ctx, h)}")
    if not heads:
        lines.append("• ยังไม่มี (ผู้ดูแลจังหวัดแต่งตั้งได้ในกลุ่มของอำเภอ: "
                     "\"แต่งตั้งหัวหน้าอำเภอ @ชื่อ\")")
    lines.append(f"ผู้ดูแลจังหวัด{pname}:")
    lines += [f"• {name_of(h)} — ตั้งแต่ {since(ctx, h)}" for h in admins]
    if not admins:
        lines.append("• ยังไม่มี (ผู้ดูแลระบบของกรมแต่งตั้งได้: \"แต่งตั้งผู้ดูแลจังหวัด @ชื่อ\")")
    return Reply.text("\n".join(lines))
