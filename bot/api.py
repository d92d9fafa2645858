"""GET /healthz and GET /api/v1/progress (bearer DASHBOARD_TOKEN)."""
from __future__ import annotations

import hmac

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text

from bot.progress import api_document
from models.queries import counters

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


@bp.get("/api/v1/progress")
def progress():
    ok, status = bearer_ok()
    if not ok:
        resp = jsonify({"error": "a valid Authorization: Bearer token is required"})
        resp.headers["WWW-Authenticate"] = 'Bearer realm="nongpat"'
        return resp, status
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        active, _ = services.bot.plans.get(s)
        doc = api_document(active.plan, counters(s, active.id))
    return current_app.response_class(
        __import__("json").dumps(doc, ensure_ascii=False), mimetype="application/json")
