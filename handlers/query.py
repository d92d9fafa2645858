"""ยอด …: progress cards (Flex) or plain text — totals, targets, percent, remaining, the next
deadline with days left, and the pace forecast; breakdowns by category; กำหนดส่ง; อันดับ."""
from __future__ import annotations

from dataclasses import dataclass

from bot import thai
from bot.line import flex
from bot.core.forecast import Forecast, recent_for, window_start
from bot.language import PROVINCE, Command, Intent, Topic
from bot.line.messages import QuickReply, Reply
from bot.core.plan import Indicator
from bot.core.progress import (Figure, category_figures, deadline_for, deadline_text, district_figure,
                          district_figures, figure_text, province_figure)
from handlers.base import Context, handles
from bot.core.national import national_summary
from bot.core.plans import fiscal_year_of
from models.queries import counters, recent_amounts

BIND_HINT = ("กลุ่มนี้ยังไม่ได้ผูกกับอำเภอครับ ผู้ดูแลระบบพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\" "
             "เพื่อเริ่มใช้งาน (ดูยอดทั้งจังหวัดได้ด้วย \"ยอดรวมจังหวัด\")")
NO_DISTRICT_1TO1 = ("ยังไม่ทราบว่าคุณสังกัดอำเภอใดครับ โปรดพิมพ์คำสั่งในกลุ่มไลน์ของอำเภอ "
                    "(ที่ผูกกับน้องพัฒน์แล้ว) อย่างน้อยหนึ่งครั้ง แล้วจึงใช้แชตนี้ได้ครับ")


def unknown_district(ctx: Context) -> Reply:
    """No district to answer for: an unbound group is told how to bind it, a 1:1 chat where to
    write first."""
    return Reply.text(BIND_HINT if ctx.in_group else NO_DISTRICT_1TO1)


@dataclass
class View:
    """What one indicator looks like for the scope asked about."""
    ind: Indicator
    unit: str
    fig: Figure                      # the district's, or the province's
    province: Figure
    categories: list[Figure]
    districts: list[Figure]          # ranked, for the province view
    forecast: Forecast


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


def ranked(figs: list[Figure]) -> list[Figure]:
    return sorted(figs, key=lambda f: (-(f.percent if f.percent is not None else -1), -f.done))


def views(ctx: Context, scope: str, indicator_keys: list[str]) -> list[View]:
    plan = ctx.plan
    counts = counters(ctx.session, ctx.plan_id, indicator_keys[0] if len(indicator_keys) == 1
                      else None)
    recent = recent_amounts(ctx.session, ctx.plan_id, window_start(ctx.today, ctx.now.tzinfo))
    out = []
    for key in indicator_keys:
        ind = plan.indicator(key)
        prov = province_figure(plan, counts, ind)
        districts = ranked(district_figures(plan, counts, ind))
        if scope == PROVINCE:
            fig, cats = prov, category_figures(plan, counts, ind)
        else:
            fig = district_figure(plan, counts, ind, scope)
            cats = category_figures(plan, counts, ind, scope)
        measured = fig if fig.target is not None else prov  # no district target: the province's
        amount7 = recent_for(recent, key, None if measured is prov else scope)
        due = deadline_for(plan, key, ctx.today)
        fc = Forecast(measured.done, measured.target, due.date if due else None, ctx.today, amount7)
        out.append(View(ind, plan.units[ind.unit].name, fig, prov, cats, districts, fc))
    return out


def neighbours(ctx: Context, command: Command, scope: str) -> list[QuickReply]:
    items = [QuickReply("ยอดอำเภอ", text="ยอด"), QuickReply("ยอดจังหวัด", text="ยอดรวมจังหวัด"),
             QuickReply("กำหนดส่ง", text="กำหนดส่ง")]
    for ind in ctx.plan.indicators:
        items.append(QuickReply(f"ยอด {ind.name}"[:20], text=f"ยอด {ind.aliases[0]}"))
        if ind.categories:
            word = "แยกมิติ" if ind.key == "tpmap" else "แยกประเภท"
            items.append(QuickReply(f"{ind.name} {word}"[:20], text=f"ยอด {ind.aliases[0]} {word}"))
    items.append(QuickReply("อันดับ จปฐ", text="อันดับ จปฐ"))
    if not command.as_text:
        items.append(QuickReply("แบบข้อความ", text=f"{ctx.text.strip()[:200]} แบบข้อความ"))
    return items[:13]


def view_notes(ctx: Context, v: View, scope: str) -> list[tuple[str, str]]:
    """(icon, text) lines under an indicator's figure: the province figure when the district
    has no target of its own, the deadline, and the pace forecast."""
    notes = []
    if scope != PROVINCE and v.fig.target is None:
        notes.append(("", f"ทั้งจังหวัด {figure_text(v.province, v.unit)}"))
    due = deadline_text(ctx.plan, v.ind.key, ctx.today)
    if due:
        notes.append(("🗓 ", due))
    pace = v.forecast.text(v.unit)
    if pace:
        notes.append(("📈 ", pace))
    return notes


def view_text(ctx: Context, v: View, scope: str, breakdown: bool) -> list[str]:
    lines = [f"• {v.ind.name}: {figure_text(v.fig, v.unit)}"]
    lines += [f"   {text}" for _, text in view_notes(ctx, v, scope)]
    if breakdown:
        lines += [f"   – {c.name}: {figure_text(c, v.unit)}" for c in v.categories]
    return lines


def view_bubble(ctx: Context, v: View, scope: str, breakdown: bool, with_districts: bool) -> dict:
    notes = [icon + text for icon, text in view_notes(ctx, v, scope)]
    rows = None
    if breakdown:
        rows = [(c, v.unit) for c in v.categories]
    elif with_districts:
        rows = [(d, v.unit) for d in v.districts]
    return flex.indicator_bubble(v.ind.name, f"{ctx.district_name(scope)} · ข้อมูล ณ {thai.date(ctx.today)}",
                                 v.fig, v.unit, notes, rows, v.forecast.on_track)


def alt_text(ctx: Context, vs: list[View], scope: str) -> str:
    parts = []
    for v in vs:
        s = f"{v.ind.name} {flex.figure_line(v.fig, v.unit)}"
        if v.fig.target:
            s += f" ({thai.percent(v.fig.done, v.fig.target)}) เหลือ {thai.number(v.fig.remaining)}"
        parts.append(s)
    return f"ยอด{ctx.district_name(scope)} ณ {thai.date(ctx.today)}: " + " · ".join(parts)


def deadlines_text(ctx: Context, scope: str, keys: list[str]) -> str:
    lines = [f"🗓 กำหนดส่ง ({ctx.district_name(scope)}) ณ {thai.date(ctx.today)}"]
    for key in keys:
        ind = ctx.plan.indicator(key)
        lines.append(f"• {ind.name}")
        upcoming = [m for m in ctx.plan.milestones_for(key) if m.end >= ctx.today]
        if not upcoming:
            last = deadline_for(ctx.plan, key, ctx.today)
            if last:
                lines.append(f"   {last.title}: {thai.date(last.date)} "
                             f"({thai.days_left(last.date, ctx.today)})")
            continue
        for m in sorted(upcoming, key=lambda m: m.date):
            lines.append(f"   {thai.date_span(m.start, m.end)}: {m.title} ({thai.days_left(m.date, ctx.today)})")
    return "\n".join(lines)


def national(ctx: Context, command: Command) -> Reply:
    """ยอด in a department group: per indicator, the nation's figure and the provinces
    furthest ahead and behind (by percent of target)."""
    year = command.year
    if year is None and command.year_offset:
        year = fiscal_year_of(ctx.today) + command.year_offset
    summary = national_summary(ctx.session, ctx.catalog, ctx.today, year)
    if command.indicator:
        summary = [s for s in summary if s.key == command.indicator]
    if not summary:
        return Reply.text(f"ยังไม่มีแผนปีงบประมาณ {year} ของจังหวัดใดครับ" if year else
                          "ยังไม่มีแผนของจังหวัดใดครับ")
    label = f"ปีงบประมาณ {year}" if year else "แผนปัจจุบันของแต่ละจังหวัด"
    lines = [f"🇹🇭 ภาพรวมทั้งประเทศ ({label}) ข้อมูล ณ {thai.date(ctx.today)}"]
    for s in summary:
        fig = f"{thai.number(s.done)} / {thai.number(s.target)} {s.unit}"
        pct = f" ({thai.percent(s.done, s.target)})" if s.target else ""
        lines.append(f"• {s.name}: {fig}{pct} · {len(s.provinces)} จังหวัด")
        if len(s.provinces) > 1:
            top = s.provinces[:3]
            low = [p for p in s.provinces[-3:] if p not in top]
            lines.append("   นำ: " + ", ".join(
                f"{p.province_name} {thai.percent(p.done, p.target)}" for p in top))
            if low:
                lines.append("   ตามหลัง: " + ", ".join(
                    f"{p.province_name} {thai.percent(p.done, p.target)}" for p in reversed(low)))
    return Reply.text("\n".join(lines))


@handles(Intent.QUERY)
def query(ctx: Context, command: Command) -> Reply:
    if ctx.group_scope == "department" and ctx.catalog is not None:
        return national(ctx, command)
    scope = scope_of(ctx, command)
    if scope is None:
        return unknown_district(ctx)
    keys = [command.indicator] if command.indicator else [i.key for i in ctx.plan.indicators]
    quick = neighbours(ctx, command, scope)
    if command.topic is Topic.DEADLINE:
        return Reply.text(deadlines_text(ctx, scope, keys), quick_replies=quick)
    breakdown = command.topic is Topic.BREAKDOWN or bool(command.category)
    vs = views(ctx, scope, keys)
    with_districts = scope == PROVINCE
    if command.as_text:
        lines = [f"📊 ยอด{ctx.district_name(scope)} (ข้อมูล ณ {thai.date(ctx.today)})"]
        for v in vs:
            lines += view_text(ctx, v, scope, breakdown)
            if with_districts and not breakdown:
                lines += [f"   {n}. {d.name}: {figure_text(d, v.unit)}"
                          for n, d in enumerate(v.districts, 1)]
        return Reply.text("\n".join(lines), quick_replies=quick)
    bubbles = [view_bubble(ctx, v, scope, breakdown, with_districts) for v in vs]
    reply = Reply(flex=[flex.message(alt_text(ctx, vs, scope), bubbles)], quick_replies=quick)
    return reply


@handles(Intent.RANKING)
def ranking(ctx: Context, command: Command) -> Reply:
    key = command.indicator or ctx.plan.indicators[0].key
    v = views(ctx, PROVINCE, [key])[0]
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    by_target = any(d.target for d in v.districts)
    lines = [f"🏆 อันดับ{v.ind.name} " + ("ตามร้อยละของเป้าหมาย" if by_target else "ตามจำนวนที่บันทึก")
             + f" (ข้อมูล ณ {thai.date(ctx.today)})"]
    figs = v.districts if by_target else sorted(v.districts, key=lambda f: -f.done)
    for n, d in enumerate(figs, 1):
        lines.append(f"{medals.get(n, f'{n}.')} {d.name}: {figure_text(d, v.unit)}")
    lines.append(f"รวมจังหวัด: {figure_text(v.province, v.unit)}")
    return Reply.text("\n".join(lines), quick_replies=neighbours(ctx, command, PROVINCE))
