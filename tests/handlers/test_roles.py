"""People and roles in chat, through POST /callback with the @mention as LINE sends it
(``message.mention.mentionees[]``: index/length in UTF-16 units, ``userId`` only when the person
let the bot see their profile, ``isSelf`` for the bot, ``type: all`` for @All)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.core import roles
from models import AuditEvent, Entry, Group, LineUser, Role
from tests.helpers import ADMIN, mention, text_event

G = "Crolesbanpong000000000000000000001"     # Ban Pong
G2 = "Crolesbangphae00000000000000000002"    # Bang Phae
PROV = "Crolesprovince000000000000000000003"  # the province's group
U_PA = "U1a2b3c4d5e6f708192a3b4c5d6e7f801"
U_HEAD = "U1a2b3c4d5e6f708192a3b4c5d6e7f802"
U_OFF = "U1a2b3c4d5e6f708192a3b4c5d6e7f803"


@pytest.fixture(autouse=True)
def names(make_app, fake_line):  # after make_app, which resets the fake
    """The display names LINE gives these people (their @names in the tests match)."""
    fake_line.names.update({U_PA: "สมศรี", U_HEAD: "สมชาย", U_OFF: "สมหญิง"})


def bind(chat):
    for g, words in ((G, "อำเภอบ้านโป่ง"), (G2, "อำเภอบางแพ"), (PROV, "จังหวัด")):
        assert "✅" in chat.bind(g, words)


def at(text: str, name: str, user_id: str | None, **kw) -> dict:
    """The mentionee of ``@name`` in ``text``, as LINE sends it for another member."""
    return mention(text, f"@{name}", user_id, is_self=False, **kw)


def say_at(chat, verb: str, name: str, user_id: str | None, *, user: str, group: str,
           after: str = "") -> str | None:
    text = f"{verb} @{name}{after}"
    return chat.say(text, user=user, group=group, mentions=[at(text, name, user_id)])


def live(app, user_id: str) -> roles.Person:
    with app.extensions["nongpat"].sessions() as s:
        return roles.person_of(s, user_id)


def trail(app) -> list[tuple]:
    with app.extensions["nongpat"].sessions() as s:
        return [(a.actor, a.action, a.subject, a.province_key, a.district_key,
                 (a.detail or {}).get("role")) for a in s.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(("grant", "revoke")))
            .order_by(AuditEvent.id))]


# --------------------------------------------------------------------------- grants
def test_a_department_admin_appoints_a_province_admin_who_never_wrote_in_the_group(
        app, chat, fake_line):
    bind(chat)
    fake_line.names[U_PA] = "สมศรี ใจดี"
    # LINE puts the display name after @ in the text; the span covers it, spaces and all
    text = "แต่งตั้งผู้ดูแลจังหวัด @สมศรี ใจดี ครับ"
    ev = text_event(text, user=ADMIN, group=PROV,
                    mentions=[mention(text, "@สมศรี ใจดี", U_PA, is_self=False)])
    reply = chat.send(ev)
    assert reply.startswith("✅ แต่งตั้งคุณสมศรี ใจดี เป็นผู้ดูแลจังหวัด จังหวัดราชบุรี แล้วครับ"), reply
    assert "ผูกกลุ่ม" in reply and "แต่งตั้งและถอนสิทธิ์หัวหน้าอำเภอ" in reply
    assert live(app, U_PA).province_admin_of == {"ratchaburi"}
    assert trail(app) == [(ADMIN, "grant", U_PA, "ratchaburi", None, "province_admin")]
    # the person never wrote: their row is made, and their name fetched from the group's
    # member profile after the commit
    chat.sent_to(ev)
    assert ("GET", f"/v2/bot/group/{PROV}/member/{U_PA}") in fake_line.requests
    with app.extensions["nongpat"].sessions() as s:
        user = s.get(LineUser, U_PA)
        assert user.display_name == "สมศรี ใจดี" and user.profile_fetched_at is not None
        assert user.last_group_id is None       # not seen: only mentioned
    # again: nothing new, said so, not audited twice
    again = say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี ใจดี", U_PA, user=ADMIN, group=G)
    assert "เป็นผู้ดูแลจังหวัด จังหวัดราชบุรี อยู่แล้วครับ (ตั้งแต่ 19 เม.ย. 2565)" in again
    assert len(trail(app)) == 1


def test_a_province_admin_appoints_the_district_head_who_then_runs_the_group(app, chat):
    bind(chat)
    assert "✅" in say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=ADMIN, group=PROV)
    # in the district's group, with the bot mentioned too (its mention is not a person)
    text = "@น้องพัฒน์ แต่งตั้งหัวหน้าอำเภอ @สมชาย"
    reply = chat.say(text, user=U_PA, group=G, mentions=[
        mention(text, "@น้องพัฒน์"), at(text, "สมชาย", U_HEAD)])
    assert reply.startswith("✅ แต่งตั้งคุณสมชาย เป็นหัวหน้าอำเภอ (พัฒนาการอำเภอ) "
                            "อำเภอบ้านโป่ง จังหวัดราชบุรี แล้วครับ"), reply
    assert live(app, U_HEAD).district_head_of == {("ratchaburi", "ban-pong")}
    # the head mutes and unmutes their group, not another district's
    assert "🔕" in chat.say("ปิดแจ้งเตือน", user=U_HEAD, group=G)
    refused = chat.say("ปิดแจ้งเตือน", user=U_HEAD, group=G2)
    assert refused.startswith("ขออภัยครับ") and "หัวหน้าอำเภอ (พัฒนาการอำเภอ) ของอำเภอนี้" in refused
    assert "🔔" in chat.say("เปิดแจ้งเตือน", user=U_HEAD, group=G)
    # a head appoints nobody
    refused = say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมหญิง", U_OFF, user=U_HEAD, group=G)
    assert refused.startswith("ขออภัยครับ การแต่งตั้งหัวหน้าอำเภอทำได้เฉพาะผู้ดูแลจังหวัด"
                              "ของจังหวัดราชบุรี")
    assert not live(app, U_OFF).has_role
    # in the province's group the district is named
    reply = say_at(chat, "แต่งตั้งหัวหน้าอำเภอบางแพ", "สมหญิง", U_OFF, user=U_PA, group=PROV)
    assert "อำเภอบางแพ จังหวัดราชบุรี แล้วครับ" in reply
    asked = say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมหญิง", U_OFF, user=U_PA, group=PROV)
    assert "โปรดระบุอำเภอ" in asked


def test_people_who_may_not_are_told_who_may(app, chat):
    bind(chat)
    r = say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=U_OFF, group=G)
    assert r == ("ขออภัยครับ การแต่งตั้งผู้ดูแลจังหวัดทำได้เฉพาะผู้ดูแลระบบของกรมเท่านั้น "
                 "จึงยังไม่ได้เปลี่ยนสิทธิ์ของใครครับ")
    r = chat.say("ผูกกลุ่ม อำเภอบ้านโป่ง", user=U_OFF, group="Cnewgroup00000000000000000000009")
    assert r.startswith("ขออภัยครับ การผูกกลุ่มนี้ทำได้เฉพาะผู้ดูแลจังหวัด") and "ผู้ดูแลระบบ" in r
    r = chat.say("ปิดแจ้งเตือน", user=U_OFF, group=G)
    assert r.startswith("ขออภัยครับ") and "ยังไม่ได้เปลี่ยนการแจ้งเตือน" in r
    r = say_at(chat, "ถอนสิทธิ์", "สมศรี", U_PA, user=U_OFF, group=G)
    assert r.startswith("ขออภัยครับ การถอนสิทธิ์")
    assert trail(app) == []


def test_a_mention_without_user_id_says_how_to_fix_it(app, chat):
    bind(chat)
    # LINE leaves userId out when the person has not let the bot see their profile
    r = say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", None, user=ADMIN, group=G)
    assert "เพิ่มน้องพัฒน์เป็นเพื่อน" in r and "@สมศรี" in r and "อีกครั้ง" in r
    assert "ยังไม่ได้แต่งตั้งใคร" in r
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(Role.id)) is None


def test_a_name_typed_without_mention_or_an_all_mention_picks_nobody(app, chat):
    bind(chat)
    r = chat.say("แต่งตั้งหัวหน้าอำเภอ สมชาย", user=ADMIN, group=G)
    assert "โปรด @กล่าวถึง" in r and "\"สม ชาย\"" in r and "ไม่ใช่การ @กล่าวถึง" in r
    text = "แต่งตั้งหัวหน้าอำเภอ @All"
    m = mention(text, "@All", is_self=False)
    m["type"] = "all"
    r = chat.say(text, user=ADMIN, group=G, mentions=[m])
    assert "โปรด @กล่าวถึงผู้ที่จะแต่งตั้ง" in r
    assert "โปรดระบุตำแหน่ง" in say_at(chat, "แต่งตั้ง", "สมชาย", U_HEAD, user=ADMIN, group=G)
    # talk that names the role is not a command
    assert chat.say("แต่งตั้งหัวหน้าอำเภอคนใหม่แล้วค่ะ", user=U_OFF, group=G) is None
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(Role.id)) is None


def test_two_people_at_once(app, chat):
    bind(chat)
    text = "แต่งตั้งหัวหน้าอำเภอ @สมชาย @สมหญิง"
    r = chat.say(text, user=ADMIN, group=G, mentions=[at(text, "สมชาย", U_HEAD),
                                                      at(text, "สมหญิง", U_OFF)])
    assert r.count("✅ แต่งตั้ง") == 2
    assert live(app, U_OFF).district_head_of == live(app, U_HEAD).district_head_of == {
        ("ratchaburi", "ban-pong")}


# --------------------------------------------------------------------------- revokes
def test_revoke_removes_the_role_the_speaker_may_revoke_and_says_which(app, chat):
    bind(chat)
    say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=ADMIN, group=PROV)
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=U_PA, group=G)
    # the head also made province admin: two roles here
    say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมชาย", U_HEAD, user=ADMIN, group=G)
    # the province admin may revoke only the head role: that one goes
    r = say_at(chat, "ถอนสิทธิ์", "สมชาย", U_HEAD, user=U_PA, group=G)
    assert r.startswith("✅ ถอนสิทธิ์หัวหน้าอำเภอ (พัฒนาการอำเภอ) อำเภอบ้านโป่ง จังหวัดราชบุรี "
                        "ของคุณสมชาย แล้วครับ (ได้รับแต่งตั้งเมื่อ 19 เม.ย. 2565)"), r
    assert live(app, U_HEAD) == roles.Person(U_HEAD, False, frozenset({"ratchaburi"}))
    # …not the province admin role
    r = say_at(chat, "ถอนสิทธิ์", "สมชาย", U_HEAD, user=U_PA, group=G)
    assert r.startswith("ขออภัยครับ การถอนสิทธิ์ผู้ดูแลจังหวัดทำได้เฉพาะผู้ดูแลระบบของกรม")
    # a department admin, with both roles held again, is asked which
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=U_PA, group=G)
    r = say_at(chat, "ถอนสิทธิ์", "สมชาย", U_HEAD, user=ADMIN, group=G)
    assert "มีสิทธิ์มากกว่าหนึ่งอย่าง" in r and "ยังไม่ได้ถอนสิทธิ์ใด" in r
    assert "• ผู้ดูแลจังหวัด จังหวัดราชบุรี" in r and "• หัวหน้าอำเภอ (พัฒนาการอำเภอ) อำเภอบ้านโป่ง" in r
    r = say_at(chat, "ถอนสิทธิ์ผู้ดูแลจังหวัด", "สมชาย", U_HEAD, user=ADMIN, group=G)
    assert r.startswith("✅ ถอนสิทธิ์ผู้ดูแลจังหวัด จังหวัดราชบุรี ของคุณสมชาย แล้วครับ")
    assert live(app, U_HEAD).district_head_of == {("ratchaburi", "ban-pong")}
    assert not live(app, U_HEAD).province_admin_of
    # nothing to revoke
    r = say_at(chat, "ถอนสิทธิ์", "สมหญิง", U_OFF, user=ADMIN, group=G)
    assert "ไม่ได้เป็นผู้ดูแลของอำเภอบ้านโป่ง" in r and "ใครดูแล" in r
    assert [t[1:] for t in trail(app)] == [
        ("grant", U_PA, "ratchaburi", None, "province_admin"),
        ("grant", U_HEAD, "ratchaburi", "ban-pong", "district_head"),
        ("grant", U_HEAD, "ratchaburi", None, "province_admin"),
        ("revoke", U_HEAD, "ratchaburi", "ban-pong", "district_head"),
        ("grant", U_HEAD, "ratchaburi", "ban-pong", "district_head"),
        ("revoke", U_HEAD, "ratchaburi", None, "province_admin")]
    assert [t[0] for t in trail(app)] == [ADMIN, U_PA, ADMIN, U_PA, U_PA, ADMIN]


# --------------------------------------------------------------------------- ใครดูแล
def test_who_lists_the_people_of_the_groups_district_and_province(app, chat, fake_line):
    bind(chat)
    assert "• ยังไม่มี" in chat.say("ใครดูแล", user=U_OFF, group=G)
    fake_line.names[U_HEAD] = "สมชาย (พช.บ้านโป่ง)"   # LINE's name wins over the @name
    say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=ADMIN, group=PROV)
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=U_PA, group=G)
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมหญิง", U_OFF, user=U_PA, group=G2)
    chat.app.extensions["nongpat"].line.drain()
    r = chat.say("ใครดูแลครับ", user=U_OFF, group=G)
    assert r.splitlines() == ["👤 ผู้ดูแลอำเภอบ้านโป่ง จังหวัดราชบุรี",
                              "หัวหน้าอำเภอ (พัฒนาการอำเภอ):",
                              "• สมชาย (พช.บ้านโป่ง) — ตั้งแต่ 19 เม.ย. 2565",
                              "ผู้ดูแลจังหวัดราชบุรี:",
                              "• สมศรี — ตั้งแต่ 19 เม.ย. 2565"], r
    r = chat.say("ใครดูแล", user=U_HEAD, group=PROV)
    assert r.startswith("👤 ผู้ดูแลจังหวัดราชบุรี")
    assert "• สมชาย (พช.บ้านโป่ง) อำเภอบ้านโป่ง — ตั้งแต่ 19 เม.ย. 2565" in r
    assert "• สมหญิง อำเภอบางแพ — ตั้งแต่ 19 เม.ย. 2565" in r
    # an unbound group
    assert "ยังไม่ได้ผูก" in chat.say("ใครดูแล", user=U_OFF, group="Cunbound00000000000000000000001")


# --------------------------------------------------------------------------- entries
def test_the_district_head_corrects_and_undoes_an_officers_entry_which_keeps_who_and_when(
        app, chat):
    bind(chat)
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=ADMIN, group=G)
    assert "✅" in chat.say("บันทึก จปฐ 20 ครัวเรือน", user=U_OFF, group=G, message_id="7001")
    assert "✅" in chat.say("บันทึก จปฐ 7 ครัวเรือน", user=U_OFF, group=G, message_id="7002")
    r = chat.say("แก้เป็น 25", user=U_HEAD, group=G, quoted="7001")
    assert r.startswith("✏️ แก้ไขแล้วครับ: จปฐ. ของคุณ") and "จาก 20 เป็น 25 ครัวเรือน" in r, r
    r = chat.say("ยกเลิก", user=U_HEAD, group=G, quoted="7002")
    assert r.startswith("↩️ ยกเลิกรายการแล้วครับ: จปฐ. 7 ครัวเรือน อำเภอบ้านโป่ง ของคุณ"), r
    with app.extensions["nongpat"].sessions() as s:
        e1, e2 = s.scalars(select(Entry).order_by(Entry.id)).all()
    assert (e1.amount, e1.amended_from, e1.user_id, e1.changed_by) == (25, 20, U_OFF, U_HEAD)
    assert e1.changed_at is not None and e1.undone_at is None
    assert (e2.undone_at is not None, e2.changed_by) == (True, U_HEAD)
    # ประวัติ says who changed an officer's entry
    history = chat.say("ประวัติ", user=U_OFF, group=G)
    assert "(แก้จาก 20 โดย สมชาย)" in history and "(ยกเลิกแล้ว โดย สมชาย)" in history, history
    # a bare ยกเลิก of the head is about the head's own entries only
    assert "ไม่พบรายการที่คุณบันทึกไว้" in chat.say("ยกเลิก", user=U_HEAD, group=G)
    # the officer undoes their own: it keeps who did
    chat.say("ยกเลิก", user=U_OFF, group=G, quoted="7001")
    with app.extensions["nongpat"].sessions() as s:
        assert s.get(Entry, e1.id).changed_by == U_OFF
    # another officer is refused, as before
    chat.say("บันทึก จปฐ 3 ครัวเรือน", user=U_OFF, group=G, message_id="7003")
    r = chat.say("ยกเลิก", user="Uanother", group=G, quoted="7003")
    assert "รายการของผู้อื่น" in r


def test_a_head_cannot_reach_another_districts_entry_by_its_message_id(app, chat):
    bind(chat)
    say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=ADMIN, group=G)
    chat.say("บันทึก จปฐ 9 ครัวเรือน", user=U_OFF, group=G2, message_id="7101")
    r = chat.say("ยกเลิก", user=U_HEAD, group=G, quoted="7101")  # a quote LINE would not send
    assert "รายการของผู้อื่น" in r and "หัวหน้าอำเภอของอำเภอนั้น" in r
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(Entry.undone_at)) is None


# --------------------------------------------------------------------------- found on the way
def test_a_prompt_of_another_province_is_not_confirmed_into_this_ones_plan(make_app, fake_line,
                                                                          tmp_path):
    """Asked in 1:1 while the officer's group was in Ratchaburi; confirmed after they wrote in
    a Kanchanaburi group: Ban Pong is not a district of Kanchanaburi's plan."""
    from bot.config import DEFAULT_PLAN
    from bot.core.madeup import write_made_up
    from tests.helpers import Chat
    km = write_made_up(tmp_path, "kanchanaburi", "กาญจนบุรี", 2565,
                       [("mueang", "เมืองกาญจนบุรี"), ("tha-muang", "ท่าม่วง")])
    app = make_app(PLAN_FILE=f"{DEFAULT_PLAN},{km}")
    chat = Chat(app, fake_line)
    chat.bind(G)
    chat.bind("Ctm0000000000000000000000000001", "อำเภอท่าม่วง")
    chat.say("สวัสดีครับ", user=U_OFF, group=G)
    assert "ยืนยัน" in chat.say("บันทืก TPMAP 12 ครัวเรือน มิติสุขภาพ", user=U_OFF)
    chat.say("สวัสดีครับ", user=U_OFF, group="Ctm0000000000000000000000000001")
    r = chat.say("ยืนยัน", user=U_OFF)
    assert "จังหวัดอื่น" in r and "ไม่ได้บันทึก" in r
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(Entry.id)) is None
        assert s.get(Group, G).province_key == "ratchaburi"


def test_outside_a_bound_group_people_with_a_role_are_told_where_others_are_refused(app, chat):
    bind(chat)
    say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=ADMIN, group=PROV)
    unbound = "Cunbound00000000000000000000002"
    assert chat.say("ปิดแจ้งเตือน", user=U_PA) == "ใช้คำสั่งนี้ในกลุ่มที่ผูกกับอำเภอหรือจังหวัดแล้วครับ"
    assert chat.say("ปิดแจ้งเตือน", user=U_PA, group=unbound).startswith("ใช้คำสั่งนี้ในกลุ่มที่ผูก")
    assert chat.say("ปิดแจ้งเตือน", user=U_OFF).startswith("ขออภัยครับ")
    assert "ใช้ในกลุ่มไลน์ของอำเภอหรือจังหวัด" in chat.say("แต่งตั้งหัวหน้าอำเภอ", user=U_PA)
    assert "ยังไม่ได้ผูก" in say_at(chat, "แต่งตั้งหัวหน้าอำเภอ", "สมชาย", U_HEAD, user=U_PA,
                                   group=unbound)
    assert chat.say("แต่งตั้งหัวหน้าอำเภอ", user=U_OFF).startswith("ขออภัยครับ")
    assert not live(app, U_HEAD).has_role


def test_grants_given_a_bangkok_time_are_kept_in_utc(app):
    """SQLite keeps no offset: an aware local time must be written as UTC, or it reads 7 h off."""
    import datetime as dt

    from bot.core import roles
    from bot.timeutil import BANGKOK
    from models import AuditEvent, Role
    svc = app.extensions["nongpat"]
    at = dt.datetime(2022, 4, 19, 10, 0, tzinfo=BANGKOK)
    with svc.sessions() as s, s.begin():
        row, _ = roles.grant(s, "Uheadbk0000000000000000000000001", roles.DISTRICT_HEAD,
                             "ratchaburi", "ban-pong", by="cli:test", at=at)
        rid = row.id
    with svc.sessions() as s:
        for t in (s.get(Role, rid).granted_at, s.query(AuditEvent).one().at):
            t = t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)
            assert t == at


def test_in_1to1_a_province_admin_sees_the_province_and_a_head_their_district(app, chat):
    """Without a district group of their own (the province admin writes in the province's group,
    the head was appointed there and never wrote), 1:1 still knows the province from the role:
    ยอด gives the province to its admin and the district to its head; an officer who never wrote
    anywhere is still told where to write first."""
    bind(chat)
    assert "✅" in say_at(chat, "แต่งตั้งผู้ดูแลจังหวัด", "สมศรี", U_PA, user=ADMIN, group=PROV)
    assert "✅" in say_at(chat, "แต่งตั้งหัวหน้าอำเภอบางแพ", "สมชาย", U_HEAD, user=U_PA,
                         group=PROV)
    province = chat.say("ยอด แบบข้อความ", user=U_PA)
    assert province.startswith("📊 ยอดจังหวัดราชบุรี"), province
    district = chat.say("ยอด แบบข้อความ", user=U_HEAD)
    assert district.startswith("📊 ยอดอำเภอบางแพ"), district
    stranger = chat.say("ยอด", user=U_OFF)
    assert "ยังไม่ทราบว่าคุณสังกัดอำเภอใด" in stranger
