"""GET /healthz, and (bearer) GET /api/v1/progress, /api/v1/provinces, /api/v1/summary and
/api/v1/status.

Who may read what (:func:`guard`, in front of every route but /healthz): ``DASHBOARD_TOKEN``
and an API token of every province read everything; a per-province API token (``flask tokens
create --province …``) reads its province only — /progress of it (its province by default),
/provinces lists it alone, /summary (every province's figures) and /status (the deployment's
operations) are refused (403).

Which plan a request means (``?province=<key>&fiscal_year=<B.E. year>``) is decided by
:func:`choose_plan`, shared with the dashboard, its exports and ``flask export``: no province =
the only province's (an error naming the provinces when several have plans); no fiscal year =
the province's current plan.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from flask import Blueprint, current_app, g, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.core.national import national_summary
from bot.core.plan import be_year
from bot.core.plans import ActivePlan, Catalog
from bot.core.progress import api_document
from models.queries import counters, failure_counts, load_board

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    try:
        with current_app.extensions["nongpat"].engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        return jsonify({"status": "unavailable", "error": exc.__class__.__name__}), 503
    return jsonify({"status": "ok"})


def refused(status: int):
    resp = jsonify({"error": "a valid Authorization: Bearer token is required"})
    resp.headers["WWW-Authenticate"] = 'Bearer realm="nongpat"'
    return resp, status


def not_yours():
    return jsonify({"error": "this token may not read this"}), 403


# endpoint → the action of bot.core.roles.ACCESS it is; a route missing here is refused
API_ACCESS = {
    "api.progress": "view",            # at the chosen plan's province
    "api.provinces": "view",           # lists the provinces the bearer may view
    "api.summary": "view_national",
    "api.status": "view_national",     # the deployment's operations: the department's
}


@bp.before_request
def guard():
    """Who is asking (bot.web.access.bearer_viewer) and whether they may: before any route.
    Sets g.api_viewer and, for /progress, g.api_province (the province key to answer; None:
    as the query leaves it, for the department)."""
    if request.endpoint == "api.healthz":
        return None
    from bot.core.roles import may
    from bot.web import access
    viewer, status = access.bearer_viewer()
    if viewer is None:
        return refused(status)
    g.api_viewer, g.api_province = viewer, None
    action = API_ACCESS.get(request.endpoint)
    if action is None:
        return not_yours()
    if action == "view_national":
        return None if may(viewer.person, action) else not_yours()
    if request.endpoint != "api.progress" or viewer.department:
        return None
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
    visible = access.provinces_of(viewer.person, catalog)
    given = (request.args.get("province") or "").strip()
    key = catalog.province_of(given) if given else \
        (catalog.only_province or (visible[0] if len(visible) == 1 else None))
    if key is None or key not in visible:
        return not_yours()
    g.api_province = key
    return None


@bp.get("/api/v1/status")
def status():
    """What operators watch: events that failed (waiting for a replay) and events kept in this
    node's spool, each with the age of the oldest; and this process's events by outcome."""
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


# --------------------------------------------------------------------------- which plan
class ChoiceError(LookupError):
    """A province or fiscal year that names no loaded plan (or none named where one must be).
    ``status``: 400 (missing or malformed) or 404 (no such plan); ``choices``: what exists."""

    def __init__(self, status: int, error: str, thai: str, **choices):
        super().__init__(error)
        self.status, self.error, self.thai, self.choices = status, error, thai, choices

    def as_json(self) -> dict:
        return {"error": self.error, **self.choices}


@dataclass(frozen=True)
class Choice:
    """The plan a request chose, and what the page needs to offer the other choices."""
    catalog: Catalog
    province_key: str
    active: ActivePlan
    current_id: int            # the province's current plan today
    explicit_province: bool
    explicit_year: bool

    @property
    def plan(self):
        return self.active.plan

    @property
    def several_provinces(self) -> bool:
        return self.catalog.only_province is None

    @property
    def current_year(self) -> int:
        """The fiscal year of the province's current plan today."""
        return self.catalog.get(self.current_id).plan.fiscal_year

    @property
    def is_current(self) -> bool:
        return self.active.id == self.current_id

    @property
    def years(self) -> list[int]:
        """The province's fiscal years, oldest first."""
        return [r.fiscal_year for r in self.catalog.plans_of(self.province_key)]

    def query(self) -> dict:
        """The query parameters that keep this choice on every link: ``province`` when several
        provinces have plans (or one was named), ``fiscal_year`` when the province has several
        years (or one was named). One plan loaded: none (the URLs of a one-plan deployment)."""
        q: dict = {}
        if self.explicit_province or self.several_provinces:
            q["province"] = self.province_key
        if self.explicit_year or len(self.years) > 1:
            q["fiscal_year"] = self.plan.fiscal_year
        return q


def fiscal_year_arg(catalog: Catalog, given: str | int | None) -> int | None:
    """A B.E. fiscal year (a year below 2400 is taken as C.E.: 2022 → 2565); None when not
    given; ChoiceError 400 when it is not a year."""
    if given is None or not str(given).strip():
        return None
    try:
        year = int(str(given).strip())
    except ValueError:
        raise ChoiceError(400, f"fiscal_year must be a B.E. year such as 2565, not {given!r}",
                          f"ปีงบประมาณต้องเป็นปี พ.ศ. เช่น 2565 ครับ (ได้รับ \"{given}\")",
                          fiscal_years=catalog.years()) from None
    return be_year(year)


def national_year(catalog: Catalog, given: str | int | None) -> int | None:
    """The fiscal year of a national view (None: each province's current plan). Raises
    ChoiceError: 400 for a malformed year, 404 when no province has a plan of it."""
    year = fiscal_year_arg(catalog, given)
    if year is not None and year not in catalog.years():
        raise ChoiceError(404, f"no province has a plan for fiscal year {year}",
                          f"ยังไม่มีจังหวัดใดมีแผนปีงบประมาณ {year} ครับ "
                          f"(มี: {', '.join(map(str, catalog.years()))})",
                          fiscal_years=catalog.years())
    return year


def provinces_without(catalog: Catalog, year: int | None) -> list[str]:
    """The provinces (keys) with no plan of ``year``; none when each province's current plan
    is meant."""
    return [] if year is None else [k for k in catalog.province_keys()
                                    if catalog.find(k, year) is None]


def choose_plan(catalog: Catalog, today: dt.date, province: str | None = None,
                fiscal_year: str | int | None = None) -> Choice:
    """The plan named by ``province`` (key or Thai name) and ``fiscal_year`` (B.E.), with the
    defaults of the module's docstring. Raises ChoiceError naming what exists."""
    province = (province or "").strip() or None
    if province is None:
        key = catalog.only_province
        if key is None:
            names = ", ".join(catalog.province_name(k) for k in catalog.province_keys())
            raise ChoiceError(
                400, "several provinces have plans: choose one with ?province=<key>",
                f"มีแผนของหลายจังหวัด กรุณาเลือกจังหวัดครับ ({names})",
                provinces=catalog.province_keys())
    else:
        key = catalog.province_of(province)
        if key is None:
            raise ChoiceError(404, f"no plan for province {province!r}",
                              f"ไม่มีแผนของจังหวัด \"{province}\" ครับ",
                              provinces=catalog.province_keys())
    current = catalog.current(key, today)
    year = fiscal_year_arg(catalog, fiscal_year)
    if year is None:
        active = current
    else:
        active = catalog.find(key, year)
        if active is None:
            years = [r.fiscal_year for r in catalog.plans_of(key)]
            raise ChoiceError(
                404, f"province {key!r} has no plan for fiscal year {year}",
                f"จังหวัด{catalog.province_name(key)}ไม่มีแผนปีงบประมาณ {year} ครับ "
                f"(มี: {', '.join(map(str, years))})", province=key, fiscal_years=years)
    return Choice(catalog, key, active, current.id, province is not None, year is not None)


def _today(services) -> dt.date:
    return services.bot.clock().date()


def _json(doc: dict, status: int = 200):
    """UTF-8 JSON with Thai as is (not \\u escapes)."""
    return current_app.response_class(json.dumps(doc, ensure_ascii=False), status=status,
                                      mimetype="application/json")


@bp.get("/api/v1/progress")
def progress():
    """One plan's progress: ?province=<key>&fiscal_year=<year> (defaults: see choose_plan)."""
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        try:
            choice = choose_plan(services.bot.plans.get(s), _today(services),
                                 g.get("api_province") or request.args.get("province"),
                                 request.args.get("fiscal_year"))
        except ChoiceError as exc:
            return _json(exc.as_json(), exc.status)
        counts = counters(s, choice.active.id)
        doc = api_document(choice.plan, counts, load_board(
            s, choice.active.id, choice.plan, services.bot.clock(), counts))
    return _json(doc)


@bp.get("/api/v1/provinces")
def provinces():
    """Every province with a plan (that the bearer may read): its name, its plans and its
    current fiscal year."""
    from bot.web.access import provinces_of
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
    today = _today(services)
    keys = provinces_of(g.api_viewer.person, catalog)
    out = []
    for key in keys:
        current = catalog.current_row(key, today)
        out.append({
            "key": key, "name": catalog.province_name(key),
            "current_fiscal_year": current.fiscal_year,
            "plans": [{"key": r.key, "fiscal_year": r.fiscal_year, "pinned": r.pinned,
                       "current": r.id == current.id} for r in catalog.plans_of(key)]})
    years = sorted({r.fiscal_year for k in keys for r in catalog.plans_of(k)})
    return _json({"provinces": out, "fiscal_years": years})


def _pct(p: float | None) -> float | None:
    return None if p is None else round(p, 1)


@bp.get("/api/v1/summary")
def summary():
    """Per indicator, the national target and done and every province's, best percent first:
    ?fiscal_year=<year> (default: each province's current plan). Reads the counters only."""
    services = current_app.extensions["nongpat"]
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            year = national_year(catalog, request.args.get("fiscal_year"))
        except ChoiceError as exc:
            return _json(exc.as_json(), exc.status)
        figures = national_summary(s, catalog, _today(services), year)
    without = provinces_without(catalog, year)
    return _json({
        "fiscal_year": year,
        "indicators": [{
            "key": i.key, "name": i.name, "unit": i.unit, "target": i.target, "done": i.done,
            "percent": _pct(i.percent),
            "provinces": [{"key": f.province_key, "name": f.province_name,
                           "fiscal_year": f.fiscal_year, "target": f.target, "done": f.done,
                           "percent": _pct(f.percent)} for f in i.provinces]}
            for i in figures],
        "provinces_without_plan": without})
