"""The signature is checked on the raw bytes with hmac.compare_digest (constant time), for good
and bad signatures alike, before anything else reads the body."""
from __future__ import annotations

import hmac

from bot.web import webhook
from tests.helpers import SECRET, body_of, sign, text_event


def test_every_signature_check_goes_through_compare_digest(client, monkeypatch):
    calls = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(webhook.hmac, "compare_digest", spy)
    body = body_of(text_event("สวัสดี"))
    good = sign(body)
    wrong = sign(body, "another-secret")
    cases = [(good, 200), (wrong, 400), (good[:-4] + "AAA=", 400), (good[:10], 400),
             (good + "x" * 100, 400)]
    for signature, status in cases:
        calls.clear()
        resp = client.post("/callback", data=body, content_type="application/json",
                           headers={"X-Line-Signature": signature})
        assert resp.status_code == status
        assert len(calls) == 1, signature  # one constant-time comparison, whatever the input
        expected, given = calls[0]
        assert expected == good.encode() and given == signature.encode()


def test_signature_is_computed_on_the_raw_bytes_not_reencoded_json(client):
    # the same JSON, spelled differently, is a different body: its own signature only
    body = b'{"destination":"U","events":[]}'
    spaced = b'{"destination": "U", "events": []}'
    headers = {"X-Line-Signature": sign(body, SECRET)}
    assert client.post("/callback", data=body, headers=headers).status_code == 200
    assert client.post("/callback", data=spaced, headers=headers).status_code == 400
