"""One round for several provinces: Ratchaburi (real plan) and a made-up นครปฐม whose districts
share a key with Ratchaburi's (both have ban-pong), with district, province and department
groups; on SQLite and (TEST_DATABASE_URL) PostgreSQL, against the fake LINE (which checks every
payload against LINE's spec)."""
from __future__ import annotations

import collections
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import DEFAULT_PLAN
from bot.core.madeup import made_up_plan
from bot.core.plan import load_plan_file, load_plan_text
from bot.core.plans import PlanCache
from bot.timeutil import BANGKOK, fixed_clock
from models import ReminderDelivery
from reminders.clock import ReminderClock
from reminders.messages import render_national
from reminders.planner import national_day, national_working_day
from reminders.rounds import Rounds, outgoing
from tests.reminders.test_rounds import _two_clocks
from tests.reminders.conftest import FAST, bind, d, log_progress

DAY = d(2022, 4, 22)      # Friday: jpt-complete in 9 days (both plans), jpt-test-2 opens tomorrow
NP = "nakhon-pathom"
NP_DISTRICTS = [("mueang-nakhon-pathom", "เมืองนครปฐม"), ("ban-pong", "บ้านโป่ง"),
                ("kamphaeng-saen", "กำแพงแสน"), ("nakhon-chai-si", "นครชัยศรี")]


def np_text(holiday: str | None = None, jpt_complete: str | None = None) -> str:
    """The made-up นครปฐม 2565 plan; ``holiday`` adds a local holiday (B.E. date), and
    ``jpt_complete`` moves its จปฐ. deadline."""
    text = made_up_plan(NP, "นครปฐม", 2565, NP_DISTRICTS, seed=7)
    if holiday:
        line = f'  - {{date: "{holiday}", name: วันหยุดท้องถิ่น}}\n'
        text = text.replace("holidays:\n", "holidays:\n" + line, 1)
    if jpt_complete:
        old = 'kind: deadline, date: "2565-05-01"'
        assert old in text
        text = text.replace(old, f'kind: deadline, date: "{jpt_complete}"', 1)
    return text


def two_provinces(make_app, tmp_path: Path, **np) -> tuple:
    path = tmp_path / "nakhon-pathom-2565.yaml"
    path.write_text(np_text(**np), encoding="utf-8")
    app = make_app(REMINDER_SETTINGS=FAST, PLAN_FILE=f"{DEFAULT_PLAN},{path}")
    return app, app.extensions["nongpat"], load_plan_file(path)


def standard(svc) -> None:
    bind(svc, "Cr-banpong", "ban-pong", province="ratchaburi")
    bind(svc, "Cr-mueang", "mueang-ratchaburi", province="ratchaburi")
    bind(svc, "Cr-province", province="ratchaburi")
    bind(svc, "Cn-banpong", "ban-pong", province=NP)
    bind(svc, "Cn-mueang", "mueang-nakhon-pathom", province=NP)
    bind(svc, "Cn-province", province=NP)
    bind(svc, "Cdept", department=True)
    bind(svc, "Cn-muted", "kamphaeng-saen", province=NP, muted=True)


def rounds_of(svc) -> Rounds:
    return Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(), settings=FAST)


def texts(fake) -> dict[str, str]:
    with fake.lock:
        return {p.to: p.text for p in fake.pushes}


def per_group(fake) -> collections.Counter:
    with fake.lock:
        return collections.Counter(p.to for p in fake.pushes)


def ledger(svc, day=DAY) -> dict[str, ReminderDelivery]:
    with svc.sessions() as s:
        return {r.group_id: r for r in s.scalars(select(ReminderDelivery)
                                                 .where(ReminderDelivery.day == day))}


def n(x: int) -> str:
    return f"{x:,}"


# --------------------------------------------------------------------------- figures
def test_each_group_gets_its_own_provinces_figures(make_app, tmp_path, fake_line):
    app, svc, np_plan = two_provinces(make_app, tmp_path)
    standard(svc)
    log_progress(svc, "jpt", "ban-pong", 1320, province="ratchaburi")
    log_progress(svc, "jpt", "ban-pong", 500, province=NP)
    report = rounds_of(svc).run(DAY)
    assert (report.planned, report.sent, report.failed, report.pending) == (7, 7, 0, 0)
    assert set(per_group(fake_line).values()) == {1} and "Cn-muted" not in per_group(fake_line)
    got = texts(fake_line)
    np_jpt = np_plan.indicator("jpt")
    np_bp = np_jpt.district_target("ban-pong")
    assert np_bp != 34227
    # the same district key, two provinces, two sets of figures
    assert "อำเภอบ้านโป่ง: 1,320 / 34,227 ครัวเรือน" in got["Cr-banpong"]
    assert f"อำเภอบ้านโป่ง: 500 / {n(np_bp)} ครัวเรือน" in got["Cn-banpong"]
    assert "34,227" not in got["Cn-banpong"]
    assert "อำเภอเมืองนครปฐม: 0 / " in got["Cn-mueang"]
    # each province's summary: its own districts and total
    assert "สรุปประจำวันจังหวัดราชบุรี" in got["Cr-province"]
    assert "– โพธาราม:" in got["Cr-province"] and "กำแพงแสน" not in got["Cr-province"]
    assert "สรุปประจำวันจังหวัดนครปฐม" in got["Cn-province"]
    assert got["Cn-province"].count("\n– ") == 4 and "– กำแพงแสน:" in got["Cn-province"]
    assert f"จปฐ. ทั้งจังหวัด 500 / {n(np_jpt.target)} ครัวเรือน" in got["Cn-province"]
    # the department: the nation
    dept = got["Cdept"]
    total = 167839 + np_jpt.target
    assert "🇹🇭 สรุปประจำวันภาพรวมทั้งประเทศ วันที่ 22 เม.ย. 2565 ครับ" in dept
    assert f"จปฐ. ทั้งประเทศ 1,820 / {n(total)} ครัวเรือน" in dept
    assert f"ยังขาดอีก {n(total - 1820)} ครัวเรือน · 2 จังหวัด" in dept
    assert "ทุกจังหวัดที่ทำการวันนี้ (2 จังหวัด)" in dept and "กำหนดภายใน 1 พ.ค. 2565" in dept
    assert "นำ: " in dept and "ตามหลัง: " in dept and "ค่ะ" not in dept
    push = next(p for p in fake_line.pushes if p.to == "Cdept")
    assert [m["type"] for m in push.messages] == ["text", "flex"]
    rows = ledger(svc)
    assert {r.status for r in rows.values()} == {"sent"} and len(rows) == 7
    assert rows["Cn-banpong"].payload["province"] == NP
    assert rows["Cdept"].payload["scope"] == "department"
    # again: nothing new reaches LINE
    again = rounds_of(svc).run(DAY)
    assert again.sent == 0 and again.delivered_before == 7 and len(fake_line.pushes) == 7


def test_preview_names_the_provinces(make_app, tmp_path, fake_line):
    app, svc, _ = two_provinces(make_app, tmp_path)
    standard(svc)
    result = app.test_cli_runner().invoke(args=["reminders", "preview", "--date", "2565-04-22"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "7 กลุ่ม (ยังไม่ส่ง)" in out
    assert "2 จังหวัดมีแผน · จำนวนกลุ่ม: นครปฐม 3, ราชบุรี 3, ส่วนกลาง 1" in out
    assert "=== ถึงกลุ่ม Cr-banpong · อำเภอบ้านโป่ง จังหวัดราชบุรี" in out
    assert "=== ถึงกลุ่ม Cn-banpong · อำเภอบ้านโป่ง จังหวัดนครปฐม" in out
    assert "=== ถึงกลุ่ม Cn-province · จังหวัดนครปฐม" in out
    assert "=== ถึงกลุ่ม Cdept · ส่วนกลาง (ภาพรวมทั้งประเทศ)" in out
    assert fake_line.pushes == [] and ledger(svc) == {}
    run = app.test_cli_runner().invoke(args=["reminders", "run", "--date", "2565-04-22"])
    assert run.exit_code == 0 and "sent=7" in run.output


# --------------------------------------------------------------------------- holidays
def test_a_holiday_in_one_province_only(make_app, tmp_path, fake_line):
    # นครปฐม rests on Fri 22 Apr: its reminders of that day go out on Thu 21 Apr
    app, svc, _ = two_provinces(make_app, tmp_path, holiday="2565-04-22")
    standard(svc)
    r = rounds_of(svc)
    thursday = r.run(d(2022, 4, 21))
    assert set(per_group(fake_line)) == {"Cn-banpong", "Cn-mueang", "Cn-province", "Cdept"}
    assert thursday.sent == 4
    assert "ประจำวันที่ 21 เม.ย. 2565" in texts(fake_line)["Cn-banpong"]
    assert "จังหวัดนครปฐม" in texts(fake_line)["Cdept"]       # only นครปฐม had something
    fake_line.reset()
    friday = r.run(DAY)
    assert set(per_group(fake_line)) == {"Cr-banpong", "Cr-mueang", "Cr-province", "Cdept"}
    assert friday.resting == ["นครปฐม"]
    dept = texts(fake_line)["Cdept"]
    assert "วันนี้เป็นวันหยุดตามแผนของจังหวัดนครปฐม (ไม่มีแจ้งเตือน)" in dept
    assert "จังหวัดราชบุรี" in dept and "ทุกจังหวัด" not in dept
    assert set(ledger(svc)) == {"Cr-banpong", "Cr-mueang", "Cr-province", "Cdept"}
    preview = app.test_cli_runner().invoke(args=["reminders", "preview", "--date", "2565-04-22"])
    assert "วันหยุดตามแผนของจังหวัด (ไม่ส่ง): นครปฐม" in preview.output
    # the clock runs when any province works; Songkran is everyone's holiday
    clock = ReminderClock(rounds_of(svc), fixed_clock(dt.datetime(2022, 4, 22, 9, tzinfo=BANGKOK)),
                          dt.time(8, 30))
    assert clock.is_working_day(DAY) and clock.is_working_day(d(2022, 4, 21))
    assert not clock.is_working_day(d(2022, 4, 13)) and not clock.is_working_day(d(2022, 4, 23))


def test_national_working_days_follow_most_plans(plan):
    np_plan = load_plan_text(np_text(holiday="2565-04-22"), "np")
    assert national_working_day([plan, np_plan], DAY)                 # 1 of 2: the nation works
    assert not national_working_day([np_plan], DAY)                   # 1 of 1
    assert not national_working_day([plan, np_plan, np_plan], DAY)    # 2 of 3
    assert not national_working_day([plan, np_plan], d(2022, 4, 13))  # Songkran: both
    assert not national_working_day([plan, np_plan], d(2022, 4, 23))  # Saturday
    assert national_working_day([plan], DAY) and national_working_day([], DAY)
    # most provinces rest: no national summary, even though ราชบุรี works
    assert national_day([plan, np_plan, np_plan], [], DAY) is None
    summary = national_day([plan, np_plan], [], DAY)
    assert summary is not None and summary.resting == ("นครปฐม",) and summary.working == 1
    reply = render_national(summary)
    assert "ครับ" in reply.texts[0] and len(reply.flex[0].alt_text) <= 400


# --------------------------------------------------------------------------- quota
def test_quota_sends_the_longest_overdue_first_across_provinces(make_app, tmp_path, fake_line):
    # 5 May 2565: ราชบุรี's จปฐ. is 4 days overdue; นครปฐม's closes today (its plan moved it):
    # both urgent, นครปฐม first in the catalog's order, ราชบุรี first by days to the deadline
    app, svc, _ = two_provinces(make_app, tmp_path, jpt_complete="2565-05-05")
    day = d(2022, 5, 5)
    bind(svc, "Cn-banpong", "ban-pong", province=NP)
    bind(svc, "Cr-banpong", "ban-pong", province="ratchaburi")
    fake_line.member_counts.update({"Cn-banpong": 10, "Cr-banpong": 10})
    fake_line.quota_limit, fake_line.quota_used = 500, 485        # 15 left: one group fits
    with svc.sessions() as s:
        planned = {o.group_id: o for o in outgoing(s, PlanCache(), day)}
    assert planned["Cn-banpong"].urgent and planned["Cn-banpong"].days == 0
    assert planned["Cr-banpong"].urgent and planned["Cr-banpong"].days == -4
    assert list(planned) == ["Cn-banpong", "Cr-banpong"]        # the catalog's order
    report = rounds_of(svc).run(day)
    assert report.estimate == 20 and report.sent == 1 and report.dropped == 1
    assert per_group(fake_line) == {"Cr-banpong": 1}
    rows = ledger(svc, day)
    assert rows["Cn-banpong"].status == "dropped"
    assert "even for urgent ones" in rows["Cn-banpong"].error


def test_quota_sends_the_furthest_behind_first_when_deadlines_tie(make_app, tmp_path,
                                                                   fake_line):
    # 5 May 2565: จปฐ. 4 days overdue in both provinces; ราชบุรี เมือง has nothing (100% short),
    # นครปฐม บ้านโป่ง half (50%), ราชบุรี บ้านโป่ง 30,000 of 34,227 (12%); a district that met its
    # target gets nothing; a Saturday-quiet savings reminder is not due
    app, svc, np_plan = two_provinces(make_app, tmp_path)
    day = d(2022, 5, 5)
    half = np_plan.indicator("jpt").district_target("ban-pong") // 2
    log_progress(svc, "jpt", "ban-pong", 30000, province="ratchaburi")
    log_progress(svc, "jpt", "ban-pong", half, province=NP)
    bind(svc, "Ca-r-banpong", "ban-pong", province="ratchaburi")
    bind(svc, "Cb-r-mueang", "mueang-ratchaburi", province="ratchaburi")
    bind(svc, "Cc-n-banpong", "ban-pong", province=NP)
    fake_line.member_counts.update({"Ca-r-banpong": 10, "Cb-r-mueang": 10, "Cc-n-banpong": 10})
    fake_line.quota_limit, fake_line.quota_used = 500, 475        # 25 left: two groups fit
    report = rounds_of(svc).run(day)
    assert report.estimate == 30 and report.sent == 2 and report.dropped == 1
    assert per_group(fake_line) == {"Cb-r-mueang": 1, "Cc-n-banpong": 1}
    rows = ledger(svc, day)
    assert rows["Ca-r-banpong"].status == "dropped" and rows["Ca-r-banpong"].urgent
    assert rows["Cb-r-mueang"].payload["behind"] == 1.0
    assert 0.12 < rows["Ca-r-banpong"].payload["behind"] < 0.13


def test_quota_short_drops_non_urgent_in_every_province(make_app, tmp_path, fake_line):
    # 22 Apr: nothing urgent anywhere (9 days to go): a round that does not fit sends nothing
    app, svc, _ = two_provinces(make_app, tmp_path)
    standard(svc)
    fake_line.quota_limit, fake_line.quota_used = 500, 450        # 50 left, 7 groups × 30
    report = rounds_of(svc).run(DAY)
    assert report.sent == 0 and report.dropped == 7 and fake_line.pushes == []
    assert {r.status for r in ledger(svc).values()} == {"dropped"}


# --------------------------------------------------------------------------- exactly once
def test_two_clocks_deliver_once_across_provinces(make_app, tmp_path, database_url, fake_line):
    app, svc, _ = two_provinces(make_app, tmp_path)
    standard(svc)
    for k in range(6):
        bind(svc, f"Cx{k}", ["ban-pong", "kamphaeng-saen"][k % 2],
             province=["ratchaburi", NP][k // 3])
    fake_line.delay["push"] = 0.02
    reports = _two_clocks(database_url, fake_line, 0)
    counts = per_group(fake_line)
    # Cx: ban-pong ×2 in ราชบุรี (k=0, 2), kamphaeng-saen in ราชบุรี is no district of it (k=1)
    expected = {"Cr-banpong", "Cr-mueang", "Cr-province", "Cn-banpong", "Cn-mueang",
                "Cn-province", "Cdept", "Cx0", "Cx2", "Cx3", "Cx4", "Cx5"}
    assert set(counts) == expected and set(counts.values()) == {1}
    assert sum(r.sent for r in reports) == len(expected)


def test_department_group_with_one_province(svc, fake_line):
    bind(svc, "Cdept", department=True)
    bind(svc, "Cbanpong", "ban-pong")
    log_progress(svc, "jpt", "ban-pong", 1320)
    report = rounds_of(svc).run(DAY)
    assert report.sent == 2
    dept = texts(fake_line)["Cdept"]
    assert "จปฐ. ทั้งประเทศ 1,320 / 167,839 ครัวเรือน (0.8%)" in dept
    assert "จังหวัดราชบุรี" in dept and "นำ:" not in dept
    # nothing due, nothing for the department either
    fake_line.reset()
    assert rounds_of(svc).run(d(2022, 4, 19)).planned == 0


@pytest.mark.parametrize("day", [d(2022, 4, 13), d(2022, 4, 23)])
def test_department_rests_on_national_holidays(svc, fake_line, day):
    bind(svc, "Cdept", department=True)
    assert rounds_of(svc).run(day).planned == 0 and fake_line.pushes == []


def test_national_overdue_counts_only_provinces_still_short(plan):
    from bot.core.national import IndicatorSummary, ProvinceFigure
    np_plan = load_plan_text(np_text(), "np")
    day = d(2022, 5, 5)                               # จปฐ. 4 days overdue in both plans
    met = ProvinceFigure(NP, "นครปฐม", 2, 2565, 100, 100)
    short = ProvinceFigure("ratchaburi", "ราชบุรี", 1, 2565, 167839, 1320)
    summary = [IndicatorSummary("jpt", "จปฐ.", "ครัวเรือน", 167939, 1420, [met, short])]
    r = national_day([plan, np_plan], summary, day)
    assert [(n.item.milestone.key, n.provinces) for n in r.items] == [
        ("jpt-complete", ("ราชบุรี",))]
    assert r.urgent and r.days_to_deadline == -4
    text = render_national(r).texts[0]
    assert "เลยกำหนดมาแล้ว 4 วัน" in text and "   จังหวัดราชบุรี" in text
    assert "นำ: นครปฐม 100.0%" in text and "ตามหลัง: ราชบุรี 0.8%" in text
    # every province met it: nothing is due for the nation
    done = ProvinceFigure("ratchaburi", "ราชบุรี", 1, 2565, 167839, 167839)
    assert national_day([plan, np_plan], [IndicatorSummary("jpt", "จปฐ.", "ครัวเรือน", 0, 0,
                                                           [met, done])], day) is None


def test_planning_reads_per_province_not_per_group(make_app, tmp_path):
    from sqlalchemy import event
    app, svc, _ = two_provinces(make_app, tmp_path)
    standard(svc)
    statements: list[str] = []

    def count(_conn, _cursor, sql, *_a):
        if sql.lstrip().upper().startswith("SELECT"):   # not SQLite's BEGIN IMMEDIATE
            statements.append(sql)

    def planned() -> int:
        statements.clear()
        with svc.sessions() as s:
            out = outgoing(s, cache, DAY)
        return len(out), len(statements)

    cache = PlanCache(max_age=3600)
    with svc.sessions() as s:
        cache.get(s)
    event.listen(svc.engine, "before_cursor_execute", count)
    try:
        few = planned()
        for k in range(40):
            bind(svc, f"Cmore{k:02d}", ["ban-pong", "kamphaeng-saen"][k % 2], province=NP)
        many = planned()
    finally:
        event.remove(svc.engine, "before_cursor_execute", count)
    assert many[0] == few[0] + 40
    # the groups, per province its counters and last entries (the statuses), the national totals
    assert many[1] == few[1] == 1 + 2 * 2 + 1, statements
