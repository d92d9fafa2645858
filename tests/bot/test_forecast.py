"""Pace and forecast with frozen dates and synthetic histories."""
import datetime as dt

from bot.core.forecast import Forecast

TODAY = dt.date(2022, 4, 19)
DUE = dt.date(2022, 5, 1)  # 13 days including today


def test_ahead_of_schedule():
    f = Forecast(done=20000, target=34227, deadline=DUE, today=TODAY, recent=7 * 1500)
    assert round(f.needed_per_day) == 1094  # 14,227 over 13 days
    assert f.pace_per_day == 1500
    assert f.projected == dt.date(2022, 4, 28)  # ceil(14227/1500)=10 days, today included
    assert f.days_late == -3 and f.on_track is True
    assert "จะครบประมาณ 28 เม.ย. 2565 — ทันกำหนด" in f.text("ครัวเรือน")


def test_behind_schedule():
    f = Forecast(done=1000, target=8204, deadline=DUE, today=TODAY, recent=7 * 360)
    assert f.projected == dt.date(2022, 5, 9)  # ceil(7204/360)=21 days, today the first
    assert f.days_late == 8 and f.on_track is False
    assert "ช้ากว่ากำหนด 8 วัน" in f.text("ครัวเรือน")
    assert "ต้องได้วันละ 555 ครัวเรือน" in f.text("ครัวเรือน")


def test_no_entries_yet():
    f = Forecast(done=0, target=41, deadline=dt.date(2022, 8, 1), today=TODAY, recent=0)
    assert f.projected is None and f.on_track is None
    assert "7 วันล่าสุดยังไม่มีการบันทึก" in f.text("กลุ่ม")


def test_target_already_met():
    f = Forecast(done=45, target=41, deadline=dt.date(2022, 8, 1), today=TODAY, recent=3)
    assert f.met and f.on_track is True and f.remaining == 0
    assert f.text("กลุ่ม") == "ครบเป้าหมายแล้ว 🎉"


def test_past_deadline_and_no_target():
    late = Forecast(done=10, target=20, deadline=dt.date(2022, 4, 1), today=TODAY, recent=7)
    assert late.needed_per_day is None and "เลยกำหนดแล้ว" in late.text("คน")
    assert Forecast(5, None, DUE, TODAY, 5).text("x") is None


def test_far_behind_says_how_much_faster():
    f = Forecast(done=1000, target=34227, deadline=DUE, today=TODAY, recent=1000)
    assert f.days_late > 90
    text = f.text("ครัวเรือน")
    assert "จะไม่ทันกำหนด — ต้องเร่งขึ้นราว 17.9 เท่า" in text  # 2,556/day needed, 142.9/day done
    assert "จะครบประมาณ" not in text
