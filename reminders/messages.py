"""A planned reminder → the one message a group receives (text + a Flex bubble). Pure.

Thai first, polite, the bot's male persona (ครับ); B.E. dates (``1 พ.ค. 2565``), numbers with
thousands separators. The payload stored in the ledger is :func:`to_payload` of the Reply, so a
retry after a crash sends exactly the same words.

Where a district stands is said in the words of ``bot.core.status.Status`` (``line()``,
``pace()``, ``quiet_text()``), as the chat cards say it: a district behind reads what it needs
per working day to catch up, a silent one how long nothing was logged, one on track one short
line; a district without a target of its own reads the province's status, marked
"(ทั้งจังหวัด)". Bars are coloured by status (``Status.color``) with the label in words.
"""
from __future__ import annotations

import datetime as dt
import functools

from bot import thai
from bot.line import flex
from bot.line.messages import Flex, Reply
from bot.core.progress import Figure
from bot.core.status import (BEHIND, LABELS, NO_TARGET, ON_TRACK, ORDER, SILENT,
                             WHOLE_PROVINCE, Status)
from reminders.planner import (BEFORE, MET, OPEN, OVERDUE, DistrictRow, Item, NationalItem,
                               NationalReminder, Reminder)

GREEN, AMBER, RED, GREY = "#1DB446", "#F5A623", "#E02020", "#8C8C8C"
ALT_MAX = 400
# a round writes the same few dates into a thousand messages: format each once (pythainlp's
# thai_strftime is the costliest step of rendering)
_date = functools.lru_cache(maxsize=1024)(thai.date)
_date_span = functools.lru_cache(maxsize=1024)(thai.date_span)
NAMES_MAX = 8        # provinces named in one line of the national summary ("… และอีก n จังหวัด")


# --------------------------------------------------------------------------- status words
def status_line(s: Status, province_wide: bool = False) -> str:
    """What a reminder says of a status, in the cards' words (``Status.line()``): on track, one
    short line without the pace ('🔵 ตามแผน · ได้ 25,328 (ควรได้ 22,379)'); otherwise the whole
    line (behind: done vs expected, the days since the last log when quiet, the pace needed per
    working day). ``province_wide``: the province's status told to a district without a target
    of its own, its label marked '(ทั้งจังหวัด)' ('🔴 ล่าช้า (ทั้งจังหวัด) · ได้ 16 จากที่ควรได้ 40 · …')."""
    return f"{s.icon} {s.line(pace=s.status != ON_TRACK, whole_province=province_wide)}"


def measured_line(item: Item) -> str | None:
    """The status line of a progress item: the district's, or the province's marked
    "(ทั้งจังหวัด)" when the district has no target of its own."""
    if item.measured is None:
        return None
    return status_line(item.measured, province_wide=_province_wide(item))


def _province_wide(item: Item) -> bool:
    return item.status is not None and item.status.status == NO_TARGET


# --------------------------------------------------------------------------- text pieces
def _when(item: Item, today: dt.date) -> str:
    m = item.milestone
    if m.kind == "event":
        span = _date_span(m.start, m.end)
        n = (m.start - today).days
        soon = "วันนี้" if n == 0 else "พรุ่งนี้" if n == 1 else f"ในอีก {thai.number(n)} วัน"
        if m.start == m.end:
            return f"{soon} ({span})" if n else f"วันนี้ {span}"
        return f"เปิดระบบ{soon} ({span})"
    if item.reason == OVERDUE:
        return f"กำหนดภายใน {_date(m.date)} เลยกำหนดมาแล้ว {thai.number(-item.days_left)} วัน"
    return f"กำหนดภายใน {_date(m.date)} ({thai.days_left(m.date, today)})"


def _figure_line(item: Item, district_name: str) -> str | None:
    f, unit = item.figure, item.unit
    if f is None:
        return None
    if f.target is not None:
        rem = f.remaining
        tail = "ครบเป้าแล้ว" if rem == 0 else f"ยังขาดอีก {thai.number(rem)} {unit}"
        return (f"อำเภอ{district_name}: {thai.number(f.done)} / {thai.number(f.target)} {unit} "
                f"({thai.percent(f.done, f.target)}) {tail}")
    line = f"อำเภอ{district_name} บันทึกแล้ว {thai.number(f.done)} {unit}"
    p = item.province
    if p is not None and p.target:
        line += (f" · ทั้งจังหวัด {thai.number(p.done)} / {thai.number(p.target)} {unit} "
                 f"({thai.percent(p.done, p.target)}) ยังขาดอีก {thai.number(p.remaining)} {unit}")
    return line


def _icon(item: Item) -> str:
    if item.reason == MET:
        return "🎉"
    if item.reason == OVERDUE:
        return "⚠️"
    if item.reason == OPEN:
        return "📅"
    return "⏰" if item.urgent else "📌"


def _call(item: Item) -> str | None:
    """What the district is asked to do, with the words that log (none when on track)."""
    if not item.command:
        return "รบกวนดำเนินการให้แล้วเสร็จภายในกำหนดนะครับ" if item.reason == BEFORE else None
    how = f"\"{item.command}\""
    if item.reason == OVERDUE:
        return f"รบกวนเร่งบันทึกให้ครบนะครับ พิมพ์ เช่น {how}"
    m = item.measured
    if m is not None and m.status == ON_TRACK:
        return None
    if m is not None and m.status == BEHIND:
        return f"รบกวนเร่งบันทึกให้ทันกำหนดนะครับ พิมพ์ในกลุ่มนี้ เช่น {how}"
    if m is not None and m.status == SILENT:
        return f"รบกวนบันทึกผลงานที่ทำไปแล้วเข้ามาด้วยนะครับ พิมพ์ในกลุ่มนี้ เช่น {how}"
    return f"บันทึกผลงานโดยพิมพ์ในกลุ่มนี้ เช่น {how}"


def _district_text(r: Reminder) -> str:
    name = r.district.name
    lines = [f"🔔 แจ้งเตือนจากน้องพัฒน์ถึงอำเภอ{name} ประจำวันที่ {_date(r.day)} ครับ"]
    for n, item in enumerate(r.items, 1):
        lines.append("")
        lines.append(f"{n}) {_icon(item)} {item.milestone.title}")
        lines.append(f"   {_when(item, r.day)}")
        fig = _figure_line(item, name)
        if item.reason == MET:
            if fig:
                lines.append(f"   {fig}")
            lines.append("   ขอแสดงความยินดีและขอบคุณทุกท่านที่ช่วยกันจนครบเป้าครับ")
            continue
        on_track = item.status is not None and item.status.status == ON_TRACK
        if fig and not on_track:    # on track: the status's one short line says it
            lines.append(f"   {fig}")
        where = measured_line(item)
        if where:
            lines.append(f"   {where}")
        call = _call(item)
        if call:
            lines.append(f"   {call}")
    lines.append("")
    lines.append("ขอบคุณครับ 🙏 (ดูยอดล่าสุด พิมพ์ \"ยอด\")")
    return "\n".join(lines)


def _compact(f: Figure, unit: str) -> str:
    if f.target is None:
        return f"{thai.number(f.done)} {unit}"
    return f"{thai.number(f.done)}/{thai.number(f.target)} ({thai.percent(f.done, f.target)})"


def _row_mark(s: Status) -> str:
    """A district's status in its row of the province summary: behind or silent in the whole
    line (what it needs, how long it has been quiet), otherwise the label."""
    if s.status in (BEHIND, SILENT):
        return f" {s.icon} {s.line()}"
    if s.status == NO_TARGET:
        return ""
    return f" {s.icon} {s.label}"


def ordered_rows(r: Reminder) -> list[DistrictRow]:
    """The districts behind or silent first (the worst first, as the dashboard sorts), then the
    others in the plan's order."""
    attention = sorted((row for row in r.rows if row.attention),
                       key=lambda row: min(s.sort_key() for s in row.attention))
    return attention + [row for row in r.rows if not row.attention]


def _counts_line(r: Reminder, indicator_key: str) -> str | None:
    """'ล่าช้า 2 · ไม่มีความเคลื่อนไหว 1 · ตามแผน 6 · ครบแล้ว 1 อำเภอ' (the board's counts)."""
    if r.board is None:
        return None
    counts = r.board.counts(indicator_key)
    parts = [f"{LABELS[k]} {thai.number(counts[k])}" for k in ORDER
             if k != NO_TARGET and counts[k]]
    return f"   รายอำเภอ: {' · '.join(parts)} อำเภอ" if parts else None


def _province_status(r: Reminder, indicator_key: str) -> Status | None:
    return None if r.board is None else r.board.province.get(indicator_key)


def _province_text(r: Reminder, province_name: str) -> str:
    lines = [f"📋 สรุปประจำวันจังหวัด{province_name} วันที่ {_date(r.day)} ครับ",
             "", "กำหนดการที่แจ้งเตือนอำเภอวันนี้:"]
    for item in r.items:
        lines.append(f"• {_icon(item)} {item.milestone.title} — {_when(item, r.day)}")
    for ind, f in r.province_figures:
        unit = item_unit(r, ind.key)
        lines.append("")
        tail = "" if f.target is None else (
            " ครบเป้าแล้ว" if f.remaining == 0 else f" ยังขาดอีก {thai.number(f.remaining)} {unit}")
        target = "" if f.target is None else f" / {thai.number(f.target)}"
        pct = "" if f.target is None else f" ({thai.percent(f.done, f.target)})"
        lines.append(f"{ind.name} ทั้งจังหวัด {thai.number(f.done)}{target} {unit}{pct}{tail}")
        ps = _province_status(r, ind.key)
        if ps is not None and ps.status != NO_TARGET:
            lines.append(f"   {ps.icon} {ps.line()}")
        counts = _counts_line(r, ind.key)
        if counts:
            lines.append(counts)
    lines.append("")
    rows = ordered_rows(r)
    lines.append("รายอำเภอ (ล่าช้าและไม่มีความเคลื่อนไหวก่อน):" if rows and rows[0].attention
                 else "รายอำเภอ:")
    for row in rows:
        statuses = dict(zip((ind.key for ind, _ in row.figures), row.statuses))
        parts = []
        for ind, f in row.figures:
            s = statuses.get(ind.key)
            parts.append(f"{ind.name} {_compact(f, item_unit(r, ind.key))}"
                         f"{_row_mark(s) if s is not None else ''}")
        lines.append(f"– {row.district.name}: {parts[0] if parts else ''}")
        lines.extend(f"   {p}" for p in parts[1:])     # one indicator a line
    lines.append("")
    lines.append("ขอบคุณครับ 🙏")
    return "\n".join(lines)


def item_unit(r: Reminder, indicator_key: str) -> str:
    return next((i.unit for i in r.items if i.indicator.key == indicator_key), "")


# --------------------------------------------------------------------------- flex
def _bar(percent: float | None, color: str) -> dict:
    return flex.progress_bar(percent, color, height="6px")


def _t(text: str, **kw) -> dict:
    return flex.text(text, **kw)


def status_bar(st: Status, percent: float | None, words: str | None = None) -> dict:
    """A bar coloured by status (``Status.color``) with the label in words beside it, in the
    status's ink: colour is never the only sign."""
    bar = _bar(percent, st.color)
    bar.update(flex=3, margin="none")
    label = _t(words or f"{st.icon} {st.label}", size="xxs", color=st.ink, weight="bold",
               flex=2, align="end")
    return {"type": "box", "layout": "horizontal", "spacing": "md", "margin": "sm",
            "alignItems": "center", "contents": [bar, label]}


def _item_box(item: Item, today: dt.date, district_name: str) -> dict:
    color = (GREEN if item.reason == MET else RED if item.reason == OVERDUE
             else AMBER if item.urgent else GREY)
    contents = [_t(f"{_icon(item)} {item.milestone.title}", weight="bold"),
                _t(_when(item, today), color=color, size="xs")]
    f, st, m = item.figure, item.status, item.measured
    if f is not None:
        if f.target is not None:
            contents.append(status_bar(st, f.percent))
            contents.append(_t(f"{thai.number(f.done)} / {thai.number(f.target)} {item.unit} "
                               f"({thai.percent(f.done, f.target)})", size="xs", color=GREY))
        else:
            p = item.province
            contents.append(_t(f"อำเภอ{district_name} {thai.number(f.done)} {item.unit}",
                               size="xs", color=GREY))
            if p is not None and p.target:
                contents.append(status_bar(m, p.percent, f"{m.icon} {m.label} ({WHOLE_PROVINCE})"))
                contents.append(_t(f"ทั้งจังหวัด {thai.number(p.done)} / {thai.number(p.target)} "
                                   f"{item.unit} ({thai.percent(p.done, p.target)})",
                                   size="xs", color=GREY))
    if item.reason != MET:
        where = measured_line(item)
        if where:
            contents.append(_t(where, size="xs", color=m.ink))
    if item.command and item.reason != MET and _call(item):
        contents.append(_t(f"พิมพ์: {item.command}", size="xs", color="#1E6FD9"))
    return {"type": "box", "layout": "vertical", "margin": "lg", "spacing": "xs",
            "contents": contents}


def _bubble(title: str, subtitle: str, body: list[dict]) -> dict:
    return {
        "type": "bubble", "size": "mega",
        "header": {"type": "box", "layout": "vertical", "backgroundColor": "#0B5394",
                   "contents": [_t(title, weight="bold", color="#FFFFFF", size="md"),
                                _t(subtitle, color="#DDE8F5", size="xs")]},
        "body": {"type": "box", "layout": "vertical", "contents": body},
        "footer": {"type": "box", "layout": "vertical", "contents": [
            {"type": "button", "style": "link", "height": "sm",
             "action": {"type": "message", "label": "ดูยอดล่าสุด", "text": "ยอด"}}]},
    }


def _district_flex(r: Reminder) -> Flex:
    name = r.district.name
    body = [_item_box(i, r.day, name) for i in r.items]
    alt = f"แจ้งเตือนอำเภอ{name}: " + " · ".join(
        f"{i.milestone.title} {_when(i, r.day)}" for i in r.items)
    return Flex(alt[:ALT_MAX], _bubble(f"แจ้งเตือนอำเภอ{name}", f"ประจำวันที่ {_date(r.day)}",
                                       body))


def _province_flex(r: Reminder, province_name: str) -> Flex:
    body: list[dict] = [_t(f"{_icon(i)} {i.milestone.title}", size="xs", weight="bold")
                        for i in r.items]
    if r.province_figures:
        ind, pf = r.province_figures[0]
        unit = item_unit(r, ind.key)
        body.append({"type": "separator", "margin": "md"})
        body.append(_t(f"{ind.name} ทั้งจังหวัด {_compact(pf, unit)}", weight="bold",
                       margin="md"))
        ps = _province_status(r, ind.key)
        if pf.target and ps is not None:
            body.append(status_bar(ps, pf.percent))
        for row in ordered_rows(r):
            figs = dict((i.key, fig) for i, fig in row.figures)
            f = figs.get(ind.key)
            if f is None:
                continue
            st = dict(zip(figs, row.statuses)).get(ind.key)
            body.append(_t(f"{row.district.name}: {_compact(f, unit)}", size="xs", margin="md"))
            if f.target:
                body.append(status_bar(st, f.percent))
            if st.status in (BEHIND, SILENT):
                body.append(_t(st.line(), size="xxs", color=st.ink))
    alt = f"สรุปประจำวันจังหวัด{province_name} {_date(r.day)}: " + " · ".join(
        i.milestone.title for i in r.items)
    return Flex(alt[:ALT_MAX], _bubble(f"สรุปประจำวันจังหวัด{province_name}",
                                       f"วันที่ {_date(r.day)}", body))


# --------------------------------------------------------------------------- the nation
def _names(names, most: int = NAMES_MAX) -> str:
    names = list(names)
    shown = ", ".join(names[:most])
    return shown + (f" และอีก {thai.number(len(names) - most)} จังหวัด"
                    if len(names) > most else "")


def _where(n: NationalItem, working: int) -> str:
    if len(n.provinces) == working and working > 1:
        return f"ทุกจังหวัดที่ทำการวันนี้ ({thai.number(working)} จังหวัด)"
    if len(n.provinces) == 1:
        return f"จังหวัด{n.provinces[0]}"
    return f"{thai.number(len(n.provinces))} จังหวัด: {_names(n.provinces)}"


def _ranks(s) -> tuple[list, list]:
    """The provinces furthest ahead and furthest behind (up to three each, none twice; the
    last one is the furthest behind of all)."""
    n = len(s.provinces)
    if n < 2:
        return [], []
    k = min(3, (n + 1) // 2)
    return s.provinces[:k], list(reversed(s.provinces[max(k, n - 3):]))


def _pct_list(figs) -> str:
    return ", ".join(f"{p.province_name} {thai.percent(p.done, p.target)}" for p in figs)


def _national_figure(s) -> str:
    fig = f"{s.name} ทั้งประเทศ {thai.number(s.done)} / {thai.number(s.target)} {s.unit}"
    if not s.target:
        return fig
    rem = max(s.target - s.done, 0)
    tail = "ครบเป้าแล้ว" if rem == 0 else f"ยังขาดอีก {thai.number(rem)} {s.unit}"
    return f"{fig} ({thai.percent(s.done, s.target)}) {tail}"


def _national_text(r: NationalReminder) -> str:
    lines = [f"🇹🇭 สรุปประจำวันภาพรวมทั้งประเทศ วันที่ {_date(r.day)} ครับ"]
    if r.resting:
        lines.append(f"วันนี้เป็นวันหยุดตามแผนของจังหวัด{_names(r.resting)} (ไม่มีแจ้งเตือน)")
    lines += ["", "กำหนดการที่แจ้งเตือนจังหวัดวันนี้:"]
    for n in r.items:
        lines.append(f"• {_icon(n.item)} {n.item.milestone.title} — {_when(n.item, r.day)}")
        lines.append(f"   {_where(n, r.working)}")
    for s in r.indicators:
        lines.append("")
        lines.append(f"{_national_figure(s)} · {thai.number(len(s.provinces))} จังหวัด")
        top, low = _ranks(s)
        if top:
            lines.append(f"   นำ: {_pct_list(top)}")
        if low:
            lines.append(f"   ตามหลัง: {_pct_list(low)}")
    lines.append("")
    lines.append("ขอบคุณครับ 🙏 (ดูยอดทั้งประเทศ พิมพ์ \"ยอด\")")
    return "\n".join(lines)


def _national_flex(r: NationalReminder) -> Flex:
    body: list[dict] = []
    for n in r.items:
        body.append(_t(f"{_icon(n.item)} {n.item.milestone.title}", size="xs", weight="bold"))
        body.append(_t(f"{_when(n.item, r.day)} · {_where(n, r.working)}", size="xxs",
                       color=RED if n.item.urgent else GREY))
    for s in r.indicators:
        body.append({"type": "separator", "margin": "md"})
        pct = f" ({thai.percent(s.done, s.target)})" if s.target else ""
        body.append(_t(f"{s.name} ทั้งประเทศ {thai.number(s.done)}/{thai.number(s.target)}"
                       f"{pct}", weight="bold", margin="md"))
        if s.target:
            body.append(_bar(s.percent, GREEN))
        top, low = _ranks(s)
        if top:
            body.append(_t(f"นำ: {_pct_list(top)}", size="xs", color=GREY, margin="sm"))
        if low:
            body.append(_t(f"ตามหลัง: {_pct_list(low)}", size="xs", color=GREY))
    alt = f"สรุปภาพรวมทั้งประเทศ {_date(r.day)}: " + " · ".join(
        n.item.milestone.title for n in r.items)
    return Flex(alt[:ALT_MAX], _bubble("สรุปประจำวันภาพรวมทั้งประเทศ",
                                       f"วันที่ {_date(r.day)}", body))


# --------------------------------------------------------------------------- public
def render_national(r: NationalReminder) -> Reply:
    return Reply(texts=[_national_text(r)], flex=[_national_flex(r)])


def render(r: Reminder, province_name: str) -> Reply:
    if r.scope == "province":
        return Reply(texts=[_province_text(r, province_name)],
                     flex=[_province_flex(r, province_name)])
    return Reply(texts=[_district_text(r)], flex=[_district_flex(r)])


def to_payload(reply: Reply, **meta) -> dict:
    return {"texts": list(reply.texts),
            "flex": [{"alt_text": f.alt_text, "contents": f.contents} for f in reply.flex],
            **meta}


def from_payload(payload: dict) -> Reply:
    return Reply(texts=list(payload.get("texts") or []),
                 flex=[Flex(f["alt_text"], f["contents"]) for f in payload.get("flex") or []])
