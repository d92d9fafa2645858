"""bot/line builds the Messaging API JSON itself: it must be exactly what the SDK's own models
would send, and the fake LINE must refuse what real LINE would."""
import json
import urllib.request

import pytest
from linebot.v3.messaging import FlexMessage, PushMessageRequest, ReplyMessageRequest, TextMessage

from bot.line import flex
from bot.line.fakeline import FakeLine
from bot.line.client import Line, to_payload, to_sdk_messages
from bot.line.messages import MAX_QUICK_REPLIES, QuickReply, Reply
from tests.bot.test_flex import long_province_bubbles

QUICK = [QuickReply("ยกเลิก", text="ยกเลิก", data="undo:01ABC"), QuickReply("ยอดอำเภอ"),
         QuickReply("ยอดจังหวัดราชบุรีทั้งหมดทุกตัวชี้วัด", text="ยอดจังหวัด")]
REPLIES = [
    Reply.text("บันทึกแล้วค่ะ จปฐ. 120 ครัวเรือน\nอำเภอบ้านโป่ง รวม 1,234 / 20,000 ครัวเรือน",
               quick_replies=QUICK),
    Reply.text("ก" * 6000),                                       # clipped to LINE's 5,000
    Reply.text("หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก"),          # at most five messages
    Reply(texts=["สรุป"], flex=[flex.message("ยอดจังหวัดราชบุรี", long_province_bubbles(3))],
          quick_replies=[QuickReply(f"q{i}") for i in range(20)]),
    Reply(flex=[flex.message("ยอด", long_province_bubbles(1))]),
]


@pytest.mark.parametrize("reply", REPLIES)
def test_payload_is_what_the_sdk_models_would_send(reply):
    payload = to_payload(reply)
    sdk = ReplyMessageRequest.from_dict({"replyToken": "t", "messages": payload})
    assert sdk.to_dict()["messages"] == payload          # the SDK reads and writes it unchanged
    assert 1 <= len(payload) <= 5
    for m in payload:
        assert len(m.get("text", "")) <= 5000 and len(m.get("altText", "")) <= 400
    items = payload[-1].get("quickReply", {}).get("items", [])
    assert len(items) == min(len(reply.quick_replies), MAX_QUICK_REPLIES)
    assert all(len(i["action"]["label"]) <= 20 for i in items)
    assert "quickReply" not in json.dumps(payload[:-1])   # quick replies ride on the last one


def test_sdk_messages_are_the_sdk_types():
    kinds = [type(m) for m in to_sdk_messages(REPLIES[3])]
    assert kinds == [TextMessage, FlexMessage]
    assert to_sdk_messages(REPLIES[0])[0].quick_reply.items[0].action.data == "undo:01ABC"


def test_push_body_is_what_the_sdk_models_would_send():
    body = {"to": "Cgroup", "messages": to_payload(REPLIES[3])}
    sdk = PushMessageRequest.from_dict(body).to_dict()
    assert sdk.pop("notificationDisabled") is False              # LINE's default, sent or not
    assert sdk == body


def _post(url: str, body: dict) -> int:
    req = urllib.request.Request(url, json.dumps(body).encode(), method="POST", headers={
        "Authorization": "Bearer x", "Content-Type": "application/json"})
    try:
        return urllib.request.urlopen(req, timeout=5).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_fake_line_refuses_what_line_would_refuse():
    bad_flex = {"type": "flex", "altText": "x", "contents": {
        "type": "bubble", "body": {"type": "box", "layout": "sideways", "contents": []}}}
    with FakeLine() as fake:
        ok = {"replyToken": "r1", "messages": to_payload(REPLIES[0])}
        assert _post(fake.url + "/v2/bot/message/reply", ok) == 200
        assert _post(fake.url + "/v2/bot/message/reply",
                     {"replyToken": "r2", "messages": [bad_flex]}) == 400
        assert _post(fake.url + "/v2/bot/message/push",
                     {"to": "C1", "messages": [{"type": "text"}]}) == 400
        assert [p for p, _ in fake.invalid] == ["/v2/bot/message/reply", "/v2/bot/message/push"]
        assert len(fake.replies) == 1 and not fake.pushes


def test_reply_and_push_reach_line_through_the_sdk_client():
    with FakeLine() as fake:
        line = Line(fake.url, "token")
        assert line.reply("rt-1", REPLIES[0]) is True
        assert line.reply("rt-1", REPLIES[0]) is False            # LINE: token already used
        assert line.push("Cgroup", REPLIES[4], "11111111-2222-3333-4444-555555555555").status \
            == "sent"
        assert line.push("Cgroup", REPLIES[4], "11111111-2222-3333-4444-555555555555").status \
            == "duplicate"                                        # 409: the retry key was seen
        fake.fail_next["push"] = [500]
        assert line.push("Cgroup", REPLIES[4], "k2").status == "retry"
        assert fake.replies[0].messages == to_payload(REPLIES[0])
        assert fake.replies[0].messages[0]["quickReply"]["items"][0]["action"]["type"] == \
            "postback"
        assert not fake.invalid
