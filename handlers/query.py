"""ยอด …: progress cards (Flex) or plain text, read from the status board (bot.core.status):
per indicator the figure, its status in words and colour, what was done against where the
straight line stands, how long nothing was logged, the next deadline and the pace needed; the
province card lists every district, the furthest behind first; อันดับ ranks them by percent of
target; breakdowns by category; กำหนดส่ง. A card and its แบบข้อความ form are built from the same
lines, so they say the same."""
from __future__ import annotations

from dataclasses import dataclass

from bot import thai
from bot.core.forecast import recent_for, window_start
from bot.core.national import national_summary
from bot.core.plan import Indicator
from bot.core.plans import fiscal_year_of
from bot.core.progress import Figure, category_figures, deadline_for, deadline_text, figure_text
from bot.core.status import LABELS, NO_TARGET, ORDER, WHOLE_PROVINCE, Status
from bot.language import PROVINCE, Command, Intent, Topic
from bot.line import flex
from bot.line.messages import QuickReply, Reply
from handlers.base import Context, handles
from models.queries import counters, load_board, recent_amounts

BIND_HINT = ("กลุ่มนี้ยังไม่ได้ผูกกับอำเภอครับ ผู้ดูแลระบบพิมพ์ เช่น \"ผูกกลุ่ม อำเภอบ้านโป่ง\" "
             "เพื่อเริ่มใช้งาน (ดูยอดทั้งจังหวัดได้ด้วย \"ยอดรวมจังหวัด\")")
NO_DISTRICT_1TO1 = ("ยังไม่ทราบว่าคุณสังกัดอำเภอใดครับ โปรดพิมพ์คำสั่งในกลุ่มไลน์ของอำเภอ "
                    "(ที่ผูกกับน้องพัฒน์แล้ว) อย่างน้อยหนึ่งครั้ง แล้วจึงใช้แชตนี้ได้ครับ")
QUIET_ICON = "💤 "
MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"}


def unknown_district(ctx: Context) -> Reply:
    """No district to answer for: an unbound group is told how to bind it, a 1:1 chat where to
    write first."""
    return Reply.text(BIND_HINT if ctx.in_group else NO_DISTRICT_1TO1)


@dataclass(frozen=True)
class Note:
    """One line under an indicator's figure, the same in the card and in its text form."""
    icon: str
    text: str
    color: str = flex.INK
    bold: bool = False

    def __str__(self) -> str:
        return self.icon + self.text


@dataclass
class View:
    """What one indicator looks like for the scope asked about."""
    ind: Indicator
    unit: str
    own: Status                      # the district's status, or the province's
    measured: Status                 # whose verdict and pace apply (the province's when the
                                     # district has no target of its own)
    province: Status
    categories: list[Figure]
    districts: list[Status]          # the furthest behind first, plan order among equals
    counts: dict[str, int]           # districts per status
    recent: int                      # logged in the last 7 days by the measured scope

    @property
    def whole_province(self) -> bool:
        """A district card whose verdict and pace are the province's."""
        return self.own.district is not None and self.own.status == NO_TARGET


def scope_of(ctx: Context, command: Command) -> str | None:
    """The district key asked about, PROVINCE, or None when it cannot be known."""
    if command.district:
        return command.district
    if ctx.group_scope == "province":
        return PROVINCE
    home = ctx.home_district()
    if home:
        return home
    if ctx.in_group:
        return None
    # 1:1 with no district group: a province admin (or the department's) sees the province, a
    # district head their district
    if ctx.is_admin or ctx.may("view", ctx.province_key):
        return PROVINCE
    heads = sorted(d for p, d in ctx.person.district_head_of if p == ctx.province_key)
    return heads[0] if len(heads) == 1 else None


def views(ctx: Context, scope: str, indicator_keys: list[str]) -> list[View]:
    plan = ctx.plan
    counts = counters(ctx.session, ctx.plan_id)
    board = load_board(ctx.session, ctx.plan_id, plan, ctx.now, counts)
    recent = recent_amounts(ctx.session, ctx.plan_id, window_start(ctx.today, ctx.now.tzinfo))
    district = None if scope == PROVINCE else scope
    out = []
    for key in indicator_keys:
        ind = plan.indicator(key)
        own = board.cell(key, district)
        measured = board.measured(key, district)
        out.append(View(ind, own.unit, own, measured, board.province[key],
                        category_figures(plan, counts, ind, district), board.worst_first(key),
                        board.counts(key), recent_for(recent, key, measured.district)))
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


# --------------------------------------------------------------------------- words
def share_text(st: Status | Figure, unit: str) -> str:
    """'31.0% · เหลืออีก 8,359 ครัวเรือน' (under a figure with a target)."""
    rem = st.remaining
    return (f"{thai.percent(st.done, st.target)} · "
            + ("ครบเป้าแล้ว 🎉" if rem == 0 else f"เหลืออีก {thai.number(rem)} {unit}"))


def percent_first(st: Status | Figure, unit: str) -> str:
    """'31.0% · 3,756 / 12,115 ครัวเรือน': the percent in full, then done / target."""
    if st.target is None:
        return flex.figure_line(st, unit)
    return f"{thai.percent(st.done, st.target)} · {flex.figure_line(st, unit)}"


def pace(v: View) -> str | None:
    """'ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ) · 7 วันล่าสุดได้ 0 ครัวเรือน'; under one
    a day per week (Status.pace: never rounded up to 1 a day). What the last 7 days brought is
    left out when the quiet line says it already."""
    m = v.measured
    text = m.pace()
    if not text:
        return None
    if m.needed_per_working_day is None:        # the deadline has passed
        return text
    who = WHOLE_PROVINCE if v.whole_province else ""
    text = who + text
    if not m.silent:
        text += f" · 7 วันล่าสุด{who}ได้ {thai.number(v.recent)} {v.unit}"
    return text


def quiet(st: Status) -> str | None:
    q = st.quiet_text()
    return QUIET_ICON + q if q else None


def notes(ctx: Context, v: View) -> list[Note]:
    """The lines under an indicator's figure: the status in words, done against the line, how
    long nothing was logged, the deadline and the pace. A district with no target of its own:
    its own silence first, then the province's figure, verdict and pace, each saying so."""
    out = []
    quiet_note = Note(QUIET_ICON, v.own.quiet_text(), flex.QUIET) if v.own.silent else None
    if v.whole_province:
        if quiet_note:
            out.append(quiet_note)
        out.append(Note("", f"{WHOLE_PROVINCE}: {figure_text(v.province, v.unit)}"))
    said = v.measured.verdict(v.whole_province)
    if said:
        out.append(Note(v.measured.icon + " ", said, v.measured.ink, True))
    if quiet_note and not v.whole_province:
        out.append(quiet_note)
    due = deadline_text(ctx.plan, v.ind.key, ctx.today)
    if due:
        out.append(Note("🗓 ", due))
    p = pace(v)
    if p:
        out.append(Note("📈 ", p))
    return out


def row_text(d: Status, lead: str = "–") -> str:
    """A district on one line: '– จอมบึง: 31.0% · 3,756 / 12,115 ครัวเรือน · 🔴 ล่าช้า · 💤 …'."""
    parts = [f"{lead} {d.name}: {percent_first(d, d.unit)}"]
    if d.status != NO_TARGET:
        parts.append(f"{d.icon} {d.label}")
    q = quiet(d)
    if q:
        parts.append(q)
    return " · ".join(parts)


def districts_heading(v: View) -> str:
    """'รายอำเภอ เรียงจากที่ต้องเร่งก่อน (ล่าช้า 2 · ไม่มีความเคลื่อนไหว 1 · ตามแผน 6 · ครบแล้ว 1)'.

    Worst first (Board.worst_first), not by percent: the province reads this card to decide
    whom to call; อันดับ is the view by percent."""
    if all(d.status == NO_TARGET for d in v.districts):
        return "รายอำเภอ (ไม่มีเป้ารายอำเภอ)"
    counts = " · ".join(f"{LABELS[s]} {thai.number(v.counts[s])}" for s in ORDER
                        if v.counts.get(s) and s != NO_TARGET)
    return f"รายอำเภอ เรียงจากที่ต้องเร่งก่อน ({counts})"


def district_box(d: Status, lead: str | None = None) -> dict:
    if d.target is None:
        return flex.count_row(d.name, flex.figure_line(d, d.unit), quiet(d), lead)
    return flex.status_row(d, quiet(d), lead)


# --------------------------------------------------------------------------- ยอด
def own_count_note(v: View) -> str:
    return f"ยอดของอำเภอ · {LABELS[NO_TARGET]}"


def view_text(ctx: Context, v: View, breakdown: bool, with_districts: bool) -> list[str]:
    head = f"• {v.ind.name}: {figure_text(v.own, v.unit)}"
    if v.whole_province:
        head += f" ({own_count_note(v)})"
    lines = [head]
    lines += [f"   {n}" for n in notes(ctx, v)]
    if breakdown:
        lines += [f"   – {c.name}: {percent_first(c, v.unit)}" for c in v.categories]
    elif with_districts:
        lines.append(f"   {districts_heading(v)}")
        lines += [f"   {row_text(d)}" for d in v.districts]
    return lines


def view_bubble(ctx: Context, v: View, scope: str, breakdown: bool, with_districts: bool) -> dict:
    own = v.own
    body: list[dict] = [
        flex.text(v.ind.name, "lg", weight="bold"),
        flex.text(f"{ctx.district_name(scope)} · ข้อมูล ณ {thai.date(ctx.today)}", "xs",
                  flex.MUTED),
        flex.big_figure(own, v.unit),
    ]
    if v.whole_province:
        body.append(flex.text(own_count_note(v), "sm", flex.MUTED, margin="sm"))
    if own.target is not None:
        body.append(flex.status_bar(own))
        body.append(flex.text(share_text(own, v.unit), "sm", flex.MUTED, margin="sm"))
    for n in notes(ctx, v):
        body.append(flex.text(str(n), "xs", n.color, "bold" if n.bold else None, margin="md"))
        if v.whole_province and n.text.startswith(WHOLE_PROVINCE + ":"):
            body.append(flex.status_bar(v.province, "6px"))
    if breakdown:
        body.append(flex.separator())
        body += [flex.figure_row(c, v.unit) for c in v.categories]
    elif with_districts:
        body.append(flex.separator())
        body.append(flex.text(districts_heading(v), "xs", flex.MUTED, margin="md"))
        body += [district_box(d) for d in v.districts]
    return flex.bubble(body)


def alt_text(ctx: Context, vs: list[View], scope: str) -> str:
    parts = []
    for v in vs:
        s = f"{v.ind.name} {flex.figure_line(v.own, v.unit)}"
        if v.own.target:
            s += f" ({thai.percent(v.own.done, v.own.target)}) เหลือ {thai.number(v.own.remaining)}"
        said = v.measured.verdict(v.whole_province)
        if said:
            s += f" – {said.split(' · ')[0]}"
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
    if scope != PROVINCE and ctx.plan.district(scope) is None:   # a plan without this district
        return Reply.text(f"ไม่พบอำเภอนี้ในแผนของจังหวัด{ctx.plan.province_name} ปีงบประมาณ "
                          f"{ctx.plan.fiscal_year} ครับ ดูยอดทั้งจังหวัดได้ด้วย \"ยอดรวมจังหวัด\"",
                          quick_replies=quick)
    breakdown = command.topic is Topic.BREAKDOWN or bool(command.category)
    vs = views(ctx, scope, keys)
    with_districts = scope == PROVINCE
    if command.as_text:
        lines = [f"📊 ยอด{ctx.district_name(scope)} (ข้อมูล ณ {thai.date(ctx.today)})"]
        for v in vs:
            lines += view_text(ctx, v, breakdown, with_districts)
        return Reply.text("\n".join(lines), quick_replies=quick)
    bubbles = [view_bubble(ctx, v, scope, breakdown, with_districts) for v in vs]
    return Reply(flex=[flex.message(alt_text(ctx, vs, scope), bubbles)], quick_replies=quick)


# --------------------------------------------------------------------------- อันดับ
def ranked(v: View) -> tuple[list[Status], bool]:
    """The districts by percent of target (then by count), or by count when none has a
    target; and whether it was by target."""
    by_target = any(d.target for d in v.districts)
    if by_target:
        order = sorted(v.districts, key=lambda d: (d.target is None, -(d.percent or 0.0), -d.done))
    else:
        order = sorted(v.districts, key=lambda d: -d.done)
    return order, by_target


def ranking_lines(ctx: Context, v: View
                  ) -> tuple[str, list[str], list[tuple[str, Status]], list[str]]:
    """(title, the lines under it, (rank, district) in order, the province's figure and
    verdict)."""
    order, by_target = ranked(v)
    title = f"🏆 อันดับ {v.ind.name}"
    head = [("ตามร้อยละของเป้าหมาย" if by_target else "ตามจำนวนที่บันทึก")
            + f" · จังหวัด{ctx.plan.province_name} · ข้อมูล ณ {thai.date(ctx.today)}"]
    due = deadline_for(ctx.plan, v.ind.key, ctx.today)
    if due:
        head.append(f"🗓 กำหนดส่ง {thai.date(due.date)} ({thai.days_left(due.date, ctx.today)})")
    p = v.province
    total = [f"รวมจังหวัด: {percent_first(p, v.unit)}"]
    said = p.verdict()
    if said:
        total.append(f"{p.icon} {said}")
    return title, head, [(MEDALS.get(n, f"{n}."), d) for n, d in enumerate(order, 1)], total


@handles(Intent.RANKING)
def ranking(ctx: Context, command: Command) -> Reply:
    key = command.indicator or ctx.plan.indicators[0].key
    v = views(ctx, PROVINCE, [key])[0]
    quick = neighbours(ctx, command, PROVINCE)
    title, head, rows, total = ranking_lines(ctx, v)
    if command.as_text:
        lines = [title, *head, *(row_text(d, lead) for lead, d in rows), " · ".join(total)]
        return Reply.text("\n".join(lines), quick_replies=quick)
    p = v.province
    body: list[dict] = [flex.text(title, "lg", weight="bold")]
    body += [flex.text(h, "xs", flex.MUTED if k == 0 else flex.INK, margin="sm")
             for k, h in enumerate(head)]
    body.append(flex.separator("md"))
    body += [district_box(d, lead) for lead, d in rows]
    body.append(flex.separator())
    body.append(flex.text(total[0], "sm", flex.INK, "bold", margin="md"))
    if p.target is not None:
        body.append(flex.status_bar(p, "6px"))
    body += [flex.text(t, "xs", p.ink, "bold", margin="sm") for t in total[1:]]
    alt = (f"อันดับ {v.ind.name} ณ {thai.date(ctx.today)}: "
           + " · ".join(f"{n}. {d.name} {thai.percent(d.done, d.target) if d.target else thai.number(d.done)}"
                        for n, (_, d) in enumerate(rows, 1)))
    return Reply(flex=[flex.message(alt, [flex.bubble(body)])], quick_replies=quick)
