"""The LINE side of the conversation: mentions stripped by UTF-16 span, replies quoting the
message they answer, the ids of the bot's answers kept for quotes, unsend announced with the
next reply."""
from sqlalchemy import func, select

from bot.line.client import to_payload, to_sdk_messages
from bot.line.messages import QUOTE_LEAD, Flex, QuickReply, Reply
from bot.service import strip_mentions
from models import BotMessage
from tests.helpers import mention, text_event, totals, unsend_event

G = "Cbanpong000000000000000000000000"
G2 = "Cbangphae00000000000000000000000"


# --------------------------------------------------------------------------- mentions
def test_mention_spans_are_cut_by_utf16_index():
    text = "😀 @น้องพัฒน์ ยอด ออมทรัพย์"   # the emoji before the mention is two UTF-16 units
    m = mention(text, "@น้องพัฒน์")
    assert m["index"] == 3 and m["length"] == len("@น้องพัฒน์")
    stripped, is_self = strip_mentions(text, {"mentionees": [m]})
    assert is_self and "@" not in stripped and stripped.split() == ["😀", "ยอด", "ออมทรัพย์"]


def test_every_mention_is_cut_but_only_self_counts_as_addressed():
    text = "@สมชาย @น้องพัฒน์ ยอด"
    ms = [mention(text, "@สมชาย", "Usomchai", is_self=False), mention(text, "@น้องพัฒน์")]
    stripped, is_self = strip_mentions(text, {"mentionees": ms})
    assert stripped.split() == ["ยอด"] and is_self
    stripped, is_self = strip_mentions(text, {"mentionees": ms[:1]})
    assert stripped.split() == ["@น้องพัฒน์", "ยอด"] and not is_self


def test_malformed_mentions_leave_the_text_alone():
    for bad in (None, [], {"mentionees": "x"}, {"mentionees": [{"index": "0", "length": 3}]},
                {"mentionees": [{"index": -1, "length": 3}]},
                {"mentionees": [{"index": 0, "length": 999}]}, {"mentionees": [None]}):
        assert strip_mentions("ยอด", bad) == ("ยอด", False)


# --------------------------------------------------------------------------- payloads
def test_quote_token_goes_on_the_first_text_and_the_sdk_accepts_it():
    reply = Reply.text("✅ บันทึกแล้วครับ", quick_replies=[QuickReply("ยกเลิก", text="ยกเลิก")])
    reply.quote_token = "qt-1"
    reply.notices.append("↩️ รายการหนึ่งถูกยกเลิก")
    msgs = to_payload(reply)
    assert msgs[0]["quoteToken"] == "qt-1" and msgs[-1]["text"].startswith("↩️")
    assert "quickReply" in msgs[-1] and "quoteToken" not in msgs[-1]
    assert len(to_sdk_messages(reply)) == 2


def test_a_flex_answer_gets_a_short_text_to_carry_the_quote():
    bubble = {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                         "contents": [{"type": "text", "text": "ยอด"}]}}
    reply = Reply(flex=[Flex("ยอด", bubble)], quote_token="qt-2")
    msgs = to_payload(reply)
    assert msgs[0] == {"type": "text", "text": QUOTE_LEAD, "quoteToken": "qt-2"}
    assert msgs[1]["type"] == "flex"
    to_sdk_messages(reply)


def test_notices_never_push_the_answer_past_five_messages():
    reply = Reply.text(*[f"ข้อความ {i}" for i in range(5)])
    reply.notices = ["แจ้ง 1", "แจ้ง 2"]
    msgs = to_payload(reply)
    assert len(msgs) == 5 and msgs[0]["text"] == "ข้อความ 0" and msgs[-1]["text"] == "แจ้ง 2"


# --------------------------------------------------------------------------- end to end
def test_group_answers_quote_the_message_and_one_to_one_answers_do_not(chat):
    chat.bind(G)
    ev = text_event("บันทึก จปฐ 20 ครัวเรือน", user="Ua", group=G)
    chat.send(ev)
    sent = chat.sent_to(ev)
    assert sent.messages[0]["quoteToken"] == ev["message"]["quoteToken"]
    ev = text_event("ยอด", user="Ua", group=G)
    chat.send(ev)
    sent = chat.sent_to(ev)
    assert sent.messages[0]["quoteToken"] == ev["message"]["quoteToken"]
    ev = text_event("ยอด", user="Ua")
    chat.send(ev)
    assert all("quoteToken" not in m for m in chat.sent_to(ev).messages)


def test_a_mention_of_the_bot_is_always_answered_and_a_mention_of_others_is_not(app, chat):
    chat.bind(G)
    text = "@น้องพัฒน์ บันทึก จปฐ 20 ครัวเรือน"
    r = chat.say(text, user="Ua", group=G, mentions=[mention(text, "@น้องพัฒน์")])
    assert r.startswith("✅ บันทึกแล้วครับ") and totals(app)[("jpt", "ban-pong", "")] == 20
    text = "@น้องพัฒน์ สวัสดีครับ"
    r = chat.say(text, user="Ua", group=G, mentions=[mention(text, "@น้องพัฒน์")])
    assert "วิธีใช้" in r
    text = "@สมชาย สวัสดีครับ"
    assert chat.say(text, user="Ua", group=G,
                    mentions=[mention(text, "@สมชาย", "Usomchai", is_self=False)]) is None


def test_quoting_the_bots_answer_undoes_that_entry(app, chat):
    chat.bind(G)
    first = text_event("บันทึก จปฐ 20 ครัวเรือน", user="Ua", group=G)
    chat.send(first)
    answer_id = chat.sent_to(first).sent_ids[0]
    chat.say("บันทึก จปฐ 7 ครัวเรือน", user="Ua", group=G)
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(func.count()).select_from(BotMessage)) == 2
    r = chat.say("ยกเลิก", user="Ua", group=G, quoted=answer_id)
    assert r.startswith("↩️ ยกเลิกรายการแล้วครับ") and "20" in r
    assert totals(app)[("jpt", "ban-pong", "")] == 7
    r = chat.say("ยกเลิก", user="Ub", group=G, quoted=answer_id)
    assert "ผู้อื่น" in r or "ยกเลิกไปแล้ว" in r
    assert totals(app)[("jpt", "ban-pong", "")] == 7


def test_unsend_takes_the_entry_back_and_the_next_reply_in_that_chat_says_so(app, chat):
    chat.bind(G)
    chat.bind(G2, "อำเภอบางแพ")
    log = text_event("บันทึก จปฐ 20 ครัวเรือน", user="Ua", group=G)
    chat.send(log)
    chat.say("บันทึก จปฐ 5 ครัวเรือน", user="Ub", group=G)
    assert chat.send(unsend_event(log["message"]["id"], user="Ua", group=G)) is None
    assert totals(app)[("jpt", "ban-pong", "")] == 5
    other = chat.say("ยอด", user="Uc", group=G2)
    assert "ยกเลิกการส่ง" not in other  # another chat hears nothing of it
    r = chat.say("ยอด จปฐ แบบข้อความ", user="Ub", group=G)
    assert "ยกเลิกการส่งข้อความบันทึก" in r and "จปฐ. 20 ครัวเรือน" in r
    assert "ยกเลิกการส่ง" not in chat.say("ยอด จปฐ แบบข้อความ", user="Ub", group=G)  # once
    # someone else's unsend of the same id, and a second unsend, change nothing
    chat.send(unsend_event(log["message"]["id"], user="Ub", group=G))
    chat.send(unsend_event(log["message"]["id"], user="Ua", group=G))
    assert totals(app)[("jpt", "ban-pong", "")] == 5


def test_the_answers_ids_are_written_within_seconds_without_being_asked(app, chat, fake_line):
    import time
    chat.bind(G)
    ev = text_event("บันทึก จปฐ 20 ครัวเรือน", user="Ua", group=G)
    from tests.helpers import post
    post(chat.client, ev)
    app.extensions["nongpat"].line.drain()   # the reply is at LINE; its ids are only queued
    deadline = time.monotonic() + 5
    reads = app.extensions["nongpat"].bot.read_sessions  # a snapshot that takes no write lock
    while True:
        with reads() as s:
            if s.scalar(select(func.count()).select_from(BotMessage)):
                break
        assert time.monotonic() < deadline, "the queued ids were never written"
        time.sleep(0.05)
    assert fake_line.replies_to(ev["replyToken"])[0].sent_ids


def test_sent_ids_are_read_from_a_reply_response_and_junk_gives_none():
    from bot.line.client import sent_ids
    assert sent_ids('{"sentMessages": [{"id": "461230966842064897", "quoteToken": "q"}]}') == [
        "461230966842064897"]
    for junk in (None, "", "{", "[]", '{"sentMessages": {}}', '{"sentMessages": [{"id": 1}]}'):
        assert sent_ids(junk) == []


def test_a_log_with_half_an_emoji_is_recorded_not_failed(app, chat):
    """A lone surrogate (a cut emoji) reads as a space and is stored as U+FFFD: no database
    refuses the entry's text."""
    from models import Entry
    chat.bind(G)
    r = chat.say("บันทึก จปฐ 12\ud83d ครัวเรือน", user="Ua", group=G)
    assert r.startswith("✅ บันทึกแล้วครับ") and totals(app)[("jpt", "ban-pong", "")] == 12
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(Entry.text)) == "บันทึก จปฐ 12\ufffd ครัวเรือน"
