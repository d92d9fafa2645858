"""A reminder before a deadline carries the district's status, in the words of the status the
API and the chat cards read (bot.core.status via models.queries.load_board): a district behind
reads what it needs per working day, one on track one short line."""
import datetime as dt

from bot.core.plans import PlanCache
from bot.timeutil import BANGKOK
from models.queries import load_board, record_entry
from reminders.rounds import outgoing
from tests.reminders.conftest import bind, d

BANGKOK_MORNING = dt.timezone(dt.timedelta(hours=7))


def log_at(svc, district: str, amount: int, when: dt.datetime) -> None:
    with svc.sessions() as s, s.begin():
        active = svc.bot.current_plan(s)
        record_entry(s, plan_id=active.id, indicator_key="jpt", district_key=district,
                     category_key=None, amount=amount, source_type="group",
                     text=f"บันทึก จปฐ {amount} ครัวเรือน", created_at=when)


def messages_of(svc, day: dt.date) -> dict[str, str]:
    with svc.sessions() as s:
        return {o.group_id: o.reply.texts[0] for o in outgoing(s, PlanCache(), day)}


def board_of(svc, day: dt.date):
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        return load_board(s, active.id, active.plan,
                          dt.datetime.combine(day, dt.time(8, 30), tzinfo=BANGKOK))


def test_reminder_before_the_deadline_carries_the_status(svc):
    bind(svc, "Cbp", "ban-pong")
    bind(svc, "Cbk", "ban-kha")
    # ban-kha: 4,000 of 4,972, last logged 20 Apr; ban-pong: 1,000 logged 11 Apr, then nothing
    log_at(svc, "ban-kha", 500, dt.datetime(2022, 4, 10, 9, tzinfo=BANGKOK_MORNING))
    log_at(svc, "ban-kha", 3500, dt.datetime(2022, 4, 20, 9, tzinfo=BANGKOK_MORNING))
    log_at(svc, "ban-pong", 1000, dt.datetime(2022, 4, 11, 9, tzinfo=BANGKOK_MORNING))
    day = d(2022, 4, 22)                       # จปฐ. closes 1 พ.ค. (a Sunday): 6 working days
    texts = messages_of(svc, day)
    statuses = board_of(svc, day)
    # on track: one short line, no figure line, no pace, nothing asked
    bk, bk_status = texts["Cbk"], statuses.cell("jpt", "ban-kha")
    assert bk_status.status == "on-track"
    assert "\n   🔵 ตามแผน · ได้ 4,000 (ควรได้ 3,824)\n" in bk
    assert "อำเภอบ้านคา: 4,000 / 4,972" not in bk and "ต้องได้" not in bk
    assert "รบกวนเร่ง" not in bk and "📈" not in bk
    # behind and quiet: done vs expected, the days since the last log, per working day
    bp, bp_status = texts["Cbp"], statuses.cell("jpt", "ban-pong")
    assert bp_status.status == "behind" and bp_status.silent
    assert "อำเภอบ้านโป่ง: 1,000 / 34,227 ครัวเรือน (2.9%) ยังขาดอีก 33,227 ครัวเรือน" in bp
    assert "ต้องได้วันละ 5,538 ครัวเรือน (6 วันทำการที่เหลือ)" in bp     # 33,227 / 6
    assert "ไม่มีการบันทึกมา 11 วัน (ล่าสุด 11 เม.ย. 2565)" in bp
    assert f"\n   🔴 {bp_status.line()}\n" in bp                          # the cards' words
    assert bp_status.pace() in bp and bp_status.quiet_text() in bp
    assert 'รบกวนเร่งบันทึกให้ทันกำหนดนะครับ พิมพ์ในกลุ่มนี้ เช่น "บันทึก จปฐ 120 ครัวเรือน"' in bp
