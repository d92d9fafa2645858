"""The status computation (bot/core/status.py) with frozen dates: working days and holidays,
the straight line, silent and behind together, done, no target, the province line, and the
wording every surface shares. Pure: no database, no app."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from bot.core.plan import Holiday, load_plan_file
from bot.core.status import (BEHIND, DONE, NO_TARGET, ON_TRACK, SILENT, Quiet, board,
                             indicator_start, is_working_day, pace_text, quiet_officers,
                             status_of, without_group, working_days)
from bot.timeutil import BANGKOK
from models.queries import Officer

PLAN = load_plan_file("plans/ratchaburi-2565.yaml")
D = dt.date


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=BANGKOK).astimezone(dt.timezone.utc)


def jpt(district: str | None, done: int, last: dt.date | None, today: dt.date, plan=PLAN):
    ind = plan.indicator("jpt")
    target = ind.target if district is None else ind.district_target(district)
    return status_of(plan, "jpt", district, done, target, at(last) if last else None, today,
                     BANGKOK)


# --------------------------------------------------------------------------- calendar
def test_working_days_skip_weekends_and_the_plans_holidays():
    assert working_days(PLAN, D(2022, 4, 11), D(2022, 4, 17)) == 2      # Songkran 13–15 off
    assert working_days(PLAN, D(2022, 4, 18), D(2022, 4, 22)) == 5
    assert working_days(PLAN, D(2022, 4, 19), D(2022, 4, 18)) == 0
    assert working_days(PLAN, D(2022, 4, 16), D(2022, 4, 17)) == 0      # a weekend
    assert not is_working_day(PLAN, D(2022, 4, 6)) and is_working_day(PLAN, D(2022, 4, 7))
    # the closed form agrees with counting day by day over every span of a year
    start = D(2021, 10, 1)
    for n in range(0, 400, 7):
        for extra in range(7):
            last = start + dt.timedelta(days=n + extra)
            slow = sum(is_working_day(PLAN, start + dt.timedelta(days=k))
                       for k in range((last - start).days + 1))
            assert working_days(PLAN, start, last) == slow


def test_an_indicator_starts_on_its_first_milestone_or_the_fiscal_year():
    assert indicator_start(PLAN, "jpt", D(2022, 5, 1)) == D(2022, 3, 21)   # first system test
    assert indicator_start(PLAN, "tpmap", D(2022, 9, 30)) == D(2022, 4, 8)
    assert indicator_start(PLAN, "savings", D(2022, 8, 1)) == D(2021, 10, 1)  # only a deadline


# --------------------------------------------------------------------------- the line
def test_expected_is_where_the_straight_line_stood_when_today_began():
    # 21 Mar → 1 May (a Sunday): 26 working days with 6 and 13–15 Apr off; 19 Apr: 17 passed
    assert working_days(PLAN, D(2022, 3, 21), D(2022, 5, 1)) == 26
    assert working_days(PLAN, D(2022, 3, 21), D(2022, 4, 18)) == 17
    s = jpt("ban-pong", 20_000, D(2022, 4, 19), D(2022, 4, 19))
    assert s.expected == 34_227 * 17 // 26 == 22_379
    assert s.status == BEHIND and not s.silent
    assert s.working_days_left == 9                                  # 19–22, 25–29 Apr
    assert s.needed_per_working_day == pytest.approx((34_227 - 20_000) / 9)
    ahead = jpt("ban-pong", 22_379, D(2022, 4, 19), D(2022, 4, 19))
    assert ahead.status == ON_TRACK                                  # done ≥ expected


def test_before_the_start_nothing_is_expected_and_nobody_is_silent():
    s = jpt("ban-pong", 0, None, D(2022, 3, 1))
    assert (s.expected, s.status, s.silent) == (0, ON_TRACK, False)


def test_after_the_deadline_the_whole_target_is_expected_and_nothing_is_per_day():
    s = jpt("ban-pong", 30_000, D(2022, 5, 2), D(2022, 5, 3))
    assert (s.expected, s.status, s.needed_per_working_day) == (34_227, BEHIND, None)
    assert s.pace() == "เลยกำหนดแล้ว"


def test_done_is_done_whatever_the_silence():
    s = jpt("wat-phleng", 2_869, D(2022, 3, 30), D(2022, 4, 19))
    assert (s.status, s.silent, s.remaining) == (DONE, False, 0)
    assert s.line() == "ครบแล้ว 🎉" and s.pace() is None


# --------------------------------------------------------------------------- silence
def test_silent_counts_whole_working_days_after_the_last_log_before_today():
    # last log Fri 8 Apr: 11, 12, (13–15 Songkran), 18 → 3 whole working days on 19 Apr
    s = jpt("ban-kha", 4_500, D(2022, 4, 8), D(2022, 4, 19))
    assert (s.status, s.silent, s.days_since_entry) == (SILENT, True, 11)
    assert s.quiet_text() == "ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)"
    # last log Mon 11 Apr: 12 and 18 only (today is not over: a reminder at 08:30 on the 19th
    # does not count it) → not yet
    assert not jpt("ban-kha", 4_500, D(2022, 4, 11), D(2022, 4, 19)).silent
    assert jpt("ban-kha", 4_500, D(2022, 4, 11), D(2022, 4, 20)).silent


def test_silent_and_behind_is_behind_with_silent_true():
    s = jpt("chom-bueng", 3_756, D(2022, 4, 8), D(2022, 4, 19))
    assert (s.status, s.silent) == (BEHIND, True)
    assert s.line() == ("ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921 · ไม่มีการบันทึกมา 11 วัน "
                        "(ล่าสุด 8 เม.ย. 2565) · ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)")
    assert s.line(pace=False) == ("ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921 · ไม่มีการบันทึกมา "
                                  "11 วัน (ล่าสุด 8 เม.ย. 2565)")
    assert s.verdict(whole_province=True) == "ล่าช้า (ทั้งจังหวัด) · ได้ 3,756 จากที่ควรได้ 7,921"


def test_never_logged_is_silent_from_the_indicators_start():
    s = jpt("bang-phae", 0, None, D(2022, 3, 24))  # 21, 22, 23 Mar: three whole working days
    assert s.silent and s.status == BEHIND and s.quiet_text() == "ยังไม่มีการบันทึกเลย"
    assert s.expected == 8_204 * 3 // 26
    assert not jpt("bang-phae", 0, None, D(2022, 3, 23)).silent


def test_a_log_late_in_the_evening_counts_for_its_bangkok_day():
    late = dt.datetime(2022, 4, 11, 23, 30, tzinfo=BANGKOK).astimezone(dt.timezone.utc)
    s = status_of(PLAN, "jpt", "ban-kha", 4_500, 4_972, late, D(2022, 4, 19), BANGKOK)
    assert s.last_entry_day == D(2022, 4, 11) and s.last_entry_at == late


def test_a_holiday_added_to_the_plan_moves_the_line_and_the_silence():
    plan = dataclasses.replace(PLAN, holidays=PLAN.holidays + (Holiday(D(2022, 4, 18), "x"),))
    s = jpt("ban-kha", 4_500, D(2022, 4, 8), D(2022, 4, 19), plan)
    assert not s.silent  # 11, 12: two whole working days
    assert s.expected == 4_972 * 16 // 25


# --------------------------------------------------------------------------- no target, province
def test_a_district_without_a_target_says_so_and_borrows_the_provinces_pace():
    counters = {("tpmap", d.key, ""): 20 for d in PLAN.districts}
    b = board(PLAN, counters, {("tpmap", "ban-pong"): at(D(2022, 4, 19))}, D(2022, 4, 19),
              BANGKOK)
    cell = b.cell("tpmap", "ban-pong")
    assert (cell.status, cell.expected, cell.needed_per_working_day) == (NO_TARGET, None, None)
    assert cell.line() == "ได้ 20 ครัวเรือน (ไม่มีเป้ารายอำเภอ)" and cell.pace() is None
    province = b.measured("tpmap", "ban-pong")
    assert province is b.province["tpmap"] and province.district is None
    assert (province.done, province.target) == (200, 4_038)
    assert province.status == ON_TRACK  # 200 ≥ 139 expected on 19 Apr (8 Apr → 30 Sep)


def test_the_province_line_sums_the_districts_and_takes_the_latest_log():
    counters = {("jpt", "ban-pong", ""): 30_000, ("jpt", "chom-bueng", ""): 1_000}
    last = {("jpt", "ban-pong"): at(D(2022, 4, 18)), ("jpt", "chom-bueng"): at(D(2022, 4, 1))}
    b = board(PLAN, counters, last, D(2022, 4, 19), BANGKOK)
    p = b.province["jpt"]
    assert (p.done, p.target, p.name) == (31_000, 167_839, "ราชบุรี")
    assert p.last_entry_day == D(2022, 4, 18) and not p.silent and p.status == BEHIND
    # behind and furthest below the line first: nothing logged (0 % of expected) before 1,000
    assert b.worst_first("jpt")[0].done == 0 and b.worst_first("jpt")[-2].district == "chom-bueng"
    # worst first: behind (furthest below the line first), then silent, on track, done
    order = [s.status for s in b.worst_first("jpt")]
    assert order == sorted(order, key=[BEHIND, SILENT, ON_TRACK, DONE, NO_TARGET].index)
    assert b.worst_first("jpt")[-1].district == "ban-pong"  # the only one on track
    counts = b.counts("jpt")
    assert counts[BEHIND] == 9 and counts[ON_TRACK] == 1


def test_rows_put_the_district_with_the_worst_cell_first():
    counters = {("jpt", d.key, ""): d_target for d in PLAN.districts
                for d_target in [PLAN.indicator("jpt").district_target(d.key)]}
    counters[("jpt", "suan-phueng", "")] = 10
    last = {("jpt", d.key): at(D(2022, 4, 19)) for d in PLAN.districts}
    rows = board(PLAN, counters, last, D(2022, 4, 19), BANGKOK).rows()
    assert rows[0][0] == "suan-phueng" and rows[0][1][0].status == BEHIND
    assert len(rows) == len(PLAN.districts) and all(len(r[1]) == 3 for r in rows)


# --------------------------------------------------------------------------- wording
@pytest.mark.parametrize("per_day, text", [
    (2_844.2, "ต้องได้วันละ 2,845 ครัวเรือน"),
    (12.0, "ต้องได้วันละ 12 ครัวเรือน"),
    (1.23, "ต้องได้วันละ 1.2 ครัวเรือน"),
    (0.27, "ต้องได้สัปดาห์ละ 1.4 ครัวเรือน"),   # never "วันละ 1"
    (0.01, "ต้องได้สัปดาห์ละ 0.1 ครัวเรือน"),
    (0.0, "ไม่ต้องเพิ่มแล้ว"),
    (None, None)])
def test_pace_under_one_a_day_is_per_week_never_rounded_up(per_day, text):
    assert pace_text(per_day, "ครัวเรือน") == text


def test_the_api_fields():
    s = jpt("chom-bueng", 3_756, D(2022, 4, 8), D(2022, 4, 19))
    assert s.as_api() == {"status": "behind", "silent": True, "expected": 7_921,
                          "needed_per_working_day": round((12_115 - 3_756) / 9, 2),
                          "last_entry_at": "2022-04-08T03:00:00+00:00"}
    assert jpt("bang-phae", 0, None, D(2022, 4, 19)).as_api()["last_entry_at"] is None


# --------------------------------------------------------------------------- people
def test_quiet_officers_longest_quiet_first_and_those_without_a_group():
    officers = [Officer("U1", "สมชาย", "ban-pong", at(D(2022, 4, 19)), 1),
                Officer("U2", "สมศรี", "chom-bueng", at(D(2022, 4, 8)), 0),
                Officer("U3", None, "ban-kha", None, 0),
                Officer("U4", "วิไล", "ban-pong", at(D(2022, 4, 12)), 2)]
    quiet = quiet_officers(PLAN, officers, D(2022, 4, 19), BANGKOK)
    assert [q.user_id for q in quiet] == ["U3", "U2"]
    assert isinstance(quiet[0], Quiet) and quiet[0].since(D(2022, 4, 19)) == "ยังไม่เคยบันทึก"
    assert quiet[1].since(D(2022, 4, 19)) == "บันทึกล่าสุด 8 เม.ย. 2565 (11 วันก่อน)"
    assert quiet[1].working_days == 3
    assert [o.user_id for o in without_group(PLAN, officers)] == ["U2", "U3"]
