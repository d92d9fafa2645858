"""Routes of the dashboard blueprint; access control sits in front of all of them."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (Response, abort, current_app, g, redirect, render_template, request,
                   url_for)

from bot import thai
from bot.core.national import national_summary
from bot.core.plans import Catalog, as_of
from bot.web.api import (Choice, ChoiceError, choose_plan, national_year,
                         provinces_without)
from bot.web.dashboard import auth, bp, data
from bot.web.export import build_report, render
from models.queries import counters, load_board, officers_activity

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
PUBLIC = {"dashboard.static"}
OPEN_WITHOUT_LOGIN = {"dashboard.login"}


def _safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect."""
    default = url_for("dashboard.index")
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard") \
            or target.startswith("//") or "\\" in target:
        return default
    return target


def _unauthorised(status: int):
    resp = Response("ต้องเข้าสู่ระบบ หรือส่ง Authorization: Bearer token ที่ถูกต้อง\n"
                    "a valid Authorization: Bearer token is required\n", status=status,
                    mimetype="text/plain")
    resp.headers["WWW-Authenticate"] = 'Bearer realm="nongpat-dashboard"'
    return resp


@bp.before_request
def guard():
    if request.endpoint in PUBLIC:
        return None
    if not auth.token():
        return render_template("dashboard/not_configured.html"), 403
    if request.endpoint in OPEN_WITHOUT_LOGIN:
        return None
    if auth.has_bearer():
        ok, status = auth.bearer_allowed()
        if not ok:
            return _unauthorised(status)
        g.dashboard_via = "bearer"
        return None
    if auth.session_ok():
        g.dashboard_via = "session"
        return None
    if request.method != "GET":
        return _unauthorised(401)
    return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))


@bp.after_request
def headers(resp: Response) -> Response:
    resp.headers["Content-Security-Policy"] = CSP
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    resp.headers["X-Frame-Options"] = "DENY"
    if request.endpoint not in PUBLIC:
        resp.headers["Cache-Control"] = "no-store"
        resp.vary.add("Cookie")
        resp.vary.add("Authorization")
    return resp


def _pct(p: float | None) -> str:
    return "-" if p is None else f"{p:.1f}%"


@bp.context_processor
def _helpers() -> dict:
    """Formatting helpers for the dashboard's own templates (not app-wide filters)."""
    return {"num": thai.number, "pct": _pct}


# --------------------------------------------------------------------------- login / logout
@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = _safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.session_ok():
            return redirect(nxt)
        return render_template("dashboard/login.html", csrf=auth.csrf_token(), next=nxt,
                               error=None)
    if not auth.csrf_ok(request.form.get("csrf_token")):
        return render_template("dashboard/login.html", csrf=auth.csrf_token(), next=nxt,
                               error="แบบฟอร์มหมดอายุ กรุณาลองอีกครั้ง"), 400
    if not auth.token_matches(request.form.get("token", "")):
        current_app.logger.warning("dashboard: failed login from %s", request.remote_addr)
        return render_template("dashboard/login.html", csrf=auth.csrf_token(), next=nxt,
                               error="รหัสเข้าใช้ไม่ถูกต้อง"), 401
    auth.log_in()
    return redirect(nxt, code=303)


@bp.post("/logout")
def logout():
    if g.get("dashboard_via") == "session" and not auth.csrf_ok(request.form.get("csrf_token")):
        abort(400)
    auth.log_out()
    return redirect(url_for("dashboard.login"), code=303)


# --------------------------------------------------------------------------- pages
def _choose(catalog: Catalog) -> Choice:
    """The plan of ?province=&fiscal_year= (bot.web.api.choose_plan); ChoiceError if none."""
    return choose_plan(catalog, current_app.extensions["nongpat"].bot.clock().date(),
                       request.args.get("province"), request.args.get("fiscal_year"))


def _refuse(exc: ChoiceError, catalog: Catalog):
    """A page that says what was not found and links to what exists."""
    province = exc.choices.get("province")
    return render_template("dashboard/choose.html", message=exc.thai, catalog=catalog,
                           province=province,
                           years=catalog.plans_of(province) if province else []), exc.status


@bp.get("", strict_slashes=False)
def index():
    services = current_app.extensions["nongpat"]
    now = current_app.config["CLOCK"]()
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            choice = _choose(catalog)
        except ChoiceError as exc:
            if not request.args.get("province") and exc.status == 400 \
                    and "provinces" in exc.choices:
                # several provinces and none chosen: the department's view of them all
                return redirect(url_for("dashboard.national",
                                        fiscal_year=request.args.get("fiscal_year") or None))
            return _refuse(exc, catalog)
        active = choice.active
        plan = active.plan
        if active.id != choice.current_id:  # a past year chosen: as it stood at its end
            now = as_of(plan.fiscal_year, now)
        totals = counters(s, active.id)
        district = request.args.get("district") or None
        indicator = request.args.get("indicator") or None
        district = district if plan.district(district) else None
        indicator = indicator if plan.indicator(indicator) else None
        before = request.args.get("before", type=int)
        board = load_board(s, active.id, plan, now, totals)
        grid = data.status_grid(board)
        people = data.people(plan, officers_activity(s, active.id, plan.province_key),
                             board.today, now.tzinfo, [r.key for r in grid.rows])
        views = data.indicator_views(s, plan, active.id, totals, now, board)
        rows, older = data.entries(s, plan, active.id, district=district, indicator=indicator,
                                   before=before)
        timeline = data.timeline(plan, totals, now.date())
    charts = {v.key: v.burnup for v in views}
    return render_template(
        "dashboard/index.html", plan=plan, now=now, as_of=thai.date_time(now),
        today=thai.long_date(now.date()), grid=grid, people=people, indicators=views,
        charts=charts, timeline=timeline, entries=rows[:data.ENTRY_SHOWN],
        more_entries=rows[data.ENTRY_SHOWN:], older=older, filter_district=district,
        filter_indicator=indicator, paged=before is not None, choice=choice, sel=choice.query(),
        provinces=[(k, catalog.province_name(k)) for k in catalog.province_keys()],
        csrf=_csrf())


def _csrf() -> str | None:
    return auth.csrf_token() if g.get("dashboard_via") == "session" else None


@bp.get("/national")
def national():
    """Every province's progress per indicator, ranked by percent of target: ?fiscal_year=
    (default: each province's current plan)."""
    services = current_app.extensions["nongpat"]
    now = current_app.config["CLOCK"]()
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            year = national_year(catalog, request.args.get("fiscal_year"))
        except ChoiceError as exc:
            return _refuse(exc, catalog)
        figures = national_summary(s, catalog, now.date(), year)
    without = [catalog.province_name(k) for k in provinces_without(catalog, year)]
    return render_template(
        "dashboard/national.html", figures=figures, fiscal_year=year, years=catalog.years(),
        without=without, provinces=len(catalog.province_keys()), as_of=thai.date_time(now),
        csrf=_csrf())


def _export(fmt: str):
    services = current_app.extensions["nongpat"]
    now = current_app.config["CLOCK"]()
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            choice = _choose(catalog)
        except ChoiceError as exc:
            return _refuse(exc, catalog)
        report = build_report(choice.plan, counters(s, choice.active.id), now)
    body, mimetype = render(report, fmt)
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return resp


@bp.get("/export.xlsx")
def export_xlsx():
    return _export("xlsx")


@bp.get("/export.csv")
def export_csv():
    return _export("csv")
