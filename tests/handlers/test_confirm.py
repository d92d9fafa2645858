"""Uncertain readings are echoed and recorded only on the same user's ยืนยัน, within 10 minutes."""
import datetime as dt

from bot.timeutil import fixed_clock
from tests.conftest import NOW
from tests.helpers import Chat, entry_count, other_event, totals

G = "Cbanpong000000000000000000000000"
UNSURE = "บันทึก จปฐ 120 ครัวเรือน ฟหกดเ"  # a span the bot does not know


def pending_id(fake_line, reply_text_token):
    sent = fake_line.replies_to(reply_text_token)[0]
    items = sent.messages[-1]["quickReply"]["items"]
    data = [i["action"].get("data") for i in items]
    return next(d for d in data if d and d.startswith("confirm:"))


def postback(user, data):
    return other_event("postback", user=user, group=G, postback={"data": data})


def test_unsure_log_is_echoed_not_recorded_then_confirmed_by_postback(app, chat, fake_line):
    chat.bind(G)
    from tests.helpers import text_event, post
    ev = text_event(UNSURE, group=G, user="Ua")
    post(chat.client, ev)
    reply = chat.reply_to(ev)
    assert "เข้าใจว่า" in reply and "120" in reply and "ยืนยัน" in reply
    assert entry_count(app) == 0
    data = pending_id(fake_line, ev["replyToken"])
    assert "ไม่มีรายการที่รอการยืนยัน" in chat.send(postback("Ub", data))  # not Ub's to confirm
    assert entry_count(app) == 0
    assert "บันทึกแล้ว" in chat.send(postback("Ua", data))
    assert totals(app)[("jpt", "ban-pong", "")] == 120
    assert "ไม่ได้บันทึกซ้ำ" in chat.send(postback("Ua", data))  # a second tap records nothing
    assert entry_count(app) == 1


def test_text_confirm_and_cancel(app, chat):
    chat.bind(G)
    chat.say(UNSURE, group=G, user="Ua")
    assert "ยกเลิกแล้ว" in chat.say("ยกเลิก", group=G, user="Ua")
    assert "ไม่มีรายการที่รอการยืนยัน" in chat.say("ยืนยัน", group=G, user="Ua")
    chat.say(UNSURE, group=G, user="Ua")
    assert "บันทึกแล้ว" in chat.say("ยืนยัน", group=G, user="Ua")
    assert entry_count(app) == 1


def test_pending_expires_after_ten_minutes_and_survives_a_restart(make_app, fake_line):
    app1 = make_app()
    c1 = Chat(app1, fake_line)
    c1.bind(G)
    c1.say(UNSURE, group=G, user="Ua")
    # a new process (same database), 9 minutes later: still pending
    app2 = make_app(CLOCK=fixed_clock(NOW + dt.timedelta(minutes=9)))
    c2 = Chat(app2, fake_line)
    assert "บันทึกแล้ว" in c2.say("ยืนยัน", group=G, user="Ua")
    c2.say(UNSURE, group=G, user="Ua")
    app3 = make_app(CLOCK=fixed_clock(NOW + dt.timedelta(minutes=21)))
    assert "ไม่มีรายการที่รอการยืนยัน" in Chat(app3, fake_line).say("ยืนยัน", group=G, user="Ua")
    assert entry_count(app3) == 1


def test_typo_and_no_verb_are_asked_not_recorded(app, chat):
    chat.bind(G)
    r = chat.say("บันทืก จปฐ 120 ครัวเรือน", group=G, user="Ua")
    assert "เข้าใจว่า" in r and "บันทืก" in r and "120" in r
    r = chat.say("จปฐ 35 ครัวเรือน", group=G, user="Ub")
    assert "เข้าใจว่า" in r and "35" in r
    assert entry_count(app) == 0
    assert "บันทึกแล้ว" in chat.say("ยืนยัน", group=G, user="Ub")
    assert totals(app)[("jpt", "ban-pong", "")] == 35


def test_contradictions_are_asked_about(app, chat):
    chat.bind(G)
    r = chat.say("บันทึก ออมทรัพย์ 5 ครัวเรือน", group=G)
    assert "นับเป็นกลุ่ม" in r and "ครัวเรือน" in r
    r = chat.say("บันทึก จปฐ หมู่ 7 จำนวน 120 ครัวเรือน 35", group=G)
    assert "ไม่แน่ใจ" in r or "มากกว่าหนึ่งค่า" in r
    assert entry_count(app) == 0
