"""POST /callback: verify the signature on the raw bytes, take each event once, answer 200 fast.

LINE waits 2 s. Parsing and the database write take milliseconds; calls to LINE (reply,
profile) run after the commit on bot/line's thread pool, so they never hold the answer.
A database that does not answer: the events are kept in this node's spool (bot/spool.py,
fsynced) and the answer is still 200 — nothing depends on LINE's redelivery, which is off by
default in the LINE console; the web process applies the spool once the database is back.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy.exc import OperationalError

from bot.service import database_down

bp = Blueprint("webhook", __name__)
log = logging.getLogger(__name__)


def signature_ok(secret: str, body: bytes, signature: str | None) -> bool:
    """base64(HMAC-SHA256(secret, raw body)) compared in constant time."""
    if not signature:
        return False
    expected = base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest())
    try:
        given = signature.strip().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected, given)


def _bad(message: str, status: int = 400):
    return jsonify({"error": message}), status


_setup_lock = threading.Lock()
_setup_tried = [0.0]
SETUP_RETRY_SECONDS = 2.0


@bp.before_app_request
def finish_setup():
    """A worker started while the database was down (wsgi.py) sets up on the first request
    after it is back; until then every request answers 503, except LINE's webhook, whose
    events are kept in the spool (callback) and applied once the database is back."""
    if not current_app.config.get("SETUP_PENDING"):
        return None
    if try_setup(current_app):
        return None
    if request.endpoint == "webhook.callback":
        g.spool_only = True  # the database is not there: keep the events, answer 200
        return None
    return _bad("database unavailable", 503)


def try_setup(app) -> bool:
    """Finish a delayed set-up (at most one try every SETUP_RETRY_SECONDS); True when done."""
    if not app.config.get("SETUP_PENDING"):
        return True
    with _setup_lock:
        if not app.config.get("SETUP_PENDING"):
            return True
        if time.monotonic() - _setup_tried[0] < SETUP_RETRY_SECONDS:
            return False
        _setup_tried[0] = time.monotonic()
        from bot.db import ensure_database
        services = app.extensions["nongpat"]
        try:
            ensure_database(services.engine, app.config["PLAN_FILE"])
            services.bot.warm()
        except OperationalError as exc:
            log.error("database still unavailable: %s", exc.__class__.__name__)
            return False
        app.config["SETUP_PENDING"] = False
        log.info("database set up after a delayed start")
        return True


@bp.post("/callback")
def callback():
    secret = current_app.config.get("LINE_CHANNEL_SECRET")
    if not secret:
        log.error("LINE_CHANNEL_SECRET is not set: webhook refused")
        return _bad("LINE_CHANNEL_SECRET is not set on the server; webhooks are refused", 503)
    body = request.get_data(cache=False)  # raw bytes; over MAX_CONTENT_LENGTH → 413
    if not signature_ok(secret, body, request.headers.get("X-Line-Signature")):
        return _bad("invalid signature")
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        return _bad("body is not JSON")
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        return _bad("not a LINE webhook body")
    services = current_app.extensions["nongpat"]
    events = [e for e in payload["events"] if isinstance(e, dict)]
    if g.get("spool_only"):
        return _spool(services, events)
    for i, event in enumerate(events):
        try:
            services.bot.handle_event(event)
        except Exception as exc:
            # the database refused; or (handle_event keeps what a handler raises) a bug outside
            # the handlers: either way the rest of the body is kept, not lost
            if database_down(exc):
                log.error("database unavailable (%s): keeping %d events in the spool",
                          exc.__class__.__name__, len(events) - i)
            else:
                log.exception("event failed outside its handler: %s",
                              str(event.get("webhookEventId"))[:64])
            return _spool(services, events[i:])
    if services.spool.pending():  # events kept while the database refused: apply them now
        services.drainer.wake()
    return jsonify({"status": "ok"})


def _spool(services, events: list[dict]):
    """Keep the events on this node's disk (fsynced) and answer 200; a disk that refuses too
    gives 503, so that LINE may still redeliver — never 200 for an event kept nowhere."""
    if not events:
        return jsonify({"status": "ok"})
    try:
        services.spool.keep(events)
    except OSError as exc:
        log.critical("EVENTS NOT KEPT: the database and the spool (%s) both refuse (%s); "
                     "answering 503, only LINE's redelivery can bring %d events back",
                     services.spool.dir, exc, len(events))
        return _bad("database and spool unavailable; LINE may redeliver", 503)
    services.bot.outcomes["spooled"] += len(events)
    for event in events:
        log.info("event %s outcome=spooled", str(event.get("webhookEventId"))[:64],
                 extra={"fields": {"event_id": str(event.get("webhookEventId"))[:64],
                                   "outcome": "spooled"}})
    services.drainer.wake()
    return jsonify({"status": "ok", "spooled": len(events)})
