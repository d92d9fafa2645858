"""Helpers for tests and benchmarks: signed webhook bodies, events, and a chat driver."""
from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import uuid

from sqlalchemy import create_engine, text

from bot.db import normalise_url
from bot.line.fakeline import FakeLine

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
ADMIN = "Uadmin0000000000000000000000000001"
DASHBOARD_TOKEN = "dash-secret-token"


def pg_schema(base: str, prefix: str = "t_") -> tuple[str, str]:
    """A fresh PostgreSQL schema and a URL whose connections use it: tests (and several runs
    at once on the machine's shared server) never see each other's rows."""
    schema = prefix + uuid.uuid4().hex[:12]
    url = normalise_url(base)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}", schema


def drop_schema(base: str, schema: str) -> None:
    engine = create_engine(normalise_url(base))
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()

# --------------------------------------------------------------------------- webhook helpers
_ids = itertools.count(1)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def event_id() -> str:
    return f"01TESTEVENT{next(_ids):015d}{uuid.uuid4().hex[:6].upper()}"


def source(user: str | None, group: str | None) -> dict:
    if group:
        src = {"type": "group", "groupId": group}
        if user:
            src["userId"] = user
        return src
    return {"type": "user", "userId": user}


def text_event(text: str, user: str | None = "Uofficer1", group: str | None = None,
               eid: str | None = None, reply_token: str | None = None,
               redelivery: bool = False, message_id: str | None = None,
               quoted: str | None = None, mentions: list[dict] | None = None) -> dict:
    """A text message event as LINE sends it. ``quoted``: the quotedMessageId (LINE's reply-to);
    ``mentions``: mentionees (see ``mention``)."""
    eid = eid or event_id()
    message = {"id": message_id or eid[-12:], "type": "text", "quoteToken": f"q-{eid}",
               "text": text}
    if quoted:
        message["quotedMessageId"] = quoted
    if mentions:
        message["mention"] = {"mentionees": mentions}
    return {"type": "message", "mode": "active", "timestamp": 1650337200000,
            "webhookEventId": eid, "deliveryContext": {"isRedelivery": redelivery},
            "source": source(user, group), "replyToken": reply_token or f"rt-{eid}",
            "message": message}


def mention(text: str, span: str, user_id: str | None = None, is_self: bool = True) -> dict:
    """The mentionee LINE sends for ``span`` (e.g. "@น้องพัฒน์") inside ``text``: index and
    length count UTF-16 code units, as LINE's clients do."""
    at = text.index(span)
    index = len(text[:at].encode("utf-16-le")) // 2
    m = {"index": index, "length": len(span.encode("utf-16-le")) // 2, "type": "user"}
    if is_self:
        m["isSelf"] = True
    if user_id:
        m["userId"] = user_id
    return m


def redelivered_event(ev: dict) -> dict:
    """The same event as LINE redelivers it: same webhookEventId, isRedelivery true (with a
    reply token of its own, so that a test sees any reply to it)."""
    return {**ev, "deliveryContext": {"isRedelivery": True},
            **({"replyToken": ev["replyToken"] + "-again"} if ev.get("replyToken") else {})}


def unsend_event(message_id: str, user: str | None = "Uofficer1", group: str | None = None,
                 eid: str | None = None) -> dict:
    """LINE's unsend event: no reply token."""
    eid = eid or event_id()
    return {"type": "unsend", "mode": "active", "timestamp": 1650337200000,
            "webhookEventId": eid, "deliveryContext": {"isRedelivery": False},
            "source": source(user, group), "unsend": {"messageId": message_id}}


def other_event(kind: str, user: str | None = None, group: str | None = None, **extra) -> dict:
    eid = extra.pop("eid", None) or event_id()
    ev = {"type": kind, "mode": "active", "timestamp": 1650337200000, "webhookEventId": eid,
          "deliveryContext": {"isRedelivery": False}, "source": source(user, group),
          "replyToken": f"rt-{eid}"}
    ev.update(extra)
    return ev


def body_of(*events: dict) -> bytes:
    body = {"destination": "Ubot", "events": list(events)}
    try:
        return json.dumps(body, ensure_ascii=False).encode()
    except UnicodeEncodeError:  # a lone surrogate: JSON carries it as a \ud83d escape
        return json.dumps(body).encode()


def post(client, *events: dict, secret: str = SECRET):
    body = body_of(*events)
    return client.post("/callback", data=body, content_type="application/json",
                       headers={"X-Line-Signature": sign(body, secret)})


class Chat:
    """Say things through POST /callback and read what LINE received in reply."""

    def __init__(self, app, fake: FakeLine):
        self.app, self.fake, self.client = app, fake, app.test_client()

    def say(self, text: str, user: str | None = "Uofficer1", group: str | None = None,
            **kw) -> str | None:
        ev = text_event(text, user=user, group=group, **kw)
        resp = post(self.client, ev)
        assert resp.status_code == 200, resp.data
        return self.reply_to(ev)

    def send(self, ev: dict) -> str | None:
        resp = post(self.client, ev)
        assert resp.status_code == 200, resp.data
        return self.reply_to(ev)

    def reply_to(self, ev: dict) -> str | None:
        sent = self.sent_to(ev)
        return sent.text if sent else None

    def sent_to(self, ev: dict):
        """What LINE received in reply to ``ev`` (a fakeline.Sent: messages, sent_ids), or None.
        The ids of the bot's answers are written now (the bot batches them a second at most)."""
        svc = self.app.extensions["nongpat"]
        svc.line.drain()
        svc.bot.flush_sent()
        got = self.fake.replies_to(ev.get("replyToken") or "")
        assert len(got) <= 1
        return got[0] if got else None

    def bind(self, group: str, district: str = "อำเภอบ้านโป่ง") -> str:
        return self.say(f"ผูกกลุ่ม {district}", user=ADMIN, group=group)


def totals(app) -> dict:
    from models.queries import counters
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        return counters(s, active.id)


def entry_count(app) -> int:
    from sqlalchemy import func, select
    from models import Entry
    with app.extensions["nongpat"].sessions() as s:
        return s.scalar(select(func.count(Entry.id)))
