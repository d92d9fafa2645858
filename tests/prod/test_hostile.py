"""Hostile input through /callback with valid signatures: random JSON, wrong types, unknown
event types, 10 MB bodies, 5,000-character texts, deep nesting, every unicode plane → never a
500, never a stray entry."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.web import webhook
from tests.helpers import ADMIN, entry_count, sign, text_event, totals

GROUP = "Chostile000000000000000000000001"
OK = {200, 400, 413}
HYP = settings(max_examples=60, deadline=None, derandomize=True,
               suppress_health_check=[HealthCheck.function_scoped_fixture,
                                      HealthCheck.too_slow, HealthCheck.data_too_large])

# every plane, surrogates (as JSON escapes) and control characters included
any_char = st.characters(codec=None, exclude_categories=())
any_text = st.text(any_char, max_size=80)
scalars = st.none() | st.booleans() | st.integers(-2**70, 2**70) | \
    st.floats(allow_nan=True, allow_infinity=True) | any_text
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=4) |
                           st.dictionaries(any_text, c, max_size=4), max_leaves=20)
EVENT_TYPES = ["message", "postback", "join", "leave", "follow", "unfollow", "memberJoined",
               "memberLeft", "unsend", "beacon", "accountLink", "things", "videoPlayComplete",
               "membership", "activated", "botSuspended", "", "MESSAGE", "ผูกกลุ่ม"]


@st.composite
def events(draw):
    """Event-shaped objects whose fields have any type, or the right type with odd values."""
    def maybe(right):
        return st.one_of(right, json_values)
    src = draw(maybe(st.fixed_dictionaries({
        "type": maybe(st.sampled_from(["group", "user", "room", "x"])),
        "groupId": maybe(st.just(GROUP)), "userId": maybe(st.sampled_from([ADMIN, "Uhostile1"])),
        "roomId": json_values})))
    message = draw(maybe(st.fixed_dictionaries({
        "type": maybe(st.sampled_from(["text", "image", "sticker", "location"])),
        "id": json_values, "text": maybe(any_text)})))
    ev = draw(st.fixed_dictionaries({
        "type": maybe(st.sampled_from(EVENT_TYPES)), "source": st.just(src),
        "message": st.just(message),
        "webhookEventId": maybe(st.text("0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=1,
                                        max_size=80)),
        "timestamp": maybe(st.integers()), "replyToken": json_values,
        "deliveryContext": json_values, "postback": maybe(st.fixed_dictionaries(
            {"data": maybe(any_text)})), "mode": json_values}))
    drop = draw(st.sets(st.sampled_from(sorted(ev))))
    return {k: v for k, v in ev.items() if k not in drop}


def bodies():
    envelope = st.fixed_dictionaries({"destination": json_values,
                                      "events": st.lists(events() | json_values, max_size=4)})
    as_json = st.one_of(envelope, json_values).map(
        lambda v: json.dumps(v, ensure_ascii=True, allow_nan=True).encode())
    raw = st.binary(max_size=300)
    return st.one_of(as_json, as_json, raw)


def _post(client, body: bytes):
    return client.post("/callback", data=body, content_type="application/json",
                       headers={"X-Line-Signature": sign(body)})


@pytest.fixture
def bound(app, chat):
    chat.bind(GROUP)
    return app


def _nothing_recorded(app):
    assert entry_count(app) == 0
    assert not any(totals(app).values())


@HYP
@given(body=bodies())
def test_random_signed_bodies_never_500_nor_record_an_entry(bound, client, body):
    resp = _post(client, body)
    assert resp.status_code in OK, (resp.status_code, body[:300])
    _nothing_recorded(bound)


@HYP
@given(text=st.text(any_char, max_size=300) | st.text(any_char, min_size=4900, max_size=5000))
def test_any_text_in_a_bound_group_never_500_nor_stray_entry(bound, client, text):
    if "บันทึก" in text or "ยืนยัน" in text:
        return
    ev = text_event(text, user="Uhostile1", group=GROUP)
    body = json.dumps({"destination": "U", "events": [ev]}, ensure_ascii=True).encode()
    assert _post(client, body).status_code == 200
    _nothing_recorded(bound)


def test_five_thousand_character_texts_are_not_commands(bound, client):
    text = ("บันทึก จปฐ 5 ครัวเรือน " * 300)[:5000]
    assert _post(client, json.dumps({"events": [text_event(text, group=GROUP)]}).encode()
                 ).status_code == 200
    _nothing_recorded(bound)


def test_ten_megabyte_body_is_refused_with_413_before_parsing(bound, client, monkeypatch):
    parsed = []
    monkeypatch.setattr(webhook, "json", type("J", (), {"loads": lambda *a: parsed.append(a)}))
    ev = text_event("บันทึก จปฐ 5 ครัวเรือน", group=GROUP)
    ev["message"]["pad"] = "ก" * (10 * 1024 * 1024 // 3)
    body = json.dumps({"events": [ev]}, ensure_ascii=False).encode()
    assert len(body) >= 10 * 1024 * 1024
    assert _post(client, body).status_code == 413
    assert parsed == []
    _nothing_recorded(bound)


@pytest.mark.parametrize("depth", [50, 900, 5000, 200_000])
def test_deep_nesting_anywhere_never_500(bound, client, depth):
    nested = "[" * depth + "]" * depth
    bodies = [nested.encode(),
              ('{"events": [' + nested + ']}').encode(),
              ('{"events": [{"type": "message", "webhookEventId": ' + nested +
               ', "source": {"type": "group", "groupId": "' + GROUP + '", "userId": "U1"},'
               ' "message": {"type": "text", "text": ' + nested + '}}]}').encode(),
              ('{"events": [{"type": "message", "source": {"type": "group", "groupId": "' +
               GROUP + '", "userId": "U1"}, "message": {"type": "text", "text": "x",'
               ' "deep": ' + nested + '}}]}').encode()]
    for body in bodies:
        assert _post(client, body).status_code in OK, (depth, body[:80])
    _nothing_recorded(bound)


def test_every_unicode_plane_and_lone_surrogates_in_ids_and_texts(bound, client):
    samples = ["\x00", "\ud800", "\udfff", "\U0001F600", "\U00020000", "\U000E0001",
               "\U0010FFFF", "\u202e", "\ufeff", "ก\u0e33\u0e4d"]
    for s in samples:
        for ev in (text_event(s * 3, user="U" + s, group=GROUP),
                   text_event("ยอด", user="Uhostile1", group=GROUP + s),
                   {**text_event("ยอด", group=GROUP), "webhookEventId": s * 10}):
            body = json.dumps({"events": [ev]}, ensure_ascii=True).encode()
            assert _post(client, body).status_code == 200, repr(s)
    _nothing_recorded(bound)
