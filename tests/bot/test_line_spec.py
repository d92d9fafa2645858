"""The validator the fake LINE applies to every body (bot/line/spec.py on LINE's own OpenAPI spec,
tests/specs/line-openapi): it refuses the mistakes real LINE refuses — the discriminator picks
the mapped schema, so a wrong Flex component or an unknown type is caught, not only the base
``Message`` — and accepts what the bot sends."""
import copy

import pytest

from bot.line import flex
from bot.line import spec as linespec
from bot.line.client import to_payload
from bot.line.messages import QuickReply, Reply
from bot.line.richmenu import menu_request
from tests.bot.test_flex import long_province_bubbles
from tests.bot.test_line import REPLIES

SPEC = linespec.load()
REPLY = SPEC.operation("POST", "/v2/bot/message/reply")
PUSH = SPEC.operation("POST", "/v2/bot/message/push")


def reply_errors(*messages) -> list[tuple[str, str]]:
    return SPEC.body_errors(REPLY, {"replyToken": "rt", "messages": list(messages)})


def bubble(*components) -> dict:
    return {"type": "bubble", "body": {"type": "box", "layout": "vertical",
                                       "contents": list(components)}}


def flex_message(contents) -> dict:
    return {"type": "flex", "altText": "ยอด", "contents": contents}


QUICK = {"type": "action", "action": {"type": "message", "label": "ยอด", "text": "ยอด"}}

# (what is wrong, message, the property LINE names)
MISTAKES = [
    ("an unknown message type", {"type": "txt", "text": "x"}, "messages[0].type"),
    ("a message without a type", {"text": "x"}, "messages[0]"),
    ("a text message without text", {"type": "text"}, "messages[0]"),
    ("a text over 5000 characters", {"type": "text", "text": "ก" * 5001}, "messages[0].text"),
    ("a text over 5000 UTF-16 units", {"type": "text", "text": "😀" * 2501}, "messages[0].text"),
    ("14 quick reply items", {"type": "text", "text": "x", "quickReply": {"items": [QUICK] * 14}},
     "messages[0].quickReply.items"),
    ("a quick reply label over 20", {"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "message", "label": "ก" * 21, "text": "x"}}]}},
     "messages[0].quickReply.items[0].action.label"),
    ("an unknown action type", {"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "postbak", "label": "x", "data": "x"}}]}},
     "messages[0].quickReply.items[0].action.type"),
    ("postback data over 300", {"type": "text", "text": "x", "quickReply": {"items": [
        {"type": "action", "action": {"type": "postback", "label": "x", "data": "d" * 301}}]}},
     "messages[0].quickReply.items[0].action.data"),
    ("a flex message without altText", {"type": "flex", "contents": bubble()}, "messages[0]"),
    ("an altText over 400", {"type": "flex", "altText": "ก" * 401, "contents": bubble()},
     "messages[0].altText"),
    ("an unknown flex container", flex_message({"type": "bubbel"}), "messages[0].contents.type"),
    ("an unknown flex component", flex_message(bubble({"type": "txt", "text": "x"})),
     "messages[0].contents.body.contents[0].type"),
    ("a box of a layout LINE has not", flex_message(
        {"type": "bubble", "body": {"type": "box", "layout": "sideways", "contents": []}}),
     "messages[0].contents.body.layout"),
    ("a box without contents", flex_message(bubble({"type": "box", "layout": "vertical"})),
     "messages[0].contents.body.contents[0]"),
    ("a text component of a weight LINE has not", flex_message(
        bubble({"type": "text", "text": "x", "weight": "heavy"})),
     "messages[0].contents.body.contents[0].weight"),
    ("a nested wrong component", flex_message(bubble(
        {"type": "box", "layout": "horizontal", "contents": [{"type": "text", "text": "ok"},
                                                             {"type": "spacer"}]})),
     "messages[0].contents.body.contents[0].contents[1].type"),
    ("an image component without url", flex_message(bubble({"type": "image"})),
     "messages[0].contents.body.contents[0]"),
    ("a span outside a text", flex_message(bubble({"type": "text", "text": "x", "contents": [
        {"type": "box", "layout": "vertical", "contents": []}]})),
     "messages[0].contents.body.contents[0].contents[0].type"),
    ("a carousel of 13 bubbles", flex_message({"type": "carousel", "contents": [bubble()] * 13}),
     "messages[0].contents.contents"),
    ("a carousel holding a box", flex_message(
        {"type": "carousel", "contents": [{"type": "box", "layout": "vertical", "contents": []}]}),
     "messages[0].contents.contents[0].type"),
    ("a wrong action on a flex button", flex_message(bubble(
        {"type": "button", "action": {"type": "message", "label": "x", "text": 5}})),
     "messages[0].contents.body.contents[0].action.text"),
]


@pytest.mark.parametrize("what,message,where", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_refuses_a_real_mistake(what, message, where):
    errors = reply_errors(message)
    assert errors, f"{what}: accepted"
    assert where in [p for p, _ in errors], errors


def test_refuses_a_mistake_in_the_request_itself():
    ok = {"type": "text", "text": "x"}
    assert ("(body)", "'replyToken' is a required property") in SPEC.body_errors(
        REPLY, {"messages": [ok]})
    assert SPEC.body_errors(REPLY, {"replyToken": "rt", "messages": []})          # at least 1
    assert SPEC.body_errors(REPLY, {"replyToken": "rt", "messages": [ok] * 6})    # at most 5
    assert SPEC.body_errors(PUSH, {"messages": [ok]})                             # no `to`
    assert SPEC.body_errors(PUSH, {"to": "C1", "messages": [ok], "notificationDisabled": "no"})


def test_accepts_what_line_accepts():
    assert not reply_errors({"type": "text", "text": "ก" * 5000, "quoteToken": "q",
                             "quickReply": {"items": [QUICK] * 13}})
    assert not reply_errors({"type": "text", "text": "😀" * 2500})
    assert not reply_errors({"type": "sticker", "packageId": "446", "stickerId": "1988"})
    assert not reply_errors(flex_message({"type": "carousel", "contents": [bubble(
        {"type": "text", "text": "x", "contents": [{"type": "span", "text": "y"}]},
        {"type": "separator"}, {"type": "filler"},
        {"type": "button", "action": {"type": "postback", "label": "ยืนยัน", "data": "ok"}})] * 12}))
    assert not SPEC.body_errors(PUSH, {"to": "C1", "messages": [{"type": "text", "text": "x"}],
                                       "notificationDisabled": True})


@pytest.mark.parametrize("reply", REPLIES)
def test_accepts_every_reply_shape_the_bot_builds(reply):
    assert reply_errors(*to_payload(reply)) == []
    assert SPEC.body_errors(PUSH, {"to": "Cgroup", "messages": to_payload(reply)}) == []


def test_accepts_the_bots_largest_answers():
    """A province carousel with a quote lead, long notices and 20 quick replies (13 go)."""
    reply = Reply(flex=[flex.message("ยอดจังหวัดราชบุรี", long_province_bubbles(3))],
                  quick_replies=[QuickReply(f"ปุ่มที่ {i} " + "ก" * 30, text="ยอด",
                                            data=f"d{i}" * (i % 2)) for i in range(20)],
                  quote_token="qt", notices=["ประกาศ " + "ข" * 6000] * 3)
    assert reply_errors(*to_payload(reply)) == []


def test_the_rich_menu_request_is_valid_and_its_mistakes_are_not():
    op = SPEC.operation("POST", "/v2/bot/richmenu")
    assert SPEC.body_errors(op, menu_request()) == []
    bad = copy.deepcopy(menu_request())
    bad["chatBarText"] = "เมนูน้องพัฒน์ยาวเกินไปมาก"        # LINE: at most 14 characters
    bad["areas"][0]["action"] = {"type": "massage", "text": "ยอด"}
    bad["areas"][1]["bounds"]["width"] = 0
    assert {p for p, _ in SPEC.body_errors(op, bad)} == {
        "chatBarText", "areas[0].action.type", "areas[1].bounds.width"}


def test_operations_are_found_by_method_and_path_template():
    assert SPEC.operation("POST", "/v2/bot/message/reply").operation_id == "replyMessage"
    got = SPEC.operation("GET", "/v2/bot/room/R1/member/U2?x=1")
    assert (got.operation_id, got.host) == ("getRoomMemberProfile", linespec.API_HOST)
    up = SPEC.operation("POST", "/v2/bot/richmenu/richmenu-1/content")
    assert (up.operation_id, up.host) == ("setRichMenuImage", linespec.DATA_HOST)
    assert SPEC.operation("GET", "/v2/bot/richmenu/list").operation_id == "getRichMenuList"
    assert SPEC.operation("GET", "/v2/bot/no/such/thing") is None
    assert SPEC.operation("DELETE", "/v2/bot/message/reply") is None


def test_nullable_lets_null_through_only_where_the_spec_says():
    schema = {"type": "object", "properties": {"a": {"type": "integer", "nullable": True},
                                               "b": {"type": "integer"}}}
    assert SPEC.errors(schema, {"a": None, "b": 1}) == []
    assert [p for p, _ in SPEC.errors(schema, {"a": 1, "b": None})] == ["b"]
