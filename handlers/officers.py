"""The roster and the "1 พัฒนากร 1 กลุ่ม" campaign: ลงทะเบียน, ใครยังไม่ส่ง …, ของฉัน, ประวัติ."""
from __future__ import annotations

from sqlalchemy import func, select

from bot import thai
from bot.language import PROVINCE, Command, Intent
from bot.line.messages import QuickReply, Reply
from handlers.base import Context, handles
from handlers.log import describe
from handlers.query import scope_of, unknown_district
from models import Entry, LineUser

HISTORY_SIZE = 10


def who(user: LineUser | None, user_id: str | None) -> str:
    if user is not None and user.display_name:
        return user.display_name
    return f"ผู้ใช้ …{(user_id or '')[-4:]}" if user_id else "ไม่ทราบชื่อ"


@handles(Intent.REGISTER)
def register(ctx: Context, command: Command) -> Reply:
    district = ctx.bound_district
    if district is None:
        return Reply.text("ลงทะเบียนในกลุ่มไลน์ของอำเภอ (ที่ผูกกับน้องพัฒน์แล้ว) ครับ")
    if not ctx.user_id:
        return Reply.text("น้องพัฒน์ไม่เห็นบัญชีผู้ส่งครับ (โปรดเพิ่มน้องพัฒน์เป็นเพื่อนก่อน แล้วลองอีกครั้ง)")
    user = ctx.user or ctx.session.get(LineUser, ctx.user_id)
    again = (user.registered_district, user.registered_province) == (district, ctx.province_key)
    user.registered_district, user.registered_at = district, ctx.utcnow
    user.registered_province = ctx.province_key
    name = f" คุณ{user.display_name}" if user.display_name else ""
    if again:
        return Reply.text(f"คุณลงทะเบียนเป็นพัฒนากร{ctx.district_name(district)}ไว้แล้วครับ{name}")
    count = ctx.session.scalar(select(func.count()).select_from(LineUser).where(
        LineUser.registered_province == ctx.province_key,
        LineUser.registered_district == district))
    return Reply.text(f"✅ ลงทะเบียน{name} เป็นพัฒนากร{ctx.district_name(district)}แล้วครับ "
                      f"(ลงทะเบียนแล้ว {thai.number(count)} คนในอำเภอนี้)")


@handles(Intent.MISSING)
def missing(ctx: Context, command: Command) -> Reply:
    key = command.indicator or "savings"
    ind = ctx.plan.indicator(key)
    scope = scope_of(ctx, command)
    if scope is None:
        return unknown_district(ctx)
    reported = select(Entry.user_id).where(Entry.plan_id == ctx.plan_id,
                                           Entry.indicator_key == key,
                                           Entry.undone_at.is_(None)).distinct()
    q = select(LineUser).where(LineUser.registered_province == ctx.province_key,
                               LineUser.registered_district.is_not(None))
    if scope != PROVINCE:
        q = q.where(LineUser.registered_district == scope)
    officers = ctx.session.scalars(q.order_by(LineUser.registered_district,
                                              LineUser.display_name)).all()
    done_ids = set(ctx.session.scalars(reported))
    waiting = [u for u in officers if u.user_id not in done_ids]
    if scope == PROVINCE:
        lines = [f"👥 พัฒนากรที่ลงทะเบียน {thai.number(len(officers))} / "
                 f"{thai.number(ctx.plan.officers)} คน · ยังไม่ส่ง{ind.name} "
                 f"{thai.number(len(waiting))} คน"]
        for d in ctx.plan.districts:
            reg = [u for u in officers if u.registered_district == d.key]
            wait = [u for u in waiting if u.registered_district == d.key]
            lines.append(f"• {d.name}: ลงทะเบียน {len(reg)} คน ยังไม่ส่ง {len(wait)} คน")
        return Reply.text("\n".join(lines))
    if not officers:
        return Reply.text(f"{ctx.district_name(scope)}ยังไม่มีพัฒนากรลงทะเบียนครับ "
                          "ให้พัฒนากรพิมพ์ \"ลงทะเบียน\" ในกลุ่มนี้คนละครั้ง")
    if not waiting:
        return Reply.text(f"🎉 พัฒนากร{ctx.district_name(scope)}ที่ลงทะเบียนทั้ง "
                          f"{len(officers)} คน ส่ง{ind.name}แล้วครับ")
    lines = [f"📋 ยังไม่ส่ง{ind.name} ({ctx.district_name(scope)}) "
             f"{len(waiting)} จาก {len(officers)} คน:"]
    lines += [f"• {who(u, u.user_id)}" for u in waiting]
    return Reply.text("\n".join(lines))


def entry_line(ctx: Context, e: Entry, names: dict[str, LineUser], with_who: bool) -> str:
    line = (f"{thai.date_time(ctx.local(e.created_at))} · "
            f"{describe(ctx, e.indicator_key, e.amount, e.category_key)}")
    if with_who:
        line += f" · {who(names.get(e.user_id), e.user_id)}"
    # who changed another officer's entry (a district head, an admin): said, by name
    by = e.changed_by if e.changed_by and e.changed_by != e.user_id else None
    by_text = f" โดย {who(names.get(by), by)}" if by and with_who else ""
    if e.amended_from is not None:
        line += f" (แก้จาก {thai.number(e.amended_from)}{by_text if e.undone_at is None else ''})"
    if e.undone_at is not None:
        line = f"❌ {line} (ยกเลิกแล้ว{by_text})"
    return line


@handles(Intent.MINE)
def mine(ctx: Context, command: Command) -> Reply:
    if not ctx.user_id:
        return Reply.text("น้องพัฒน์ไม่เห็นบัญชีผู้ส่งครับ")
    entries = ctx.session.scalars(
        select(Entry).where(Entry.plan_id == ctx.plan_id, Entry.user_id == ctx.user_id)
        .order_by(Entry.id.desc()).limit(HISTORY_SIZE)).all()
    if not entries:
        return Reply.text("คุณยังไม่มีรายการที่บันทึกไว้ครับ ตัวอย่าง: บันทึก จปฐ 120 ครัวเรือน")
    sums = ctx.session.execute(
        select(Entry.indicator_key, func.sum(Entry.amount), func.count())
        .where(Entry.plan_id == ctx.plan_id, Entry.user_id == ctx.user_id,
               Entry.undone_at.is_(None)).group_by(Entry.indicator_key)).all()
    lines = ["🗂 รายการของคุณ"]
    for key, total, n in sums:
        ind = ctx.plan.indicator(key)
        lines.append(f"• {ind.name}: รวม {thai.number(total)} "
                     f"{ctx.plan.units[ind.unit].name} ({thai.number(n)} รายการ)")
    lines.append(f"ล่าสุด {len(entries)} รายการ:")
    lines += [entry_line(ctx, e, {}, False) for e in entries]
    return Reply.text("\n".join(lines), quick_replies=[QuickReply("ยกเลิกล่าสุด", text="ยกเลิก")])


@handles(Intent.HISTORY)
def history(ctx: Context, command: Command) -> Reply:
    scope = scope_of(ctx, command)
    if scope is None:
        return unknown_district(ctx)
    q = select(Entry).where(Entry.plan_id == ctx.plan_id)
    if scope != PROVINCE:
        q = q.where(Entry.district_key == scope)
    if command.indicator:
        q = q.where(Entry.indicator_key == command.indicator)
    entries = ctx.session.scalars(q.order_by(Entry.id.desc()).limit(HISTORY_SIZE)).all()
    if not entries:
        return Reply.text(f"{ctx.district_name(scope)}ยังไม่มีรายการบันทึกครับ")
    ids = {e.user_id for e in entries if e.user_id} | {e.changed_by for e in entries
                                                        if e.changed_by}
    names = {u.user_id: u for u in ctx.session.scalars(
        select(LineUser).where(LineUser.user_id.in_(ids)))} if ids else {}
    lines = [f"🕘 {len(entries)} รายการล่าสุด ({ctx.district_name(scope)})"]
    for e in entries:
        line = entry_line(ctx, e, names, True)
        if scope == PROVINCE:
            line += f" · {ctx.plan.district(e.district_key).name}"
        lines.append(line)
    return Reply.text("\n".join(lines))
