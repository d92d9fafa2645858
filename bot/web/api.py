"""GET /healthz, GET /api/v1/progress and GET /api/v1/status (bearer DASHBOARD_TOKEN)."""
from __future__ import annotations

import datetime as dt
import hmac

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.core.progress import api_document
from models.queries import counters, failure_counts

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with current_app.extensions["nongpat"].engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return jsonify({"status": "unavailable", "error": exc.__class__.__name__}), 503
    return jsonify({"status": "ok"})


def bearer_ok() -> tuple[bool, int]:
    """(allowed, status when not): 401 without credentials, 403 with wrong ones or no token set."""
    token = current_app.config.get("DASHBOARD_TOKEN")
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        return False, 401
    if not token:
        return False, 403
    return hmac.compare_digest(header[7:].strip().encode(), token.encode()), 403


def refused(status: int):
    resp = jsonify({"error": "a valid Authorization: Bearer token is required"})
    resp.headers["WWW-Authenticate"] = 'Bearer realm="nongpat"'
    return resp, status


@bp.get("/api/v1/status")
def status():
    """What operators watch: events that failed (waiting for a replay) and events kept in this
    node's spool, each with the age of the oldest; and this process's events by outcome."""
    ok, code = bearer_ok()
    if not ok:
        return refused(code)
    services = current_app.extensions["nongpat"]
    doc = {"spooled_events": services.spool.status(),
           "this_process": dict(services.bot.outcomes)}
    try:
        with services.read_sessions() as s:
            n, oldest = failure_counts(s)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.timezone.utc)
        doc["failed_events"] = {
            "count": n, "oldest_age_seconds": round((dt.datetime.now(dt.timezone.utc) - oldest)
                                                    .total_seconds(), 1) if oldest else None}
        doc["database"] = "ok"
    except SQLAlchemyError as exc:
        doc["failed_events"] = None
        doc["database"] = exc.__class__.__name__
    return jsonify(doc)


@bp.get("/api/v1/progress")
def progress():
    ok, status = bearer_ok()
    if not ok:
        return refused(status)
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        active = services.bot.current_plan(s)
        doc = api_document(active.plan, counters(s, active.id))
    return current_app.response_class(
        __import__("json").dumps(doc, ensure_ascii=False), mimetype="application/json")
