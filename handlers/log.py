"""บันทึก …: record progress for the district, and answer with its new standing."""
from __future__ import annotations

import datetime as dt

from bot import thai
from bot.language import PROVINCE, Command, Intent
from bot.line.messages import QuickReply, Reply
from bot.core.progress import deadline_text, district_figure, figure_text, province_figure
from handlers.base import Context, Need, handles, need
from handlers.query import unknown_district
from models import PendingConfirmation
from models.queries import counters, own_total, recent_same, record_entry

CONFIRM_MINUTES = 10
REPEAT_MINUTES = 10      # the same log again within this many minutes is asked about
EXAMPLES = {"jpt": "บันทึก จปฐ 120 ครัวเรือน", "tpmap": "บันทึก TPMAP 3 ครัวเรือน มิติรายได้",
            "savings": "บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ"}
MISSING_NAMES = {"amount": "จำนวน", "indicator": "ภารกิจ (จปฐ / TPMAP / ออมทรัพย์)",
                 "district": "อำเภอ"}
AFTER_LOG = [QuickReply("ยกเลิก", text="ยกเลิก"), QuickReply("ยอดอำเภอ", text="ยอด"),
             QuickReply("ยอดจังหวัด", text="ยอดรวมจังหวัด")]


def example_for(indicator: str | None) -> str:
    return EXAMPLES.get(indicator or "", EXAMPLES["jpt"])


def describe(ctx: Context, indicator: str, amount: int, category: str | None,
             district: str | None = None) -> str:
    ind = ctx.plan.indicator(indicator)
    text = f"{ind.name} {thai.number(amount)} {ctx.plan.units[ind.unit].name}"
    cat = ind.category(category)
    if cat:
        text += f" ({cat.name})"
    if district:
        text += f" {ctx.district_name(district)}"
    return text


def problem_reply(ctx: Context, command: Command) -> Reply | None:
    """Something is missing or contradictory: say what, and show one example that works."""
    ex = example_for(command.indicator)
    if command.problem == "unclear":
        words = ", ".join(f"\"{u}\"" for u in command.unknown[:3])
        what = f"คำว่า {words}" if words else "ข้อความนี้"
        return Reply.text(f"น้องพัฒน์ยังไม่เข้าใจ{what} จึงยังไม่ได้บันทึกหรือเปลี่ยนแปลงอะไรครับ\n"
                          f"ตัวอย่าง: {ex} · ยอด · ยกเลิก\n"
                          "พิมพ์ \"วิธีใช้\" เพื่อดูคำสั่งทั้งหมดครับ")
    if command.missing:
        names = " และ ".join(MISSING_NAMES.get(m, m) for m in command.missing)
        return Reply.text(f"ยังบันทึกไม่ได้ครับ ขาด{names}\nตัวอย่าง: {ex}")
    if command.problem == "two-amounts":
        nums = " หรือ ".join(thai.number(n) for n in command.candidates)
        return Reply.text(f"มีตัวเลขมากกว่าหนึ่งค่า ({nums}) น้องพัฒน์ไม่แน่ใจว่าจำนวนคือค่าใด "
                          f"จึงยังไม่บันทึกครับ โปรดพิมพ์ใหม่ให้มีจำนวนเดียว เช่น: {ex}")
    if command.problem == "unit-mismatch":
        ind = ctx.plan.indicator(command.indicator)
        unit = ctx.plan.units.get(command.unit)
        return Reply.text(f"{ind.name} นับเป็น{ctx.plan.units[ind.unit].name} "
                          f"แต่ข้อความระบุเป็น{unit.name if unit else command.unit} "
                          f"จึงยังไม่บันทึกครับ โปรดตรวจสอบแล้วพิมพ์ใหม่ เช่น: {ex}")
    if command.problem in ("zero", "negative") or (command.amount is not None
                                                   and command.amount <= 0):
        return Reply.text("จำนวนต้องมากกว่า 0 ครับ จึงยังไม่บันทึก "
                          f"(หากต้องการลบรายการ พิมพ์ \"ยกเลิก\")\nตัวอย่าง: {ex}")
    if command.problem == "not-whole":
        return Reply.text(f"จำนวนต้องเป็นจำนวนเต็มครับ จึงยังไม่บันทึก\nตัวอย่าง: {ex}")
    if command.problem == "too-large":
        return Reply.text(f"ตัวเลขมากเกินกว่าจะเป็นผลงานครั้งเดียว จึงยังไม่บันทึกครับ "
                          f"โปรดตรวจสอบแล้วพิมพ์ใหม่\nตัวอย่าง: {ex}")
    if command.problem in ("two-indicators", "two-categories", "two-districts",
                           "category-mismatch"):
        what = {"two-indicators": "ภารกิจมากกว่าหนึ่งอย่าง", "two-categories": "ประเภทมากกว่าหนึ่งอย่าง",
                "two-districts": "อำเภอมากกว่าหนึ่งแห่ง",
                "category-mismatch": "ประเภท/มิติที่ไม่ตรงกับภารกิจ"}[command.problem]
        return Reply.text(f"ข้อความมี{what} น้องพัฒน์จึงยังไม่บันทึกครับ "
                          f"โปรดบันทึกทีละรายการ เช่น: {ex}")
    if command.problem and command.problem != "no-verb":
        return Reply.text(f"น้องพัฒน์ยังไม่แน่ใจ จึงยังไม่บันทึกครับ\nตัวอย่าง: {ex}")
    return None


def log_access(ctx: Context, command: Command) -> list[Need]:
    """Everyone logs for their chat's district; a log that names another district (and would
    be recorded: no problem to answer first) needs that district's head, a province admin of
    the province or a department admin (bot.core.roles.ACCESS)."""
    asked = command.district if command.district != PROVINCE else None
    if asked:
        home = ctx.home_district()
        if asked != home and problem_reply(ctx, command) is None:
            where = f" ({ctx.district_name(home)})" if home else ""
            return [need("log_other_district", ctx.province_key, asked, why=(
                f"บันทึกได้เฉพาะอำเภอของกลุ่มนี้{where}ครับ ไม่ได้บันทึก{ctx.district_name(asked)} "
                "หากต้องการบันทึกแทนอำเภออื่น โปรดแจ้งหัวหน้าอำเภอนั้น ผู้ดูแลจังหวัด "
                "หรือผู้ดูแลระบบครับ"))]
    return [need("log")]


def target_district(ctx: Context, command: Command) -> tuple[str | None, Reply | None]:
    """The district a log counts for: the one named (log_access let the sender), else the
    chat's own."""
    home = ctx.home_district()
    asked = command.district if command.district != PROVINCE else None
    if asked and asked != home:
        return asked, None
    if home is None:
        return None, unknown_district(ctx)
    return home, None


def amount_problem(ctx: Context, indicator: str, district: str, amount: int) -> Reply | None:
    ind = ctx.plan.indicator(indicator)
    ceiling = ind.district_target(district) or ind.target
    unit = ctx.plan.units[ind.unit].name
    if amount <= 0:
        return Reply.text("จำนวนต้องมากกว่า 0 ครับ จึงยังไม่บันทึก")
    if amount > ceiling:
        return Reply.text(f"{thai.number(amount)} {unit} มากกว่าเป้าหมายทั้งหมดของ"
                          f"{ctx.district_name(district) if ind.district_target(district) else 'จังหวัด'}"
                          f" ({thai.number(ceiling)} {unit}) ในครั้งเดียว จึงยังไม่บันทึกครับ "
                          "โปรดตรวจสอบตัวเลขแล้วพิมพ์ใหม่")
    return None


def standing(ctx: Context, indicator: str, district: str, done: int | None = None
             ) -> list[str]:
    """The district's new total, target, percent, remaining, and next deadline. ``done``: the
    district's total when the caller knows it already (no read unless the province is shown)."""
    plan = ctx.plan
    ind = plan.indicator(indicator)
    unit = plan.units[ind.unit].name
    if done is not None and ind.district_target(district) is not None:
        counts = {(indicator, district, ""): done}
    else:
        counts = counters(ctx.session, ctx.plan_id, indicator)
    fig = district_figure(plan, counts, ind, district)
    lines = [f"ยอด{ctx.district_name(district)}: {figure_text(fig, unit)}"]
    if fig.target is None:
        lines.append(f"ทั้งจังหวัด: {figure_text(province_figure(plan, counts, ind), unit)}")
    due = deadline_text(plan, indicator, ctx.today)
    if due:
        lines.append(due)
    return lines


def record_and_answer(ctx: Context, indicator: str, amount: int, category: str | None,
                      district: str, text: str, message_id: str | None) -> Reply:
    """Record, and answer with the district's new standing. ``message_id``: the LINE id of the
    message that asked for it (quoting or unsending that message acts on this entry)."""
    entry_id, done = record_entry(
        ctx.session, plan_id=ctx.plan_id, indicator_key=indicator, district_key=district,
        category_key=category, amount=amount, user_id=ctx.user_id,
        group_id=ctx.chat_id if ctx.in_group else None, source_type=ctx.source_type, text=text,
        event_id=ctx.event_id, created_at=ctx.utcnow, message_id=message_id)
    ctx.answer_entry_id = entry_id
    name = ctx.sender_name()
    who = f" โดย {name}" if name else ""
    lines = [f"✅ บันทึกแล้วครับ: {describe(ctx, indicator, amount, category)}{who}"]
    lines += standing(ctx, indicator, district, done)
    lines.append("บันทึกผิด พิมพ์ \"ยกเลิก\" ได้ครับ")
    return Reply.text("\n".join(lines), quick_replies=AFTER_LOG)


@handles(Intent.LOG, access=log_access)
def log(ctx: Context, command: Command) -> Reply | None:
    problem = problem_reply(ctx, command)
    if problem:
        return problem
    district, refusal = target_district(ctx, command)
    if refusal:
        return refusal
    if command.running_total:
        return running_total(ctx, command, district)
    bad = amount_problem(ctx, command.indicator, district, command.amount)
    if bad:
        return bad
    if command.needs_confirmation or command.problem == "no-verb":
        return ask_confirmation(ctx, command, district)
    if ctx.user_id:
        twin_at = recent_same(ctx.session, ctx.plan_id, ctx.user_id, command.indicator,
                              command.amount, command.category,
                              ctx.utcnow - dt.timedelta(minutes=REPEAT_MINUTES))
        if twin_at is not None:
            at = f"{ctx.local(twin_at):%H:%M}"
            return ask_confirmation(
                ctx, command, district, kind="repeat",
                lead=(f"คุณบันทึก {describe(ctx, command.indicator, command.amount, command.category)} "
                      f"ไปแล้วเมื่อ {at} น. ข้อความนี้เป็นผลงานใหม่อีกชุดหรือส่งซ้ำครับ?"),
                question="ถ้าเป็นผลงานใหม่ กด \"ยืนยัน\" เพื่อบันทึกเพิ่ม ถ้าส่งซ้ำ กด \"ยกเลิก\"")
    return record_and_answer(ctx, command.indicator, command.amount, command.category, district,
                             ctx.text, ctx.message_id)


def running_total(ctx: Context, command: Command, district: str) -> Reply:
    """"รวม 130": the officer's own total so far, not new work. Shows both figures and
    records the difference only on ยืนยัน."""
    ind = ctx.plan.indicator(command.indicator)
    unit = ctx.plan.units[ind.unit].name
    what = describe(ctx, command.indicator, 0, command.category).replace(f" 0 {unit}", "")
    mine = own_total(ctx.session, ctx.plan_id, ctx.user_id or "", command.indicator, district,
                     command.category) if ctx.user_id else 0
    said = command.amount
    if said == mine:
        return Reply.text(f"ยอดสะสม {what} ของคุณเป็น {thai.number(mine)} {unit} อยู่แล้วครับ "
                          "ไม่มีอะไรต้องบันทึกเพิ่ม")
    if said < mine:
        return Reply.text(
            f"ยอดสะสมที่พิมพ์มา ({thai.number(said)} {unit}) น้อยกว่ายอด {what} ที่คุณบันทึกไว้แล้ว "
            f"({thai.number(mine)} {unit}) จึงยังไม่บันทึกครับ\n"
            f"ถ้าบันทึกเกินไป แก้ได้ด้วย \"แก้ไข {ind.aliases[0]} <จำนวนที่ถูก>\" "
            f"หรือ \"ยกเลิก {ind.aliases[0]}\" ครับ")
    diff = said - mine
    bad = amount_problem(ctx, command.indicator, district, diff)
    if bad:
        return bad
    return ask_confirmation(
        ctx, command, district, kind="total", amount=diff, extra={"own": mine},
        lead=(f"ยอดสะสม {what} ของคุณ {thai.number(mine)} → {thai.number(said)}: "
              f"บันทึกเพิ่ม {thai.number(diff)} {unit}"))


def ask_confirmation(ctx: Context, command: Command, district: str, *, kind: str = "unsure",
                     amount: int | None = None, extra: dict | None = None,
                     lead: str | None = None, question: str | None = None) -> Reply:
    """Echo a reading back with ยืนยัน / ยกเลิก buttons; nothing is recorded until ยืนยัน."""
    amount = command.amount if amount is None else amount
    pending = PendingConfirmation(
        user_id=ctx.prompt_owner, chat_id=ctx.chat_id, text=ctx.text,
        event_id=ctx.event_id, created_at=ctx.utcnow, kind=kind, message_id=ctx.message_id,
        expires_at=ctx.utcnow + dt.timedelta(minutes=CONFIRM_MINUTES),
        command={"indicator": command.indicator, "amount": amount,
                 "category": command.category, "district": district, "plan": ctx.plan_id,
                 **(extra or {})})
    ctx.session.add(pending)
    ctx.session.flush()
    notes = [f"\"{typed}\" → \"{meant}\"" for typed, meant in command.corrections]
    if command.unknown:
        notes.append("ไม่เข้าใจคำว่า " + ", ".join(f"\"{u}\"" for u in command.unknown))
    lines = [lead or f"น้องพัฒน์เข้าใจว่า: บันทึก "
             f"{describe(ctx, command.indicator, amount, command.category, district)}"]
    if notes:
        lines.append("(" + "; ".join(notes) + ")")
    lines.append((question or "ถูกต้องไหมครับ? กด \"ยืนยัน\" เพื่อบันทึก หรือ \"ยกเลิก\"")
                 + f" (ภายใน {CONFIRM_MINUTES} นาที)")
    return Reply.text("\n".join(lines), quick_replies=[
        QuickReply("ยืนยัน", text="ยืนยัน", data=f"confirm:{pending.id}"),
        QuickReply("ยกเลิก", text="ยกเลิก", data=f"cancel:{pending.id}")])
