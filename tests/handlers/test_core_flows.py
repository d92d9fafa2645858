"""End-to-end through POST /callback: what officers and admins see in their LINE groups."""
from sqlalchemy import select

from models import Entry, LineUser
from tests.helpers import ADMIN, entry_count, other_event, totals

G = "Cbanpong000000000000000000000000"
G2 = "Cbangphae00000000000000000000000"
PROV = "Cprovince0000000000000000000000"


def test_join_greets_with_how_to_bind_and_log(chat):
    reply = chat.send(other_event("join", group=G))
    assert "ผูกกลุ่ม" in reply and "บันทึก จปฐ" in reply


def test_admin_binds_group_and_non_admin_is_refused(app, chat):
    refused = chat.say("ผูกกลุ่ม อำเภอบ้านโป่ง", user="Unobody", group=G)
    assert "ผู้ดูแลระบบ" in refused
    assert "บ้านโป่ง" in chat.bind(G)
    assert "จังหวัดราชบุรี" in chat.say("ผูกกลุ่ม จังหวัด", user=ADMIN, group=PROV)
    assert "ผูกกลุ่มนี้กับอำเภอเมืองราชบุรีแล้ว" in chat.bind(G, "อ.เมือง")  # re-bind moves it


def test_the_four_logs_of_the_issue(app, chat):
    chat.bind(G)
    r = chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", group=G)
    assert "บันทึกแล้ว" in r and "กลุ่มออมทรัพย์เพื่อการผลิต 1 กลุ่ม" in r
    assert "ทั้งจังหวัด: 1 / 41 กลุ่ม (2.4%) เหลืออีก 40 กลุ่ม" in r
    assert "1 ส.ค. 2565" in r and "อีก 104 วัน" in r

    r = chat.say("บันทึก จปฐ ๑๒๐ ครัวเรือน", group=G)
    assert "จปฐ. 120 ครัวเรือน" in r
    assert "ยอดอำเภอบ้านโป่ง: 120 / 34,227 ครัวเรือน (0.4%) เหลืออีก 34,107 ครัวเรือน" in r
    assert "กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)" in r

    r = chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=G)
    assert "TPMAP 3 ครัวเรือน (รายได้)" in r
    r = chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ", group=G)
    assert "(หมู่บ้านสัมมาชีพ)" in r and "ทั้งจังหวัด: 2 / 41" in r

    t = totals(app)
    assert t[("jpt", "ban-pong", "")] == 120
    assert t[("tpmap", "ban-pong", "")] == 3 and t[("tpmap", "ban-pong", "income")] == 3
    assert t[("savings", "ban-pong", "")] == 2 and t[("savings", "ban-pong", "sammachip")] == 1


def test_entry_keeps_the_audit_trail_and_the_cached_display_name(app, chat, fake_line):
    chat.bind(G)
    fake_line.names["Usomchai"] = "สมชาย ใจดี"
    chat.say("บันทึก จปฐ 10 ครัวเรือน", user="Usomchai", group=G)
    with app.extensions["nongpat"].sessions() as s:
        e = s.scalars(select(Entry)).one()
        assert (e.user_id, e.group_id, e.source_type, e.text, e.district_key) == (
            "Usomchai", G, "group", "บันทึก จปฐ 10 ครัวเรือน", "ban-pong")
        assert e.event_id and e.created_at is not None
        assert s.get(LineUser, "Usomchai").display_name == "สมชาย ใจดี"
    assert "โดย สมชาย ใจดี" in chat.say("บันทึก จปฐ 5 ครัวเรือน", user="Usomchai", group=G)
    profile_calls = [p for m, p in fake_line.requests if "/member/Usomchai" in p]
    assert len(profile_calls) == 1  # cached


def test_profile_failure_still_counts(app, chat, fake_line):
    chat.bind(G)
    fake_line.profile_status = 500
    assert "บันทึกแล้ว" in chat.say("บันทึก จปฐ 10 ครัวเรือน", user="Unoname", group=G)
    assert totals(app)[("jpt", "ban-pong", "")] == 10


def test_queries(app, chat):
    chat.bind(G)
    chat.bind(G2, "อำเภอบางแพ")
    chat.say("บันทึก จปฐ 1000 ครัวเรือน", group=G)
    chat.say("บันทึก จปฐ 820 ครัวเรือน", group=G2, user="Ubp")
    r = chat.say("ยอด", group=G)
    assert "ยอดอำเภอบ้านโป่ง" in r and "1,000 / 34,227" in r and "TPMAP" in r
    r = chat.say("ยอด จปฐ", group=G)
    assert "1,000 / 34,227" in r and "ออมทรัพย์" not in r
    r = chat.say("ยอด บางแพ", group=G)
    assert "ยอดอำเภอบางแพ" in r and "820 / 8,204 ครัวเรือน (10.0%)" in r
    r = chat.say("ยอดรวมจังหวัด", group=G)
    assert "ยอดจังหวัดราชบุรี" in r and "1,820 / 167,839 ครัวเรือน (1.1%) เหลือ 166,019" in r
    r = chat.say("ยอดรวมจังหวัด แบบข้อความ", group=G)
    assert "1,820 / 167,839 ครัวเรือน (1.1%) เหลืออีก 166,019 ครัวเรือน" in r
    # the province view lists every district, percent first, with its status in words
    assert "– บางแพ: 10.0% · 820 / 8,204 ครัวเรือน · 🔴 ล่าช้า" in r
    assert "– บ้านโป่ง: 2.9% · 1,000 / 34,227 ครัวเรือน · 🔴 ล่าช้า" in r


def test_undo_own_latest_only(app, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 100 ครัวเรือน", user="Ua", group=G)
    chat.say("บันทึก จปฐ 7 ครัวเรือน", user="Ub", group=G)
    refused = chat.say("ยกเลิก", user="Uc", group=G)
    assert "ไม่พบรายการ" in refused
    assert totals(app)[("jpt", "ban-pong", "")] == 107
    r = chat.say("ยกเลิก", user="Ua", group=G)
    assert "ยกเลิกรายการแล้ว" in r and "จปฐ. 100 ครัวเรือน" in r and "7 / 34,227" in r
    assert totals(app)[("jpt", "ban-pong", "")] == 7
    assert "ไม่พบรายการ" in chat.say("ยกเลิก", user="Ua", group=G)  # nothing left of Ua's


def test_help(chat):
    for word in ("วิธีใช้", "help"):
        r = chat.say(word, group=G)
        assert "บันทึก จปฐ 120 ครัวเรือน" in r and "ยกเลิก" in r and "ยอดรวมจังหวัด" in r


def test_one_to_one_log_counts_for_the_last_group_seen(app, chat):
    chat.bind(G2, "อำเภอบางแพ")
    r = chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", user="Ulonely")
    assert "ยังไม่ทราบว่าคุณสังกัดอำเภอใด" in r
    assert entry_count(app) == 0
    assert chat.say("สวัสดีครับทุกคน", user="Ulonely", group=G2) is None  # seen in the group
    r = chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", user="Ulonely")
    assert "บันทึกแล้ว" in r
    assert totals(app)[("savings", "bang-phae", "")] == 1
    assert "ยอดอำเภอบางแพ" in chat.say("ยอด", user="Ulonely")


def test_unknown_text_in_one_to_one_gets_a_hint(chat):
    r = chat.say("สวัสดีครับ", user="Unew")
    assert "วิธีใช้" in r


def test_chatter_in_groups_gets_no_reply_and_changes_nothing(app, chat):
    chat.bind(G)
    for text in ("พรุ่งนี้ประชุมกี่โมงครับ", "บันทึกไว้แล้วนะ", "ยอดเยี่ยมมากครับ", "555",
                 "ประชุม 9 โมง ห้อง 3", "โอเคครับ"):
        assert chat.say(text, group=G) is None, text
    for kind, msg in (("sticker", {"type": "sticker", "packageId": "1", "stickerId": "1"}),
                      ("image", {"type": "image", "contentProvider": {"type": "line"}})):
        ev = other_event("message", user="Uofficer1", group=G, message=dict(msg, id="1"))
        assert chat.send(ev) is None
    assert entry_count(app) == 0


def test_unbound_group_log_gets_a_bind_hint_and_counts_nowhere(app, chat):
    r = chat.say("บันทึก จปฐ 120 ครัวเรือน", group="Cunbound000000000000000000000000")
    assert "ยังไม่ได้ผูก" in r and "ผูกกลุ่ม" in r
    assert entry_count(app) == 0
    assert chat.say("สวัสดีครับ", group="Cunbound000000000000000000000000") is None


def test_bad_amounts_are_refused_with_the_reason(app, chat):
    chat.bind(G)
    assert "มากกว่า 0" in chat.say("บันทึก จปฐ 0 ครัวเรือน", group=G)
    r = chat.say("บันทึก จปฐ 40000 ครัวเรือน", group=G)
    assert "มากกว่าเป้าหมาย" in r and "34,227" in r
    r = chat.say("บันทึก ออมทรัพย์ 50 กลุ่ม", group=G)
    assert "มากกว่าเป้าหมาย" in r and "41" in r
    assert entry_count(app) == 0


def test_missing_amount_names_it(chat, app):
    chat.bind(G)
    r = chat.say("บันทึก จปฐ ครัวเรือน", group=G)
    assert "ขาดจำนวน" in r and "ตัวอย่าง" in r
    assert entry_count(app) == 0


def test_other_district_log_refused_for_officers_allowed_for_admins(app, chat):
    chat.bind(G)
    r = chat.say("บันทึก จปฐ 20 ครัวเรือน อ.บางแพ", group=G)
    assert "เฉพาะอำเภอของกลุ่มนี้" in r
    assert entry_count(app) == 0
    assert "บันทึกแล้ว" in chat.say("บันทึก จปฐ 20 ครัวเรือน อ.บางแพ", user=ADMIN, group=G)
    assert totals(app)[("jpt", "bang-phae", "")] == 20


def test_edit_changes_own_latest_amount(app, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G)
    r = chat.say("แก้ไข 150", group=G)
    assert "จาก 120 เป็น 150" in r
    assert totals(app)[("jpt", "ban-pong", "")] == 150


def test_leave_marks_the_group(app, chat):
    from models import Group
    chat.bind(G)
    chat.send(other_event("leave", group=G))
    with app.extensions["nongpat"].sessions() as s:
        assert s.get(Group, G).left_at is not None


def test_every_example_in_the_help_is_understood(app):
    """The help text must not teach a command the bot does not understand."""
    import re
    from handlers.help import HELP
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        parser = svc.bot.plans.companion(svc.bot.current_plan(s).id)
    examples = [e.strip() for line in HELP.splitlines() if line.startswith(("•", "ผู้ดูแล"))
                for e in re.split(r" — [^·]*(?:·|$)|·|: ", line.lstrip("• ")) if e.strip()]
    examples = [re.sub(r'\s*\(.*?\)', "", e).strip() for e in examples]
    assert len(examples) >= 15
    for e in examples:
        if e.startswith("ผู้ดูแลระบบ") or not e:
            continue
        for part in e.split(" / "):
            assert parser.parse(part).understood, part
