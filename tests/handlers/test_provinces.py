"""One deployment, several provinces and fiscal years: binding by place, logs and answers that
follow the group's province, 1:1 chats that follow the officer's last group, years by name.

Ratchaburi 2565 is the real plan; Ratchaburi 2566, Kanchanaburi 2565 and Nakhon Pathom 2565 are
made up (bot/core/madeup.py). Kanchanaburi and Nakhon Pathom both key their อำเภอเมือง "mueang":
district keys repeat across provinces, as names do. Totals are checked after every line.
"""
from __future__ import annotations

import datetime as dt

import pytest

from bot.config import DEFAULT_PLAN
from bot.core.madeup import write_made_up
from bot.timeutil import BANGKOK, fixed_clock
from models.queries import counters
from tests.helpers import ADMIN, Chat, entry_count

KANCHANABURI = [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง"), ("tha-maka", "ท่ามะกา"),
                ("sai-yok", "ไทรโยค")]
NAKHON_PATHOM = [("mueang", "เมืองนครปฐม"), ("kamphaeng-saen", "กำแพงแสน"), ("bang-len", "บางเลน")]
FY2566 = dt.datetime(2022, 10, 3, 10, 0, tzinfo=BANGKOK)  # 3 ต.ค. 2565: fiscal year 2566

G_BP, G_KM, G_NM, G_TM = "Cratchaburi-banpong", "Ckan-mueang", "Cnp-mueang", "Ckan-thamuang"
G_KP, G_DEPT, G_FREE = "Ckan-province", "Cdepartment", "Cnot-bound"


@pytest.fixture
def plans(tmp_path):
    files = [DEFAULT_PLAN,
             write_made_up(tmp_path, "ratchaburi", "ราชบุรี", 2566),
             write_made_up(tmp_path, "kanchanaburi", "กาญจนบุรี", 2565, KANCHANABURI),
             write_made_up(tmp_path, "nakhon-pathom", "นครปฐม", 2565, NAKHON_PATHOM)]
    return ",".join(str(f) for f in files)


@pytest.fixture
def dept(make_app, plans, fake_line):
    app = make_app(PLAN_FILE=plans)
    return app, Chat(app, fake_line)


def plan_totals(app, province: str, year: int = 2565) -> dict:
    """{(indicator, district): done} of the province's plan of that year (indicator totals)."""
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.plans.get(s).find(province, year)
        return {(i, d): n for (i, d, c), n in counters(s, active.id).items() if not c and n}


def bind_all(chat: Chat) -> None:
    assert "บ้านโป่ง" in chat.say("ผูกกลุ่ม อำเภอบ้านโป่ง", user=ADMIN, group=G_BP)
    assert "กาญจนบุรี" in chat.say("ผูกกลุ่ม อำเภอเมือง จังหวัดกาญจนบุรี", user=ADMIN,
                                   group=G_KM)
    assert "นครปฐม" in chat.say("ผูกกลุ่ม อำเภอเมืองนครปฐม", user=ADMIN, group=G_NM)
    assert "ท่าม่วง" in chat.say("ผูกกลุ่ม ท่าม่วง", user=ADMIN, group=G_TM)
    assert "ระดับจังหวัดกาญจนบุรี" in chat.say("ผูกกลุ่ม จังหวัดกาญจนบุรี", user=ADMIN,
                                                group=G_KP)
    assert "ระดับกรม" in chat.say("ผูกกลุ่ม กรม", user=ADMIN, group=G_DEPT)


def test_binding_asks_when_a_district_name_fits_several_provinces(dept):
    app, chat = dept
    asked = chat.say("ผูกกลุ่ม อำเภอเมือง", user=ADMIN, group=G_KM)
    for province in ("ราชบุรี", "กาญจนบุรี", "นครปฐม"):
        assert province in asked
    assert "ยังไม่ได้ผูก" in asked and "จังหวัด" in asked
    # not bound: a log there is refused, nothing recorded
    assert "ยังไม่ได้ผูก" in chat.say("บันทึก จปฐ 5 ครัวเรือน", user="Ua", group=G_KM)
    assert entry_count(app) == 0
    bind_all(chat)
    refused = chat.say("ผูกกลุ่ม อำเภอสวนผึ้ง จังหวัดกาญจนบุรี", user=ADMIN, group=G_FREE)
    assert "ไม่พบอำเภอ" in refused and "ท่าม่วง" in refused
    assert "ไม่พบ" in chat.say("ผูกกลุ่ม อำเภอไม่มีจริง", user=ADMIN, group=G_FREE)
    assert "ผู้ดูแลระบบ" in chat.say("ผูกกลุ่ม อำเภอเมือง จังหวัดกาญจนบุรี", user="Ua",
                                     group=G_FREE)


def test_logs_and_answers_follow_the_groups_province(dept):
    app, chat = dept
    bind_all(chat)
    script = [  # (user, group, text, in the reply, {province: {(indicator, district): total}})
        ("Ua", G_KM, "บันทึก จปฐ 35 หลังครับ", "35", {"kanchanaburi": {("jpt", "mueang"): 35}}),
        ("Ub", G_NM, "จปฐ ได้ 12 หลังครับ", "12", {"nakhon-pathom": {("jpt", "mueang"): 12}}),
        ("Uc", G_BP, "บันทึก จปฐ 120 ครัวเรือน", "120", {"ratchaburi": {("jpt", "ban-pong"): 120}}),
        ("Ud", G_TM, "บันทึก ออมทรัพย์ 1 กลุ่ม", "ท่าม่วง",
         {"kanchanaburi": {("jpt", "mueang"): 35, ("savings", "tha-muang"): 1}}),
        ("Ua", G_KM, "แก้ไข จปฐ 40", "จาก 35 เป็น 40", {"kanchanaburi": {
            ("jpt", "mueang"): 40, ("savings", "tha-muang"): 1}}),
        # the same officer types in 1:1: it counts for their last group (Kanchanaburi, mueang)
        ("Ua", None, "บันทึก จปฐ 5 ครัวเรือน", "เมืองกาญจนบุรี", {"kanchanaburi": {
            ("jpt", "mueang"): 45, ("savings", "tha-muang"): 1}}),
        ("Ua", None, "ยอด จปฐ", "45", {}),
        ("Ub", G_NM, "ยกเลิก", "ยกเลิก", {"nakhon-pathom": {}}),
    ]
    expected = {"ratchaburi": {}, "kanchanaburi": {}, "nakhon-pathom": {}}
    for n, (user, group, text, needle, change) in enumerate(script, 1):
        reply = chat.say(text, user=user, group=group)
        assert reply and needle in reply, (n, text, reply)
        expected.update(change)
        for province, want in expected.items():
            assert plan_totals(app, province) == want, (n, text, province)
    # the province group of Kanchanaburi: its districts, read against its own plan only
    answer = chat.say("ยอด จปฐ แบบข้อความ", user="Ue", group=G_KP)
    assert "กาญจนบุรี" in answer and "45" in answer and "บ้านโป่ง" not in answer
    assert "ท่าม่วง" in chat.say("ยอด ท่าม่วง แบบข้อความ", user="Ue", group=G_KP)
    assert "120" not in (chat.say("ยอด บ้านโป่ง แบบข้อความ", user="Ue", group=G_KP) or "")


def test_department_group_gets_the_national_figures(dept):
    app, chat = dept
    bind_all(chat)
    chat.say("บันทึก จปฐ 35 ครัวเรือน", user="Ua", group=G_KM)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", user="Uc", group=G_BP)
    national = chat.say("ยอด", user="Uz", group=G_DEPT)
    assert "ทั้งประเทศ" in national and "155" in national
    for province in ("ราชบุรี", "กาญจนบุรี", "นครปฐม"):
        assert province in national
    assert "จปฐ" in chat.say("ยอด จปฐ", user="Uz", group=G_DEPT)
    assert "ยังไม่มีแผนปีงบประมาณ 2564" in chat.say("ยอดปีที่แล้ว", user="Uz", group=G_DEPT)
    assert "ปีงบประมาณ 2566" in chat.say("ยอด ปี 2566", user="Uz", group=G_DEPT)
    assert chat.say("สวัสดีครับทุกท่าน", user="Uz", group=G_DEPT) is None


def test_unknown_province_is_told_not_guessed(dept):
    app, chat = dept
    assert "ยังไม่ทราบ" in chat.say("ยอด", user="Unew")            # 1:1, never in a group
    assert "ยังไม่ได้ผูก" in chat.say("ยอด", user="Unew", group=G_FREE)
    assert chat.say("ไปกินข้าวกันครับ", user="Unew", group=G_FREE) is None
    assert entry_count(app) == 0


def test_years_new_logs_go_to_the_new_year_the_old_one_stays_answerable(dept, make_app,
                                                                         fake_line):
    app, chat = dept
    bind_all(chat)
    assert "120" in chat.say("บันทึก จปฐ 120 ครัวเรือน", user="Uc", group=G_BP)
    assert plan_totals(app, "ratchaburi", 2565) == {("jpt", "ban-pong"): 120}
    # October: the same deployment, the calendar now in fiscal year 2566
    later = make_app(PLAN_FILE="unused-now", CLOCK=fixed_clock(FY2566))
    chat = Chat(later, fake_line)
    assert "7" in chat.say("บันทึก จปฐ 7 ครัวเรือน", user="Uc", group=G_BP)
    assert plan_totals(later, "ratchaburi", 2566) == {("jpt", "ban-pong"): 7}
    assert plan_totals(later, "ratchaburi", 2565) == {("jpt", "ban-pong"): 120}
    last_year = chat.say("ยอดปีที่แล้ว แบบข้อความ", user="Uc", group=G_BP)
    assert "2565" in last_year and "120" in last_year
    assert "120" in chat.say("ยอด ปี 2565 แบบข้อความ", user="Uc", group=G_BP)
    this_year = chat.say("ยอด แบบข้อความ", user="Uc", group=G_BP)
    assert "7" in this_year and "120 /" not in this_year
    refused = chat.say("บันทึก จปฐ 5 ครัวเรือน ปี 2565", user="Uc", group=G_BP)
    assert "2565" in refused and "ยังไม่ได้บันทึก" in refused
    assert plan_totals(later, "ratchaburi", 2565) == {("jpt", "ban-pong"): 120}
    assert plan_totals(later, "ratchaburi", 2566) == {("jpt", "ban-pong"): 7}
    for change in ("ยกเลิก ปี 2565", "แก้ไข จปฐ 100 ปีที่แล้ว"):  # last year's entry stays
        assert "ยังไม่ได้บันทึกหรือเปลี่ยนแปลง" in chat.say(change, user="Uc", group=G_BP)
    assert plan_totals(later, "ratchaburi", 2565) == {("jpt", "ban-pong"): 120}
    assert plan_totals(later, "ratchaburi", 2566) == {("jpt", "ban-pong"): 7}
    assert "ยังไม่มีแผนปีงบประมาณ 2564" in chat.say("ยอด ปี 2564", user="Uc", group=G_BP)
    # Kanchanaburi has no 2566 plan: its latest begun plan stays current
    assert "3" in chat.say("บันทึก จปฐ 3 ครัวเรือน", user="Ua", group=G_KM)
    assert plan_totals(later, "kanchanaburi", 2565) == {("jpt", "mueang"): 3}


def test_a_group_rebound_to_another_province_counts_there_at_once(dept):
    """Each process remembers a group's province to skip a read; the event's own transaction
    reads the group again, so a rebinding (here or by another process) is never missed."""
    app, chat = dept
    assert "ท่าม่วง" in chat.say("ผูกกลุ่ม อำเภอท่าม่วง", user=ADMIN, group=G_FREE)
    chat.say("บันทึก จปฐ 4 ครัวเรือน", user="Ua", group=G_FREE)
    assert plan_totals(app, "kanchanaburi") == {("jpt", "tha-muang"): 4}
    # rebound from the command line (another process: this one's memory is now stale)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["groups", "bind", G_FREE, "nakhon-pathom/bang-len"]).exit_code == 0
    assert "บางเลน" in chat.say("บันทึก จปฐ 6 ครัวเรือน", user="Ua", group=G_FREE)
    assert plan_totals(app, "nakhon-pathom") == {("jpt", "bang-len"): 6}
    assert plan_totals(app, "kanchanaburi") == {("jpt", "tha-muang"): 4}


def test_a_province_admin_who_writes_only_in_the_province_group_is_known_in_1to1(dept):
    """With several provinces, 1:1 needs the chat's province: a province admin who never wrote in
    a district group has it from their role (one province), and sees its figures; someone with
    roles in two provinces and no district group is asked where to write first."""
    from tests.helpers import mention
    app, chat = dept
    bind_all(chat)
    pa, two = "Upakanchana0000000000000000000001", "Upatwoprovinces00000000000000001"
    text = "แต่งตั้งผู้ดูแลจังหวัด @ก้อย"
    assert "✅" in chat.say(text, user=ADMIN, group=G_KP,
                           mentions=[mention(text, "@ก้อย", pa, is_self=False)])
    assert chat.say("ยอด แบบข้อความ", user=pa).startswith("📊 ยอดจังหวัดกาญจนบุรี")
    svc = app.extensions["nongpat"]
    from bot.core import roles
    with svc.sessions() as s, s.begin():
        roles.grant(s, two, roles.PROVINCE_ADMIN, "kanchanaburi", by="cli:test")
        roles.grant(s, two, roles.PROVINCE_ADMIN, "nakhon-pathom", by="cli:test")
    assert "ยังไม่ทราบว่าคุณอยู่อำเภอและจังหวัดใด" in chat.say("ยอด", user=two)
