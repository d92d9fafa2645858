"""ยอด …: totals, targets, percent, remaining and the next deadline."""
from __future__ import annotations

from bot import thai
from bot.language import PROVINCE, Command, Intent, Topic
from bot.messages import QuickReply, Reply
from bot.progress import (category_figures, deadline_text, district_figure, district_figures,
                          figure_text, province_figure)
from handlers.base import Context, handles
from models.queries import counters

BIND_HINT = ("กลุ่มนี้ยังไม่ได้ผูกกับอำเภอครับ ผู้ดูแลระบบพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\" "
             "เพื่อเริ่มใช้งาน (ดูยอดทั้งจังหวัดได้ด้วย \"ยอดรวมจังหวัด\")")
NO_DISTRICT_1TO1 = ("ยังไม่ทราบว่าคุณสังกัดอำเภอใดครับ โปรดพิมพ์คำสั่งในกลุ่มไลน์ของอำเภอ "
                    "(ที่ผูกกับน้องพัฒน์แล้ว) อย่างน้อยหนึ่งครั้ง แล้วจึงใช้แชตนี้ได้ครับ")

QUICK = [QuickReply("ยอดอำเภอ", text="ยอด"), QuickReply("ยอดจังหวัด", text="ยอดรวมจังหวัด"),
         QuickReply("วิธีใช้", text="วิธีใช้")]


def scope_of(ctx: Context, command: Command) -> str | None:
    """The district key asked about, PROVINCE, or None when it cannot be known."""
    if command.district:
        return command.district
    if ctx.group_scope == "province":
        return PROVINCE
    home = ctx.home_district()
    if home:
        return home
    return None if ctx.in_group else PROVINCE if ctx.is_admin else None


@handles(Intent.QUERY)
def query(ctx: Context, command: Command) -> Reply:
    scope = scope_of(ctx, command)
    if scope is None:
        return Reply.text(BIND_HINT if ctx.in_group else NO_DISTRICT_1TO1)
    plan, today = ctx.plan, ctx.today
    indicators = [plan.indicator(command.indicator)] if command.indicator else list(plan.indicators)
    counts = counters(ctx.session, ctx.plan_id, command.indicator)
    lines = [f"📊 ยอด{ctx.district_name(scope)} (ข้อมูล ณ {thai.date(today)})"]
    for ind in indicators:
        unit = plan.units[ind.unit].name
        fig = (province_figure(plan, counts, ind) if scope == PROVINCE
               else district_figure(plan, counts, ind, scope))
        if command.topic is Topic.DEADLINE:
            lines.append(f"• {ind.name}: {deadline_text(plan, ind.key, today) or 'ไม่มีกำหนดส่ง'}")
            continue
        lines.append(f"• {ind.name}: {figure_text(fig, unit)}")
        if scope != PROVINCE and fig.target is None:
            prov = province_figure(plan, counts, ind)
            lines.append(f"   ทั้งจังหวัด {figure_text(prov, unit)}")
        due = deadline_text(plan, ind.key, today)
        if due:
            lines.append(f"   {due}")
        if command.topic is Topic.BREAKDOWN or (command.indicator and ind.categories
                                                and command.category is None):
            for cf in category_figures(plan, counts, ind, None if scope == PROVINCE else scope):
                if cf.done or cf.target:
                    lines.append(f"   – {cf.name}: {figure_text(cf, unit)}")
        if scope == PROVINCE and command.indicator:
            ranked = sorted(district_figures(plan, counts, ind),
                            key=lambda f: (-(f.percent or 0), -f.done))
            for f in ranked:
                lines.append(f"   – {f.name}: {figure_text(f, unit)}")
    return Reply.text("\n".join(lines), quick_replies=QUICK)
