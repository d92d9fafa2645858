"""Reminders carry the status (issue 14, point 4): each progress item says where the district
stands in the words of ``bot.core.status`` — the same Board, the same ``Status.line()``,
``pace()`` and ``quiet_text()`` the API, the dashboard and the chat cards read, never a second
wording. Frozen dates: the scenario of ``tests/scenario.py`` on 19 Apr 2565, 12 days before
จปฐ. closes (9 working days left with the 4 May holiday), in a plan that also reminds 12 days
before that deadline (``remind_days`` is the plan's, per milestone)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import DEFAULT_PLAN
from bot.core import status as core
from bot.core.plan import load_plan_text
from bot.core.plans import PlanCache
from bot.line.client import to_sdk_messages
from bot.timeutil import BANGKOK
from models import ReminderDelivery
from models.queries import counters, last_entries, load_board, record_entry
from reminders import planner
from reminders.messages import from_payload, render, status_line, to_payload
from reminders.planner import MET, plan_day
from reminders.rounds import Rounds
from tests.reminders.conftest import FAST, bind, d
from tests.scenario import JPT_SHARE, TODAY, group_of, seed_mid_april

JPT_DEADLINE = 'kind: deadline, date: "2565-05-01",'
PROVINCE_GROUP = "Cprovince-ratchaburi"


def plan_text() -> str:
    """The Ratchaburi 2565 plan, reminding of จปฐ.'s deadline 12 days before it too."""
    text = Path(DEFAULT_PLAN).read_text(encoding="utf-8")
    assert JPT_DEADLINE in text
    return text.replace(JPT_DEADLINE, JPT_DEADLINE + " remind_days: [14, 12, 7, 3, 1, 0],", 1)


@pytest.fixture(scope="module")
def plan12():
    return load_plan_text(plan_text(), "ratchaburi-2565.yaml")


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=BANGKOK).astimezone(dt.timezone.utc)


def scenario_state(plan) -> tuple[dict, dict]:
    """The scenario's จปฐ. figures and last entries, without a database (tests/scenario.py
    writes the same totals as entries); savings: 2 groups in 8 districts, logged in March."""
    jpt = plan.indicator("jpt")
    counts, last = {}, {}
    for key, (share, day) in JPT_SHARE.items():
        counts[("jpt", key, "")] = round(jpt.district_target(key) * share)
        last[("jpt", key)] = _at(day)
        if key not in ("chom-bueng", "ban-kha"):
            counts[("savings", key, "")] = 2
            last[("savings", key)] = _at(dt.date(2022, 3, 8))
    return counts, last


def district(reminders, key: str):
    return next(r for r in reminders if r.district and r.district.key == key)


def jpt_item(reminder):
    return next(i for i in reminder.items if i.milestone.key == "jpt-complete")


def text_of(reminder, plan) -> str:
    return render(reminder, plan.province_name).texts[0]


# --------------------------------------------------------------------------- pure
def test_the_planners_calendar_is_the_status_cores(plan12):
    assert planner.is_working_day is core.is_working_day
    assert [t.milestone.key for t in planner.triggers(plan12, TODAY)] == ["jpt-complete"]
    # overdue every 3 working days after Sun 1 May (Wed 4 May a holiday): Thu 5, Tue 10
    assert [day.day for day in (d(2022, 5, n) for n in range(2, 13))
            if planner.triggers(plan12, day)] == [5, 10]


def test_each_progress_item_carries_the_boards_status(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    rs = plan_day(plan12, counts, TODAY, last)
    assert [r.scope for r in rs] == ["district"] * 10 + ["province"]
    for r in rs[:-1]:
        item = jpt_item(r)
        assert item.status == board.cell("jpt", r.district.key)
        assert item.measured == board.measured("jpt", r.district.key)
    # the board handed in is the one used (rounds pass the API's load_board)
    rs2 = plan_day(plan12, counts, TODAY, board=board)
    assert all(jpt_item(a).status is board.cell("jpt", a.district.key)
               for a in rs2[:-1])
    assert rs2[-1].board is board and rs2[-1].items[0].status is board.province["jpt"]
    states = {r.district.key: jpt_item(r).status.status for r in rs[:-1]}
    assert states == {"mueang-ratchaburi": "on-track", "ban-pong": "on-track",
                      "photharam": "on-track", "damnoen-saduak": "on-track",
                      "bang-phae": "on-track", "pak-tho": "on-track", "chom-bueng": "behind",
                      "wat-phleng": "done", "suan-phueng": "behind", "ban-kha": "silent"}
    assert jpt_item(district(rs, "wat-phleng")).reason == MET


def test_behind_district_is_told_what_it_needs_per_working_day(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    st = board.cell("jpt", "suan-phueng")
    assert (st.status, st.silent) == ("behind", False)
    text = text_of(district(plan_day(plan12, counts, TODAY, last), "suan-phueng"), plan12)
    assert st.pace() == "ต้องได้วันละ 365 ครัวเรือน (9 วันทำการที่เหลือ)"   # 3,280 / 9
    assert ("\n   🔴 ล่าช้า · ได้ 4,530 จากที่ควรได้ 5,106 · "
            "ต้องได้วันละ 365 ครัวเรือน (9 วันทำการที่เหลือ)\n") in text
    assert f"\n   {st.icon} {st.line()}\n" in text                 # Status.line(), verbatim
    assert "อำเภอสวนผึ้ง: 4,530 / 7,810 ครัวเรือน (58.0%) ยังขาดอีก 3,280 ครัวเรือน" in text
    assert 'รบกวนเร่งบันทึกให้ทันกำหนดนะครับ พิมพ์ในกลุ่มนี้ เช่น "บันทึก จปฐ 120 ครัวเรือน"' in text
    assert "ไม่มีการบันทึกมา" not in text                      # it logs every day


def test_silent_district_is_nudged_with_the_days_since_its_last_log(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    rs = plan_day(plan12, counts, TODAY, last)
    # บ้านคา: ahead of the line (90 %) but nothing since 7 Apr
    st = board.cell("jpt", "ban-kha")
    assert st.status == "silent" and st.quiet_text() == "ไม่มีการบันทึกมา 12 วัน (ล่าสุด 7 เม.ย. 2565)"
    text = text_of(district(rs, "ban-kha"), plan12)
    assert f"\n   🟠 ไม่มีความเคลื่อนไหว · ได้ 4,475 (ควรได้ 3,250) · {st.quiet_text()}" in text
    assert f"\n   {st.icon} {st.line()}\n" in text
    assert ('รบกวนบันทึกผลงานที่ทำไปแล้วเข้ามาด้วยนะครับ พิมพ์ในกลุ่มนี้ เช่น '
            '"บันทึก จปฐ 120 ครัวเรือน"') in text
    # จอมบึง: behind and silent: behind, with the quiet days and the pace both said
    st = board.cell("jpt", "chom-bueng")
    assert (st.status, st.silent) == ("behind", True)
    text = text_of(district(rs, "chom-bueng"), plan12)
    assert st.quiet_text() == "ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)"
    assert ("🔴 ล่าช้า · ได้ 3,756 จากที่ควรได้ 7,921 · ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)"
            " · ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)") in text
    assert st.pace() in text and st.quiet_text() in text


def test_on_track_district_gets_one_short_line(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    st = board.cell("jpt", "ban-pong")
    text = text_of(district(plan_day(plan12, counts, TODAY, last), "ban-pong"), plan12)
    item = text.split("\n\n")[1].split("\n")
    assert item == ["1) 📌 บันทึกข้อมูล จปฐ. ให้แล้วเสร็จ",
                    "   กำหนดภายใน 1 พ.ค. 2565 (อีก 12 วัน)",
                    "   🔵 ตามแผน · ได้ 25,328 (ควรได้ 22,379)"]
    # the cards' line less its pace, which an on-track district does not need to be told
    assert st.line() == f"ตามแผน · ได้ 25,328 (ควรได้ 22,379) · {st.pace()}"
    assert status_line(st) == "🔵 ตามแผน · ได้ 25,328 (ควรได้ 22,379)"


def test_district_without_a_target_reads_the_provinces_status(plan12):
    # 18 Jul: the 41 savings groups are due in 14 days; no district has a target of its own
    day = d(2022, 7, 18)
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, day, BANGKOK)
    own, prov = board.cell("savings", "ban-pong"), board.province["savings"]
    assert own.status == "no-target" and board.measured("savings", "ban-pong") is prov
    assert prov.status == "behind"
    r = district(plan_day(plan12, counts, day, last), "ban-pong")
    sav = next(i for i in r.items if i.milestone.key == "savings-complete")
    assert sav.status == own and sav.measured == prov
    text = text_of(r, plan12)
    assert "อำเภอบ้านโป่ง บันทึกแล้ว 2 กลุ่ม · ทั้งจังหวัด 16 / 41 กลุ่ม (39.0%)" in text
    said = prov.line().replace("ล่าช้า", "ล่าช้า (ทั้งจังหวัด)", 1)
    assert f"\n   🔴 {said}\n" in text
    assert said.startswith("ล่าช้า (ทั้งจังหวัด) · ได้ 16 จากที่ควรได้ ")
    assert prov.pace() in text and prov.quiet_text() in text
    # the Flex bar is the province's, coloured by its status, the label in words beside it
    bubble = json.dumps(render(r, plan12.province_name).flex[0].contents, ensure_ascii=False)
    assert f'"backgroundColor": "{prov.color}"' in bubble and "🔴 ล่าช้า (ทั้งจังหวัด)" in bubble


def test_province_summary_lists_the_districts_behind_and_silent_first(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    prov = plan_day(plan12, counts, TODAY, last)[-1]
    text = text_of(prov, plan12)
    rows = [line for line in text.split("\n") if line.startswith("– ")]
    assert len(rows) == 10
    assert [r.split(":")[0][2:] for r in rows[:3]] == ["จอมบึง", "สวนผึ้ง", "บ้านคา"]
    for key, row in zip(("chom-bueng", "suan-phueng", "ban-kha"), rows):
        st = board.cell("jpt", key)
        assert row.endswith(f" {st.icon} {st.line()}")          # the same words
    # the rest in the plan's order, with their label
    assert [r.split(":")[0][2:] for r in rows[3:]] == [
        "เมืองราชบุรี", "บ้านโป่ง", "โพธาราม", "ดำเนินสะดวก", "บางแพ", "ปากท่อ", "วัดเพลง"]
    assert rows[4] == "– บ้านโป่ง: จปฐ. 25,328/34,227 (74.0%) 🔵 ตามแผน"
    assert rows[-1] == "– วัดเพลง: จปฐ. 2,869/2,869 (100.0%) ✅ ครบแล้ว"
    assert f"\n   {board.province['jpt'].icon} {board.province['jpt'].line()}\n" in text
    assert "\n   รายอำเภอ: ล่าช้า 2 · ไม่มีความเคลื่อนไหว 1 · ตามแผน 6 · ครบแล้ว 1 อำเภอ\n" in text


def test_bars_are_coloured_by_status_with_the_label_in_words(plan12):
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    rs = plan_day(plan12, counts, TODAY, last)

    def bars(reply) -> list[tuple[str, str]]:
        """(fill colour, label words) of every status bar of the bubble."""
        out = []

        def walk(node):
            if isinstance(node, dict):
                if node.get("layout") == "horizontal" and len(node.get("contents", [])) == 2:
                    bar, label = node["contents"]
                    out.append((bar["contents"][0].get("backgroundColor"), label["text"]))
                for v in node.values():
                    walk(v)
            elif isinstance(node, list):
                for v in node:
                    walk(v)
        walk(reply.flex[0].contents)
        return out

    for key in ("chom-bueng", "ban-kha", "ban-pong"):
        st = board.cell("jpt", key)
        assert bars(render(district(rs, key), plan12.province_name)) == [
            (st.color, f"{st.icon} {st.label}")]
    province = bars(render(rs[-1], plan12.province_name))
    p = board.province["jpt"]
    assert province[0] == (p.color, f"{p.icon} {p.label}")
    assert {label for _, label in province[1:]} == {"🔴 ล่าช้า", "🟠 ไม่มีความเคลื่อนไหว",
                                                    "🔵 ตามแผน", "✅ ครบแล้ว"}
    assert province[1] == (board.cell("jpt", "chom-bueng").color, "🔴 ล่าช้า")
    for r in rs:
        reply = render(r, plan12.province_name)
        assert len(to_sdk_messages(reply)) == 2
        assert len(json.dumps(reply.flex[0].contents, ensure_ascii=False).encode()) < 30_000
        assert from_payload(json.loads(json.dumps(to_payload(reply)))) == reply


# --------------------------------------------------------------------------- a round
@pytest.fixture
def mid_april(make_app, tmp_path):
    path = tmp_path / "ratchaburi-2565.yaml"
    path.write_text(plan_text(), encoding="utf-8")
    app = make_app(REMINDER_SETTINGS=FAST, PLAN_FILE=str(path))
    svc = app.extensions["nongpat"]
    seed_mid_april(app)
    bind(svc, PROVINCE_GROUP)
    return svc


def the_board(svc):
    """The statuses as the API and the cards have them (models.queries.load_board)."""
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        return active, load_board(s, active.id, active.plan,
                                  dt.datetime.combine(TODAY, dt.time(8, 30), tzinfo=BANGKOK))


def pushed(fake) -> dict[str, str]:
    with fake.lock:
        return {p.to: p.messages[0]["text"] for p in fake.pushes}


def test_a_round_in_mid_april_says_what_the_cards_say(mid_april, fake_line):
    svc = mid_april
    report = Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(), settings=FAST).run(TODAY)
    assert (report.planned, report.sent, report.failed, report.pending) == (11, 11, 0, 0)
    got = pushed(fake_line)
    assert len(fake_line.pushes) == 11 and set(got) == {group_of(k) for k in JPT_SHARE} | {
        PROVINCE_GROUP}
    active, board = the_board(svc)
    behind, quiet, on_track = (board.cell("jpt", k) for k in ("chom-bueng", "ban-kha", "ban-pong"))
    # behind (and quiet): what it needs per working day, and since when nothing was logged
    chom = got[group_of("chom-bueng")]
    assert behind.pace() == "ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)"
    assert f"\n   🔴 {behind.line()}\n" in chom
    assert behind.pace() in chom and behind.quiet_text() in chom
    # silent: the days since its last log
    kha = got[group_of("ban-kha")]
    assert quiet.quiet_text() == "ไม่มีการบันทึกมา 12 วัน (ล่าสุด 7 เม.ย. 2565)"
    assert f"\n   🟠 {quiet.line()}\n" in kha
    # on track: one short line
    pong = got[group_of("ban-pong")]
    assert "\n   🔵 ตามแผน · ได้ 25,328 (ควรได้ 22,379)\n" in pong
    assert on_track.pace() not in pong and "รบกวน" not in pong
    # done: congratulated
    assert "ขอแสดงความยินดี" in got[group_of("wat-phleng")]
    # the province: behind and silent first, in the same words
    summary = got[PROVINCE_GROUP]
    rows = [line for line in summary.split("\n") if line.startswith("– ")]
    assert [r.split(":")[0] for r in rows[:3]] == ["– จอมบึง", "– สวนผึ้ง", "– บ้านคา"]
    assert rows[0].endswith(behind.line()) and rows[2].endswith(quiet.line())
    # the ledger holds what was sent
    with svc.sessions() as s:
        rows = {r.group_id: r for r in s.scalars(select(ReminderDelivery)
                                                 .where(ReminderDelivery.day == TODAY))}
    assert {g: r.payload["texts"][0] for g, r in rows.items()} == got
    assert {r.status for r in rows.values()} == {"sent"}


def test_a_retry_sends_the_status_as_it_was_written(mid_april, fake_line):
    """A status changes when a district logs; a delivery left pending is resent with its stored
    words (and key), not with a newer status."""
    svc = mid_april
    fake_line.fail_next["push"] = [500] * (FAST.attempts * 11)
    rounds = Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(),
                    settings=dataclasses.replace(FAST, workers=1))
    assert rounds.run(TODAY).pending == 11 and fake_line.pushes == []
    with svc.sessions() as s:
        stored = s.scalars(select(ReminderDelivery).where(
            ReminderDelivery.group_id == group_of("chom-bueng"))).one()
    words = stored.payload["texts"][0]
    assert "ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)" in words
    with svc.sessions() as s, s.begin():                 # จอมบึง logs a lot meanwhile
        active = svc.bot.current_plan(s)
        record_entry(s, plan_id=active.id, indicator_key="jpt", district_key="chom-bueng",
                     category_key=None, amount=5000, source_type="group",
                     text="บันทึก จปฐ 5000", created_at=_at(TODAY))
    _, board = the_board(svc)
    assert board.cell("jpt", "chom-bueng").status == "on-track"     # it would read otherwise
    fake_line.fail_next["push"] = []
    assert rounds.run(TODAY).sent == 11
    sent = next(p for p in fake_line.pushes if p.to == group_of("chom-bueng"))
    assert sent.messages[0]["text"] == words and sent.retry_key == stored.retry_key


def test_the_round_reads_the_last_entries_once_per_province(mid_april):
    """The statuses cost one statement per province (``last_entries``), whatever the groups."""
    from sqlalchemy import event
    from reminders.rounds import outgoing
    svc = mid_april
    seen: list[str] = []

    def count(_conn, _cursor, sql, *_a):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append(sql)

    cache = PlanCache(max_age=3600)
    with svc.sessions() as s:
        cache.get(s)
    for k in range(20):
        bind(svc, f"Cmore{k:02d}", "chom-bueng")
    event.listen(svc.engine, "before_cursor_execute", count)
    try:
        with svc.sessions() as s:
            out = outgoing(s, cache, TODAY)
    finally:
        event.remove(svc.engine, "before_cursor_execute", count)
    assert len(out) == 31
    entries = [q for q in seen if "FROM entries" in q]
    assert len(entries) == 1, entries               # last_entries: one statement
    assert len(seen) == 3, seen                     # the groups, the counters, the last entries
    with svc.sessions() as s:                       # and it is the API's reading
        active = svc.bot.current_plan(s)
        assert len(last_entries(s, active.id, active.plan)) == 27
        assert counters(s, active.id)[("jpt", "chom-bueng", "")] == 3756


def test_the_reminders_and_the_chat_cards_say_the_same(plan12):
    """The cards (handlers.query) say a status in pieces — the verdict, how long nothing was
    logged, the pace (Status.verdict, quiet_text, pace); a reminder says the same pieces on
    one line."""
    counts, last = scenario_state(plan12)
    board = core.board(plan12, counts, last, TODAY, BANGKOK)
    rs = plan_day(plan12, counts, TODAY, last)
    for key in ("chom-bueng", "suan-phueng", "ban-kha", "ban-pong"):
        st, text = board.cell("jpt", key), text_of(district(rs, key), plan12)
        for piece in st.verdict().split(" · "):        # the label, done against the line
            assert piece in text, (key, piece)
        assert (st.quiet_text() or "") in text
        assert (st.pace() in text) == (st.status != "on-track")
    day = d(2022, 7, 18)
    board = core.board(plan12, counts, last, day, BANGKOK)
    text = text_of(district(plan_day(plan12, counts, day, last), "ban-pong"), plan12)
    assert board.province["savings"].verdict(whole_province=True) in text
