"""Routes of the dashboard blueprint; access control sits in front of all of them (``guard``).

The guard answers, for every request, who is asking (bot/web/access.py: a LINE Login session,
the token form's session, or a bearer) and whether they may do what the route does at the
place it names — the action of bot.core.roles.ACCESS (:data:`ACTIONS`) at ``?province=`` and
``?district=`` — before any view runs. The views read the place the guard settled
(``g.province``, ``g.district_only``), never the query string's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from urllib.parse import urlsplit

from flask import (Response, abort, current_app, g, redirect, render_template, request,
                   url_for)

from bot import thai
from bot.core.national import national_summary
from bot.core.plans import Catalog, as_of
from bot.core.roles import audit, ensure_user, may, people_of, person_of, PROVINCE_ADMIN
from bot.web import access
from bot.web.access import DASHBOARD_TOKEN_ACTOR, EVERYTHING, Viewer
from bot.web.api import (Choice, ChoiceError, choose_plan, national_year,
                         provinces_without)
from bot.web.dashboard import auth, bp, data
from bot.web.export import build_report, render
from models import Group, LineUser
from models.queries import counters, load_board, officers_activity

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "frame-ancestors 'none'")
PUBLIC = {"dashboard.static"}
OPEN_WITHOUT_LOGIN = {"dashboard.login", "dashboard.login_line", "dashboard.login_line_callback"}
SIGNED_IN = {"dashboard.logout"}           # anyone logged in, whatever their role
# every other route of the blueprint: the action of bot.core.roles.ACCESS it is (a route
# missing here is refused to everybody: a new page must say what it shows)
ACTIONS = {
    "dashboard.index": "view",
    "dashboard.national": "view_national",
    "dashboard.export_xlsx": "export",
    "dashboard.export_csv": "export",
    "dashboard.brief": "brief",
    "dashboard.brief_pdf": "brief",
}


def services():
    return current_app.extensions["nongpat"]


def safe_next(target: str | None) -> str:
    """Only a path inside the dashboard: never an open redirect."""
    default = url_for("dashboard.index")
    if not target or not isinstance(target, str):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard") \
            or target.startswith("//") or "\\" in target \
            or parts.path.startswith("/dashboard/login"):
        return default
    return target


_safe_next = safe_next


def _unauthorised(status: int):
    resp = Response("ต้องเข้าสู่ระบบ หรือส่ง Authorization: Bearer token ที่ถูกต้อง\n"
                    "a valid Authorization: Bearer token is required\n", status=status,
                    mimetype="text/plain")
    resp.headers["WWW-Authenticate"] = 'Bearer realm="nongpat-dashboard"'
    return resp


def forbidden():
    """403: the place or the page is not the viewer's (the same page whatever the reason, so
    it tells nothing of what exists elsewhere)."""
    return render_template("dashboard/forbidden.html", csrf=_csrf()), 403


@bp.before_request
def guard():
    if request.endpoint in PUBLIC:
        return None
    if not auth.configured():
        return render_template("dashboard/not_configured.html"), 403
    if request.endpoint in OPEN_WITHOUT_LOGIN:
        return None
    viewer = _identify()
    if not isinstance(viewer, Viewer):
        return viewer
    g.viewer = viewer
    g.dashboard_via = viewer.via
    if request.endpoint in SIGNED_IN:
        return None
    if not viewer.person.has_role:
        return no_role(viewer)
    action = ACTIONS.get(request.endpoint)
    if action is None:
        return forbidden()
    return _place(viewer, action)


def _identify():
    """The Viewer of this request, or the answer to give instead (401/403, or the login)."""
    if auth.has_bearer():
        viewer, status = access.bearer_viewer()
        return viewer if viewer is not None else _unauthorised(status)
    if auth.session_ok():
        return Viewer(EVERYTHING, DASHBOARD_TOKEN_ACTOR, "session", "dashboard_token")
    user = auth.session_user()
    if user is not None:
        with services().read_sessions() as s:
            person = person_of(s, user, current_app.config.get("ADMIN_LINE_USER_IDS") or ())
        return Viewer(person, user, "session", "line")
    if request.method != "GET":
        return _unauthorised(401)
    return redirect(url_for("dashboard.login", next=request.full_path.rstrip("?")))


def _again(**changes):
    """This URL again with some query parameters changed (302)."""
    args = {**request.args.to_dict(), **changes}
    return redirect(url_for(request.endpoint, **args))


def _place(viewer: Viewer, action: str):
    """May the viewer do ``action`` where the request points? Sets g.province (the province
    key the view must show; None: a department admin named none) and g.district_only (a
    district head's district: the page shows that district alone)."""
    person = viewer.person
    g.province, g.district_only = None, None
    if action == "view_national":
        return None if may(person, action) else forbidden()
    svc = services()
    with svc.read_sessions() as s:
        catalog = svc.bot.plans.get(s)
    visible = access.provinces_of(person, catalog)
    given = (request.args.get("province") or "").strip()
    if given:
        key = catalog.province_of(given)
        if key is None:
            if person.is_department_admin:
                g.province = given          # the view says it does not exist, and what does
                return None
            return forbidden()
    else:
        key = catalog.only_province
        if key is None:                     # several provinces, none named
            if person.is_department_admin:
                return None                 # the view: the national page or the choices
            theirs = [k for k in visible if may(person, action, k)
                      or (action == "view" and access.districts_of(person, k))]
            return _again(province=theirs[0]) if theirs else forbidden()
    if key not in visible:
        return forbidden()
    # the key when the request named one; else None: choose_plan takes the only province,
    # the one checked here, and the URLs stay those of a one-province deployment
    g.province = key if given else None
    if may(person, action, key):
        return None
    if action == "view":
        current = catalog.current(key, svc.bot.clock().date())
        mine = access.districts_of(person, key, current.plan if current else None)
        district = request.args.get("district")
        if mine and not district:
            return _again(district=mine[0])
        if district in mine:
            g.district_only = district
            return None
    return forbidden()


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
    return {"num": thai.number, "pct": _pct, "signed_in_as": _signed_in_as}


def _signed_in_as() -> str | None:
    """'คุณสมชาย ใจดี · ผู้ดูแลจังหวัดราชบุรี' for the page's header (sessions only)."""
    viewer = g.get("viewer")
    if viewer is None or viewer.via != "session":
        return None
    if viewer.kind == "dashboard_token":
        return "เข้าสู่ระบบด้วยรหัสเข้าใช้แดชบอร์ด"
    svc = services()
    with svc.read_sessions() as s:
        user = s.get(LineUser, viewer.actor)
        catalog = svc.bot.plans.get(s)
    name = data.person_name((user.display_name if user else None) or auth.session_name(),
                            viewer.actor)
    roles = access.role_words(viewer.person, catalog)
    return " · ".join([f"คุณ{name}", *roles]) if roles else f"คุณ{name}"


# --------------------------------------------------------------------------- the audit trail
def now_utc() -> dt.datetime:
    return access.now_utc()


def record(actor: str, action: str, subject: str | None, province_key: str | None,
           district_key: str | None, detail: dict | None) -> None:
    """One row of the audit trail, in its own short write transaction."""
    from bot.db import write_lock
    svc = services()
    with write_lock(svc.engine), svc.sessions() as s, s.begin():
        audit(s, actor, action, subject, province_key, district_key, detail, now_utc())


def record_use(action: str, subject: str, province_key: str, detail: dict) -> None:
    """An export or a brief of the viewer of this request."""
    viewer: Viewer = g.viewer
    record(viewer.actor, action, subject, province_key, None,
           {**detail, "via": viewer.via})


def logged_in(user: str, via: str, nxt: str, name: str | None = None):
    """After a LINE Login: the audit rows (one per province the person holds a role in), the
    display name LINE gave (for someone the bot knows with no name yet), and the way on."""
    from bot.db import write_lock
    svc = services()
    admins = current_app.config.get("ADMIN_LINE_USER_IDS") or ()
    at = now_utc()
    detail = {"via": via, **({"name": name[:100]} if name else {}),
              "client": auth.client_address()}
    with write_lock(svc.engine), svc.sessions() as s, s.begin():
        person = person_of(s, user, admins)
        if not person.has_role:
            audit(s, user, "login_failed", None, None, None, {**detail, "reason": "no_role"},
                  at)
        else:
            if name:
                ensure_user(s, user, name)
            places = [(p, None) for p in sorted(person.province_admin_of)] + \
                [(p, d) for p, d in sorted(person.district_head_of)
                 if p not in person.province_admin_of]
            if person.is_department_admin or not places:
                places = [(None, None)]
            for p, d in places:
                audit(s, user, "login", None, p, d, detail, at)
    return redirect(nxt)


# --------------------------------------------------------------------------- login / logout
def login_page(error: str | None = None, status: int = 200):
    nxt = safe_next(request.values.get("next") or session_next())
    line = auth.line_configured()
    return render_template("dashboard/login.html", csrf=auth.csrf_token(), next=nxt,
                           error=error, line=line, form=auth.form_enabled()), status


def session_next() -> str | None:
    from flask import session
    return session.get(auth.NEXT_KEY)


@bp.route("/login", methods=["GET", "POST"])
def login():
    nxt = safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.session_ok() or auth.session_user():
            return redirect(nxt)
        return login_page()
    if not auth.form_enabled():  # LINE Login is the way in
        return login_page("แดชบอร์ดนี้เข้าสู่ระบบด้วยบัญชี LINE ครับ", 403)
    client = auth.client_address()
    if not auth.attempt_allowed():
        current_app.logger.warning("dashboard: login attempt over the limit from %s", client)
        resp, status = login_page("ลองเข้าสู่ระบบหลายครั้งเกินไป กรุณารอสักครู่แล้วลองใหม่ครับ", 429)
        return resp, status, {"Retry-After": "60"}
    if not auth.csrf_ok(request.form.get("csrf_token")):
        current_app.logger.warning("dashboard: login form expired (CSRF) from %s", client)
        record("form:?", "login_failed", None, None, None,
               {"via": "token", "reason": "csrf", "client": client})
        return login_page("แบบฟอร์มหมดอายุ กรุณาลองอีกครั้งครับ", 400)
    if not auth.token_matches(request.form.get("token", "")):
        current_app.logger.warning("dashboard: failed login from %s", client)
        record("form:?", "login_failed", None, None, None,
               {"via": "token", "reason": "wrong_token", "client": client})
        return login_page("รหัสเข้าใช้ไม่ถูกต้องครับ", 401)
    auth.log_in()
    record(DASHBOARD_TOKEN_ACTOR, "login", None, None, None, {"via": "token", "client": client})
    return redirect(nxt, code=303)


@bp.post("/logout")
def logout():
    if g.get("dashboard_via") == "session" and not auth.csrf_ok(request.form.get("csrf_token")):
        abort(400)
    viewer: Viewer | None = g.get("viewer")
    if viewer is not None and viewer.via == "session":
        record(viewer.actor, "logout", None, None, None, {"via": viewer.kind})
    auth.log_out()
    return redirect(url_for("dashboard.login"), code=303)


# --------------------------------------------------------------------------- no role
def no_role(viewer: Viewer):
    """A LINE user with no role (an officer, a stranger, a role revoked): whom to ask, and
    nothing else."""
    svc = services()
    with svc.read_sessions() as s:
        user = s.get(LineUser, viewer.actor) if viewer.kind == "line" else None
        catalog = svc.bot.plans.get(s)
        province = None
        if user is not None:
            province = user.registered_province
            if province is None and user.last_group_id:
                group = s.get(Group, user.last_group_id)
                province = group.province_key if group else None
        admins = [data.person_name(h.display_name, h.user_id)
                  for h in people_of(s, province) if h.role == PROVINCE_ADMIN] \
            if province else []
    return render_template(
        "dashboard/no_role.html", csrf=_csrf(),
        name=data.person_name((user.display_name if user else None) or auth.session_name(),
                              viewer.actor or "?"),
        user_id=viewer.actor, officer=user is not None and province is not None,
        province_name=(catalog.province_name(province) or province) if province else None,
        admins=admins), 403


# --------------------------------------------------------------------------- pages
def _choose(catalog: Catalog) -> Choice:
    """The plan of the place the guard settled and ?fiscal_year= (bot.web.api.choose_plan);
    ChoiceError if none."""
    return choose_plan(catalog, current_app.extensions["nongpat"].bot.clock().date(),
                       g.get("province"), request.args.get("fiscal_year"))


def _viewer() -> Viewer:
    return g.viewer


def _visible(catalog: Catalog) -> list[tuple[str, str]]:
    """(key, name) of the provinces the viewer may choose."""
    return [(k, catalog.province_name(k)) for k in access.provinces_of(_viewer().person, catalog)]


def refuse(message: str, status: int, catalog: Catalog, province: str | None = None):
    """A page that says what was not found and links to what exists — of what the viewer
    may see."""
    visible = _visible(catalog)
    if province not in dict(visible):
        province = None
    return render_template("dashboard/choose.html", message=message, catalog=catalog,
                           province=province, provinces=visible,
                           national=may(_viewer().person, "view_national"),
                           years=catalog.plans_of(province) if province else []), status


def _refuse(exc: ChoiceError, catalog: Catalog):
    message = exc.thai
    if "provinces" in exc.choices and not _viewer().department:
        message = "ไม่มีแผนของจังหวัดนี้ครับ"   # the names of every province are not theirs
    return refuse(message, exc.status, catalog, exc.choices.get("province"))


@bp.get("", strict_slashes=False)
def index():
    services = current_app.extensions["nongpat"]
    now = current_app.config["CLOCK"]()
    viewer = _viewer()
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
        if g.get("district_only"):
            return _district_page(s, catalog, choice, now, totals, g.district_only)
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
        looked = data.who_looked(s, plan.province_key, catalog,
                                 national=viewer.department) \
            if may(viewer.person, "audit", plan.province_key) else None
    charts = {v.key: v.burnup for v in views}
    return render_template(
        "dashboard/index.html", plan=plan, now=now, as_of=thai.date_time(now),
        today=thai.long_date(now.date()), grid=grid, people=people, indicators=views,
        charts=charts, timeline=timeline, entries=rows[:data.ENTRY_SHOWN],
        more_entries=rows[data.ENTRY_SHOWN:], older=older, filter_district=district,
        filter_indicator=indicator, paged=before is not None, choice=choice, sel=choice.query(),
        provinces=_visible(catalog), national=may(viewer.person, "view_national"),
        looked=looked, exports=may(viewer.person, "export", plan.province_key),
        briefs=may(viewer.person, "brief", plan.province_key), csrf=_csrf())


DISTRICT_NO_TARGET = "แผนไม่มีเป้าของอำเภอ: แสดงผลงานของอำเภอ"


def _district_page(s, catalog: Catalog, choice: Choice, now: dt.datetime, totals,
                   district: str):
    """A district head's dashboard: their district's row of the status grid, its figures per
    indicator, its milestones, who of its officers has not reported, and its entries — no
    other district's figures or names, and not the province's totals."""
    plan, active = choice.plan, choice.active
    indicator = request.args.get("indicator") or None
    indicator = indicator if plan.indicator(indicator) else None
    before = request.args.get("before", type=int)
    board = load_board(s, active.id, plan, now, totals)
    grid = data.status_grid(board)
    row = next(r for r in grid.rows if r.key == district)
    officers = [o for o in officers_activity(s, active.id, plan.province_key)
                if o.district_key == district]
    # the plan's officer count is the province's: not said of one district
    people = replace(data.people(plan, officers, board.today, now.tzinfo, [district]),
                     officers=None)
    rows, older = data.entries(s, plan, active.id, district=district, indicator=indicator,
                               before=before)
    timeline = data.timeline(plan, totals, now.date(), district=district)
    mine = access.districts_of(_viewer().person, plan.province_key, plan)
    return render_template(
        "dashboard/district.html", plan=plan, district=plan.district(district), row=row,
        columns=grid.columns, people=people, timeline=timeline,
        legend=[(st, label, DISTRICT_NO_TARGET if st == "no-target" else meaning)
                for st, label, meaning in grid.legend],
        entries=rows[:data.ENTRY_SHOWN], more_entries=rows[data.ENTRY_SHOWN:], older=older,
        filter_indicator=indicator, paged=before is not None, choice=choice,
        sel={**choice.query(), "district": district}, as_of=thai.date_time(now),
        districts=[(k, plan.district(k).name) for k in mine],
        provinces=_visible(catalog), csrf=_csrf())


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
        looked = data.who_looked(s, None, catalog, national=True)
    without = [catalog.province_name(k) for k in provinces_without(catalog, year)]
    return render_template(
        "dashboard/national.html", figures=figures, fiscal_year=year, years=catalog.years(),
        without=without, provinces=len(catalog.province_keys()), as_of=thai.date_time(now),
        looked=looked, csrf=_csrf())


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
    record_use("export", choice.plan.key, choice.province_key,
               {"format": fmt, "plan": choice.plan.key,
                "fiscal_year": choice.plan.fiscal_year})
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{report.filename(fmt)}"'
    return resp


@bp.get("/export.xlsx")
def export_xlsx():
    return _export("xlsx")


@bp.get("/export.csv")
def export_csv():
    return _export("csv")
