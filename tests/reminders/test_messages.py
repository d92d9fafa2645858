"""A reminder before a deadline carries the district's pace: needed per day vs the last 7 days."""
import datetime as dt

from bot.core.plans import PlanCache
from models.queries import record_entry
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


def test_reminder_before_the_deadline_shows_the_pace(svc):
    bind(svc, "Cbp", "ban-pong")
    bind(svc, "Cbk", "ban-kha")
    # ban-kha: 4,000 of 4,972 with 3,500 in the last 7 days; ban-pong: 1,000 logged 10 days ago
    log_at(svc, "ban-kha", 500, dt.datetime(2022, 4, 10, 9, tzinfo=BANGKOK_MORNING))
    log_at(svc, "ban-kha", 3500, dt.datetime(2022, 4, 20, 9, tzinfo=BANGKOK_MORNING))
    log_at(svc, "ban-pong", 1000, dt.datetime(2022, 4, 11, 9, tzinfo=BANGKOK_MORNING))
    texts = messages_of(svc, d(2022, 4, 22))  # จปฐ. closes 1 พ.ค. (a Sunday)
    bk = texts["Cbk"]
    assert "อำเภอบ้านคา: 4,000 / 4,972" in bk
    assert "📈 ต้องได้วันละ 98 ครัวเรือน" in bk       # 972 over 10 days, today included
    assert "วันละ 500 ครัวเรือน) จะครบประมาณ 23 เม.ย. 2565 — ทันกำหนด" in bk
    bp = texts["Cbp"]
    assert "📈 ต้องได้วันละ 3,323 ครัวเรือน · 7 วันล่าสุดยังไม่มีการบันทึก" in bp
