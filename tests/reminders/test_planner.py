"""The planner over the FY2565 plan: pure, any date, no database."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from bot.line.client import to_sdk_messages
from reminders.messages import from_payload, render, to_payload
from reminders.planner import (BEFORE, MET, OPEN, OVERDUE, is_working_day, log_command,
                               plan_day, send_day, triggers)

D = dt.date
JPT_TARGETS = {"mueang-ratchaburi": 36191, "ban-pong": 34227, "bang-phae": 8204}


def due(plan, day):
    return {(t.milestone.key, t.reason) for t in triggers(plan, day)}


@pytest.mark.parametrize("day, expected", [
    # 14 days before 1 May is Sun 17 Apr → Songkran 13–15 Apr → Tue 12 Apr (and 14 days before
    # the 30 Apr (Sat) meeting: Sat 16 Apr → the same Tuesday)
    (D(2022, 4, 12), {("jpt-complete", BEFORE), ("tpmap-meeting", BEFORE)}),
    (D(2022, 4, 13), set()), (D(2022, 4, 14), set()), (D(2022, 4, 15), set()),  # Songkran
    (D(2022, 4, 19), set()),                      # 12 days before: no offset
    # 7 days before 1 May is Sun 24 Apr → Fri 22; jpt-test-2 opens Sat 23 → Fri 22;
    # 7 days before the Sat 30 Apr meeting is Sat 23 → Fri 22
    (D(2022, 4, 22), {("jpt-complete", BEFORE), ("jpt-test-2", OPEN),
                      ("tpmap-meeting", BEFORE)}),
    (D(2022, 4, 23), set()), (D(2022, 4, 24), set()),     # weekend: nothing is sent
    (D(2022, 4, 27), {("tpmap-meeting", BEFORE)}),        # 3 days before 30 Apr
    (D(2022, 4, 28), {("jpt-complete", BEFORE)}),         # 3 days before 1 May
    # 1 and 0 days before Sun 1 May (and Sat 30 Apr) all land on Fri 29: one item each
    (D(2022, 4, 29), {("jpt-complete", BEFORE), ("tpmap-meeting", BEFORE)}),
    (D(2022, 3, 21), {("jpt-test-1", OPEN), ("jpt-allowance", BEFORE)}),  # window opens; 7 days
    (D(2022, 3, 25), {("jpt-allowance", BEFORE), ("tpmap-plans", BEFORE)}),  # 3+1 (Sun) ; 14
    (D(2022, 3, 28), {("jpt-briefing", OPEN), ("jpt-allowance", BEFORE)}),  # single-day event
    (D(2022, 4, 5), {("tpmap-plans", BEFORE)}),           # 3 days before Fri 8 Apr
    (D(2022, 4, 6), set()),                               # วันจักรี
    # overdue: working days after Sun 1 May: Mon 2 (1), Tue 3 (2), [Wed 4 holiday], Thu 5 (3)
    (D(2022, 5, 2), set()), (D(2022, 5, 3), set()), (D(2022, 5, 4), set()),
    (D(2022, 5, 5), {("jpt-complete", OVERDUE)}),
    (D(2022, 5, 9), set()),
    (D(2022, 5, 10), {("jpt-complete", OVERDUE)}),        # Fri 6 (4), Mon 9 (5), Tue 10 (6)
    (D(2022, 7, 18), {("jpt-complete", OVERDUE), ("savings-complete", BEFORE)}),
    (D(2022, 8, 1), {("jpt-complete", OVERDUE), ("savings-complete", BEFORE)}),
    (D(2022, 8, 4), {("jpt-complete", OVERDUE), ("savings-complete", OVERDUE)}),
    (D(2022, 10, 3), set()),                              # after the fiscal year: silence
])
def test_triggers_by_date(plan, day, expected):
    assert due(plan, day) == expected


def test_calendar_helpers(plan):
    assert not is_working_day(plan, D(2022, 4, 13))
    assert send_day(plan, D(2022, 4, 17)) == D(2022, 4, 12)
    assert send_day(plan, D(2022, 4, 23)) == D(2022, 4, 22)
    assert send_day(plan, D(2022, 5, 4)) == D(2022, 5, 3)
    assert send_day(plan, D(2022, 4, 20)) == D(2022, 4, 20)


def test_offsets_merge_and_urgency(plan):
    t = {x.milestone.key: x for x in triggers(plan, D(2022, 4, 29))}
    assert t["jpt-complete"].offset == 0      # the 1- and 0-day reminders, one item
    reminders = plan_day(plan, {}, D(2022, 4, 29))
    bp = next(r for r in reminders if r.district and r.district.key == "ban-pong")
    assert [i.days_left for i in bp.items] == [1, 2]
    assert bp.urgent
    early = plan_day(plan, {}, D(2022, 4, 22))
    assert not any(r.urgent for r in early)
    assert all(r.urgent for r in plan_day(plan, {}, D(2022, 5, 5)))


def test_one_reminder_per_district_plus_province(plan):
    counts = {("jpt", "ban-pong", ""): 1320}
    rs = plan_day(plan, counts, D(2022, 4, 22))
    assert [r.scope for r in rs] == ["district"] * 10 + ["province"]
    assert len({r.district.key for r in rs if r.district}) == 10
    bp = next(r for r in rs if r.district and r.district.key == "ban-pong")
    assert [i.milestone.key for i in bp.items] == ["jpt-test-2", "tpmap-meeting", "jpt-complete"]
    jpt = bp.items[-1]
    assert (jpt.figure.done, jpt.figure.target, jpt.figure.remaining) == (1320, 34227, 32907)
    assert jpt.command == "บันทึก จปฐ 120 ครัวเรือน"
    assert bp.items[1].figure is None and bp.items[1].command is None   # progress: false
    prov = rs[-1]
    assert len(prov.rows) == 10
    assert [i.milestone.key for i in prov.items] == ["jpt-test-2", "tpmap-meeting",
                                                     "jpt-complete"]
    assert prov.province_figures[0][1].done == 1320


def test_nothing_on_a_quiet_day(plan):
    assert plan_day(plan, {}, D(2022, 4, 19)) == []
    assert plan_day(plan, {}, D(2022, 4, 24)) == []   # a Sunday


def test_met_district_is_congratulated(plan):
    counts = {("jpt", "ban-pong", ""): 34227, ("jpt", "photharam", ""): 100}
    rs = plan_day(plan, counts, D(2022, 4, 28))
    bp = next(r for r in rs if r.district and r.district.key == "ban-pong")
    assert [i.reason for i in bp.items] == [MET]
    text = render(bp, plan.province_name).texts[0]
    assert "ยินดี" in text and "ครบเป้าแล้ว" in text and "ยังขาด" not in text
    other = next(r for r in rs if r.district and r.district.key == "photharam")
    assert [i.reason for i in other.items] == [BEFORE]
    row = next(r for r in rs[-1].rows if r.district.key == "ban-pong")
    assert row.met


def test_met_district_skipped_when_plan_says_skip(plan):
    skip = dataclasses.replace(plan, when_met="skip")
    counts = {("jpt", "ban-pong", ""): 34227}
    rs = plan_day(skip, counts, D(2022, 4, 28))
    assert "ban-pong" not in {r.district.key for r in rs if r.district}
    assert len([r for r in rs if r.scope == "district"]) == 9
    # on a day with other milestones the met district still hears about those
    rs = plan_day(skip, counts, D(2022, 4, 22))
    bp = next(r for r in rs if r.district and r.district.key == "ban-pong")
    assert [i.milestone.key for i in bp.items] == ["jpt-test-2", "tpmap-meeting"]


def test_overdue_only_while_short(plan):
    counts = {("jpt", "ban-pong", ""): 34227, ("jpt", "bang-phae", ""): 8000}
    rs = plan_day(plan, counts, D(2022, 5, 5))
    districts = {r.district.key: r for r in rs if r.district}
    assert "ban-pong" not in districts                   # met: no nag, no congratulation
    bang_phae = districts["bang-phae"].items[0]
    assert bang_phae.reason == OVERDUE and bang_phae.figure.remaining == 204
    text = render(districts["bang-phae"], plan.province_name).texts[0]
    assert "เลยกำหนดมาแล้ว 4 วัน" in text and "ยังขาดอีก 204 ครัวเรือน" in text
    prov = rs[-1]
    assert next(r for r in prov.rows if r.district.key == "bang-phae").overdue


def test_no_district_target_uses_province_figure(plan):
    counts = {("savings", "ban-pong", ""): 2, ("savings", "chom-bueng", ""): 5}
    rs = plan_day(plan, counts, D(2022, 8, 1))
    bp = next(r for r in rs if r.district and r.district.key == "ban-pong")
    sav = next(i for i in bp.items if i.milestone.key == "savings-complete")
    assert sav.figure.target is None and sav.figure.done == 2
    assert (sav.province.done, sav.province.target) == (7, 41)
    assert sav.command == "บันทึก ออมทรัพย์ 1 กลุ่ม"
    text = render(bp, plan.province_name).texts[0]
    assert "อำเภอบ้านโป่ง บันทึกแล้ว 2 กลุ่ม" in text
    assert "ทั้งจังหวัด 7 / 41 กลุ่ม (17.1%) ยังขาดอีก 34 กลุ่ม" in text
    # the province met its 41 groups: every district is congratulated for savings
    met = plan_day(plan, {("savings", "ban-pong", ""): 41}, D(2022, 8, 1))
    reasons = {i.reason for r in met if r.district for i in r.items
               if i.milestone.key == "savings-complete"}
    assert reasons == {MET}


def test_offsets_come_from_the_plan(plan):
    ms = tuple(dataclasses.replace(m, remind_days=(2,), overdue_every=1)
               if m.key == "jpt-complete" else m for m in plan.milestones)
    custom = dataclasses.replace(plan, milestones=ms)
    assert ("jpt-complete", BEFORE) in due(custom, D(2022, 4, 29))   # Sat 30 → Fri 29
    assert ("jpt-complete", BEFORE) not in due(custom, D(2022, 4, 22))
    assert ("jpt-complete", BEFORE) not in due(custom, D(2022, 4, 28))
    assert ("jpt-complete", OVERDUE) in due(custom, D(2022, 5, 2))   # every working day
    assert ("jpt-complete", OVERDUE) in due(custom, D(2022, 5, 3))
    hol = dataclasses.replace(plan, holidays=plan.holidays + (
        dataclasses.replace(plan.holidays[0], date=D(2022, 4, 22)),))
    assert due(hol, D(2022, 4, 22)) == set()                  # moved to Thursday
    assert ("jpt-test-2", OPEN) in due(hol, D(2022, 4, 21))


def test_message_is_thai_polite_and_valid_for_line(plan):
    counts = {("jpt", "ban-pong", ""): 1320}
    rs = plan_day(plan, counts, D(2022, 4, 22))
    for r in rs:
        reply = render(r, plan.province_name)
        assert len(reply.texts) == 1 and len(reply.flex) == 1
        text = reply.texts[0]
        assert "ครับ" in text and "ค่ะ" not in text
        assert "22 เม.ย. 2565" in text and "1 พ.ค. 2565" in text
        assert len(to_sdk_messages(reply)) == 2            # the SDK accepts the Flex bubble
        assert len(json.dumps(reply.flex[0].contents, ensure_ascii=False).encode()) < 30_000
        assert len(reply.flex[0].alt_text) <= 400
        assert from_payload(json.loads(json.dumps(to_payload(reply)))) == reply
    bp = next(r for r in rs if r.district and r.district.key == "ban-pong")
    text = render(bp, plan.province_name).texts[0]
    assert "อำเภอบ้านโป่ง: 1,320 / 34,227 ครัวเรือน (3.9%) ยังขาดอีก 32,907 ครัวเรือน" in text
    assert "อีก 9 วัน" in text and "เปิดระบบพรุ่งนี้" in text
    assert '"บันทึก จปฐ 120 ครัวเรือน"' in text
    province = render(rs[-1], plan.province_name).texts[0]
    assert province.count("\n– ") == 10 and "บ้านโป่ง: จปฐ. 1,320/34,227 (3.9%)" in province


def test_log_commands_parse_as_logs(plan):
    from bot.language import Intent, Parser
    parser = Parser(plan)
    for ind in plan.indicators:
        cmd = parser.parse(log_command(plan, ind))
        assert cmd.intent is Intent.LOG and cmd.indicator == ind.key, (ind.key, cmd)
