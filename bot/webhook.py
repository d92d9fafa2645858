"""POST /callback: verify the signature on the raw bytes, take each event once, answer 200 fast.

LINE waits 2 s. Parsing and the database write take milliseconds; calls to LINE (reply,
profile) run after the commit on bot/line's thread pool, so they never hold the answer.
A database that does not answer gives 503, so LINE redelivers later (the event id dedupes).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError

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
    after it is back; until then every request answers 503 (LINE redelivers)."""
    if not current_app.config.get("SETUP_PENDING"):
        return None
    with _setup_lock:
        if current_app.config.get("SETUP_PENDING"):
            if time.monotonic() - _setup_tried[0] < SETUP_RETRY_SECONDS:
                return _bad("database unavailable; LINE will redeliver", 503)
            _setup_tried[0] = time.monotonic()
            from bot.db import ensure_database
            services = current_app.extensions["nongpat"]
            try:
                ensure_database(services.engine, current_app.config["PLAN_FILE"])
                services.bot.warm()
            except OperationalError as exc:
                log.error("database still unavailable: %s", exc.__class__.__name__)
                return _bad("database unavailable; LINE will redeliver", 503)
            current_app.config["SETUP_PENDING"] = False
            log.info("database set up after a delayed start")
    return None


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
    bot = current_app.extensions["nongpat"].bot
    for event in payload["events"]:
        if not isinstance(event, dict):
            continue
        try:
            bot.handle_event(event)
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
                log.error("database unavailable: %s", exc.__class__.__name__)
                return _bad("database unavailable; LINE will redeliver", 503)
            log.exception("event failed")
        except Exception:  # a bug in one event must not fail the others, nor answer 500
            log.exception("event failed: %s", str(event.get("webhookEventId"))[:64])
    return jsonify({"status": "ok"})
