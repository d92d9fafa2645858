"""POST /callback: signatures, empty bodies, dedupe of redeliveries, concurrent duplicates."""
import threading

from tests.helpers import (ADMIN, SECRET, body_of, entry_count, post, sign, text_event, totals)

G = "Cbanpong000000000000000000000000"


def test_empty_events_with_good_signature_is_200(client):
    body = b'{"destination":"Ubot","events":[]}'
    resp = client.post("/callback", data=body, headers={"X-Line-Signature": sign(body)})
    assert resp.status_code == 200


def test_missing_or_wrong_signature_is_400_and_records_nothing(app, client, chat):
    chat.bind(G)
    ev = text_event("บันทึก จปฐ 120 ครัวเรือน", group=G)
    body = body_of(ev)
    assert client.post("/callback", data=body).status_code == 400
    assert client.post("/callback", data=body,
                       headers={"X-Line-Signature": sign(body, "other-secret")}).status_code == 400
    tampered = body.replace(b"120", b"999")
    assert client.post("/callback", data=tampered,
                       headers={"X-Line-Signature": sign(body)}).status_code == 400
    assert entry_count(app) == 0


def test_signature_header_name_is_case_insensitive(client):
    body = b'{"destination":"Ubot","events":[]}'
    assert client.post("/callback", data=body,
                       headers={"x-line-signature": sign(body)}).status_code == 200


def test_not_a_webhook_body_is_400(client):
    for body in (b"not json", b"[]", b'{"events": {}}', b'{"destination": "x"}'):
        resp = client.post("/callback", data=body, headers={"X-Line-Signature": sign(body)})
        assert resp.status_code == 400, body


def test_no_channel_secret_refuses_clearly(make_app):
    app = make_app(LINE_CHANNEL_SECRET=None)
    body = b'{"events":[]}'
    resp = app.test_client().post("/callback", data=body,
                                  headers={"X-Line-Signature": sign(body)})
    assert resp.status_code == 503
    assert b"LINE_CHANNEL_SECRET" in resp.data


def test_oversized_body_is_413(client):
    body = b'{"events":[], "pad":"' + b"x" * (2 * 1024 * 1024) + b'"}'
    resp = client.post("/callback", data=body, headers={"X-Line-Signature": sign(body)})
    assert resp.status_code == 413


def test_redelivered_event_counts_once(app, client, chat, fake_line):
    chat.bind(G)
    ev = text_event("บันทึก จปฐ 120 ครัวเรือน", group=G)
    assert post(client, ev).status_code == 200
    again = dict(ev, deliveryContext={"isRedelivery": True})
    assert post(client, again).status_code == 200
    assert post(client, ev, ev).status_code == 200  # twice in one body, too
    app.extensions["nongpat"].line.drain()
    assert totals(app)[("jpt", "ban-pong", "")] == 120
    assert entry_count(app) == 1
    assert len(fake_line.replies_to(ev["replyToken"])) == 1


def test_same_body_delivered_concurrently_counts_once(app, chat):
    chat.bind(G)
    evs = [text_event(f"บันทึก จปฐ {n} ครัวเรือน", group=G, user=f"U{n % 3}") for n in range(1, 9)]
    barrier = threading.Barrier(8)
    statuses = []

    def deliver(copy: int):
        c = app.test_client()
        barrier.wait()
        for ev in (evs if copy % 2 else reversed(evs)):
            statuses.append(post(c, ev).status_code)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(statuses) == {200}
    assert entry_count(app) == 8
    assert totals(app)[("jpt", "ban-pong", "")] == sum(range(1, 9))


def test_reply_failure_loses_nothing(app, chat, fake_line):
    chat.bind(G)
    fake_line.fail_next["reply"] = [500]
    assert chat.say("บันทึก จปฐ 50 ครัวเรือน", group=G) is None  # LINE refused the reply
    assert totals(app)[("jpt", "ban-pong", "")] == 50
    fake_line.delay["reply"] = 0.2
    fake_line.fail_next["reply"] = [400]  # an expired reply token
    chat.say("บันทึก จปฐ 5 ครัวเรือน", group=G)
    assert totals(app)[("jpt", "ban-pong", "")] == 55


def test_slow_line_does_not_hold_the_webhook(app, chat, fake_line, client):
    import time
    chat.bind(G)
    fake_line.delay["reply"] = 3.0
    fake_line.delay["profile"] = 3.0
    t0 = time.perf_counter()
    resp = post(client, text_event("บันทึก ออมทรัพย์ 1 กลุ่ม", group=G, user="Uslow"))
    elapsed = time.perf_counter() - t0
    assert resp.status_code == 200
    assert elapsed < 1.0, elapsed
    assert totals(app)[("savings", "ban-pong", "")] == 1


def test_unknown_and_malformed_events_are_ignored(client, app):
    weird = [{"type": "beacon"}, {"type": "message", "source": "nope"},
             {"type": "message", "source": {"type": "group"}, "message": {"type": "text"}},
             {"type": "message", "source": {"type": "user", "userId": 5},
              "message": {"type": "text", "text": ["บันทึก"]}}, 7, None, "x",
             {"type": "unsend", "source": {"type": "group", "groupId": G, "userId": "U1"}}]
    body = body_of(*weird)
    resp = client.post("/callback", data=body, headers={"X-Line-Signature": sign(body)})
    assert resp.status_code == 200
    assert entry_count(app) == 0


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_a_reply_past_its_token_window_is_dropped(app, fake_line):
    import time
    from bot.line.messages import Reply
    line = app.extensions["nongpat"].line
    assert line.reply("rt-late", Reply.text("สวัสดีครับ"), not_after=time.monotonic() - 1) is False
    assert line.reply("rt-fresh", Reply.text("สวัสดีครับ"), not_after=time.monotonic() + 5) is True
    assert fake_line.replies_to("rt-late") == [] and len(fake_line.replies_to("rt-fresh")) == 1


def test_nul_in_a_text_is_recorded_without_it(app, chat):
    chat.bind(G)
    assert "บันทึกแล้ว" in chat.say("บันทึก จปฐ 12 ครัวเรือน\x00", group=G)
    assert totals(app)[("jpt", "ban-pong", "")] == 12
