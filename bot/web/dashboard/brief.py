"""The meeting brief: one A4 page per province and fiscal year for the provincial office's
monthly meeting — the headline per indicator, the status grid, the districts behind with what
each needs per working day, the next milestones, and who has not reported.

``GET /dashboard/brief`` (print-ready HTML), ``GET /dashboard/brief.pdf`` and ``flask brief``
(bot/web/brief_cli.py) show the same page. Query: ``province``, ``fiscal_year`` (the plan, as on
the dashboard: bot.web.api.choose_plan) and ``date`` (B.E. or C.E.; default today): the day of
the meeting. A past day is measured from the entries as they stood at the end of that day; a
closed fiscal year at its end (bot.core.plans.as_of).

The PDF is drawn by WeasyPrint (a library call: no browser process) in the vendored Sarabun
font (static/fonts/), so the page is the same on every machine. Every URL the page refers to is
read from the blueprint's static folder; nothing else is fetched.
"""
from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from flask import Response, current_app, render_template, request, url_for
from sqlalchemy.orm import Session

from bot import thai
from bot.core.plan import Milestone, Plan, parse_date
from bot.core.plans import Catalog, as_of
from bot.core.status import (BEHIND, LABELS, NO_TARGET, SILENT, Board, Quiet, Status, board,
                             pace_text, quiet_officers, without_group)
from bot.web.api import Choice, ChoiceError, choose_plan
from bot.web.dashboard import bp
from models.queries import (Officer, entries_as_of, load_board, officers_activity,
                            officers_activity_as_of)

# What one page holds; the rest is counted ("และอีก n คน").
MAX_BEHIND = 8
MAX_MILESTONES = 5
MAX_QUIET = 8
COMPACT_DISTRICTS = 12       # more districts than this: a tighter grid
DENSE_DISTRICTS = 18         # and tighter still

PDF_TYPE = "application/pdf"


class BriefError(ValueError):
    """A date that cannot be a meeting's (not a date, or a day still to come)."""

    def __init__(self, thai_message: str):
        super().__init__(thai_message)
        self.thai = thai_message


# --------------------------------------------------------------------------- the page's data
@dataclass(frozen=True)
class Headline:
    key: str
    name: str
    full_name: str
    unit: str
    status: Status              # the province's
    deadline: str | None        # 'กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)'
    bar: int                    # percent of target, 0–100, for the bar
    line: int | None            # where the straight line stands, 0–100
    counts: dict[str, int]      # districts per status
    has_district_targets: bool


@dataclass(frozen=True)
class BehindRow:
    district: str
    indicator: str
    status: Status


@dataclass(frozen=True)
class MilestoneRow:
    milestone: Milestone
    indicator: str
    when: str                   # '23 เม.ย. 2565 – 29 เม.ย. 2565'
    left: str                   # 'อีก 4 วัน' / 'กำลังดำเนินการ' / 'เลยกำหนดมา 3 วัน'
    state: str                  # current | next | upcoming | overdue


@dataclass(frozen=True)
class Brief:
    plan: Plan
    choice: Choice
    at: dt.datetime             # the moment measured (aware, the plan's time zone)
    meeting_day: dt.date        # the day asked for
    closed: bool                # the fiscal year had ended by the meeting day
    board: Board
    headlines: list[Headline]
    rows: list[tuple[str, list[Status]]]     # (district name, one status per indicator)
    behind: list[BehindRow]
    behind_more: int
    milestones: list[MilestoneRow]
    milestones_more: int
    quiet: list[Quiet]
    quiet_total: int
    officers_total: int
    without_group: int
    district_names: dict[str, str]

    @property
    def today(self) -> dt.date:
        return self.board.today

    @property
    def quiet_more(self) -> int:
        return self.quiet_total - len(self.quiet)

    @property
    def as_of_text(self) -> str:
        return thai.date_time(self.at)

    @property
    def density(self) -> str:
        n = len(self.plan.districts)
        return "dense" if n > DENSE_DISTRICTS else "compact" if n > COMPACT_DISTRICTS else ""

    @property
    def filename(self) -> str:
        """brief-ratchaburi-2565-2022-04-19.pdf (the plan's key and the meeting's C.E. date)."""
        return f"brief-{self.plan.key}-{self.meeting_day.isoformat()}.pdf"

    def query(self) -> dict:
        """The query that shows this brief again (the plan's choice and the date)."""
        return {**self.choice.query(), "date": f"{self.meeting_day.year + 543}"
                f"-{self.meeting_day:%m-%d}"}


def meeting_day(given: str | None, today: dt.date) -> dt.date:
    """The day of ``?date=`` / ``--date`` (B.E. or C.E.), default today; BriefError for a
    malformed date or one still to come."""
    if given is None or not str(given).strip():
        return today
    try:
        day = parse_date(given)
    except ValueError:
        raise BriefError(f"วันที่ \"{given}\" ไม่ถูกต้อง กรุณาใช้รูปแบบ ปี-เดือน-วัน "
                         f"เช่น {today.year + 543}-{today:%m-%d}") from None
    if day > today:
        raise BriefError(f"วันที่ {thai.long_date(day)} ยังมาไม่ถึง: สรุปได้ถึงวันนี้ "
                         f"({thai.long_date(today)}) เท่านั้น")
    return day


def build(session: Session, catalog: Catalog, now: dt.datetime, province: str | None = None,
          fiscal_year: str | int | None = None, date: str | None = None) -> Brief:
    """The brief of the plan chosen as the dashboard chooses it, on the meeting day ``date``
    (default: today). Raises ChoiceError (no such plan) or BriefError (a bad date)."""
    day = meeting_day(date, now.date())
    choice = choose_plan(catalog, day, province, fiscal_year)
    plan, plan_id = choice.plan, choice.active.id
    tz = ZoneInfo(plan.timezone)
    if day == now.date():
        moment = now.astimezone(tz)
    else:  # a past meeting: the figures as they stood when that day ended
        moment = dt.datetime.combine(day, dt.time(23, 59), tzinfo=tz)
    at = as_of(plan.fiscal_year, moment)
    closed = at < moment
    if at >= now - dt.timedelta(seconds=1):
        the_board = load_board(session, plan_id, plan, at)
        officers = officers_activity(session, plan_id, plan.province_key)
    else:
        counts, last = entries_as_of(session, plan_id, at)
        the_board = board(plan, counts, last, at.date(), at.tzinfo)
        officers = officers_activity_as_of(session, plan_id, plan.province_key, at)
    return _assemble(plan, choice, at, day, closed, the_board, officers)


def _assemble(plan: Plan, choice: Choice, at: dt.datetime, day: dt.date, closed: bool,
              b: Board, officers: list[Officer]) -> Brief:
    today = b.today
    names = {d.key: d.name for d in plan.districts}
    headlines = []
    for ind in plan.indicators:
        st = b.province[ind.key]
        bar = min(int(st.percent or 0), 100)
        line = (None if not st.target or st.expected is None
                else min(round(100 * st.expected / st.target), 100))
        headlines.append(Headline(
            ind.key, ind.name, ind.full_name, st.unit, st, _deadline(st),
            bar, line, b.counts(ind.key), bool(ind.district_targets)))
    rows = [(names.get(key, key), statuses) for key, statuses in b.rows()]
    pressing = sorted((s for ind in plan.indicators for s in b.districts[ind.key]
                       if s.status in (BEHIND, SILENT)), key=Status.sort_key)
    ind_names = {i.key: i.name for i in plan.indicators}
    behind = [BehindRow(names.get(s.district, s.district), ind_names[s.indicator], s)
              for s in pressing]
    milestones = _milestones(plan, b, today)
    quiet = quiet_officers(plan, officers, today, at.tzinfo)
    return Brief(plan, choice, at, day, closed, b, headlines, rows, behind[:MAX_BEHIND],
                 max(len(behind) - MAX_BEHIND, 0), milestones[:MAX_MILESTONES],
                 max(len(milestones) - MAX_MILESTONES, 0), quiet[:MAX_QUIET], len(quiet),
                 len(officers), len(without_group(plan, officers)), names)


def _deadline(st: Status) -> str | None:
    """'กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)': the deadline the pace is measured against (the
    steps before it are in the milestones)."""
    if st.deadline is None:
        return None
    return f"กำหนดส่ง {thai.date(st.deadline)} ({thai.days_left(st.deadline, st.today)})"


def _milestones(plan: Plan, b: Board, today: dt.date) -> list[MilestoneRow]:
    """What a meeting plans around: deadlines the count measures that passed unmet, periods
    under way, then what comes next, soonest first (a period by the day it opens)."""
    names = {i.key: i.name for i in plan.indicators}
    overdue, current, ahead = [], [], []
    for m in plan.milestones:
        ind = names.get(m.indicator, m.indicator)
        when = thai.date_span(m.start, m.end)
        if m.date < today:
            st = b.province.get(m.indicator)
            if m.kind == "deadline" and m.progress and st is not None \
                    and st.target is not None and st.done < st.target:
                overdue.append(MilestoneRow(m, ind, when, thai.days_left(m.date, today),
                                            "overdue"))
        elif m.kind == "event" and m.start <= today:
            current.append(MilestoneRow(m, ind, when,
                                        f"กำลังดำเนินการ (ถึง {thai.date(m.end)})", "current"))
        elif m.kind == "event":
            ahead.append(MilestoneRow(m, ind, when, f"เริ่ม{thai.days_left(m.start, today)}",
                                      "upcoming"))
        else:
            ahead.append(MilestoneRow(m, ind, when, thai.days_left(m.date, today), "upcoming"))
    overdue.sort(key=lambda r: r.milestone.date)
    current.sort(key=lambda r: r.milestone.end)
    ahead.sort(key=lambda r: (r.milestone.start if r.milestone.kind == "event"
                              else r.milestone.date, r.milestone.key))
    if ahead:
        ahead[0] = MilestoneRow(*[getattr(ahead[0], f) for f in
                                  ("milestone", "indicator", "when", "left")], "next")
    return overdue + current + ahead


# --------------------------------------------------------------------------- HTML and PDF
DENSITIES = ("", "compact", "dense")


def render_html(brief: Brief, *, pdf: bool = False, toolbar: bool | None = None,
                density: str | None = None, stylesheet: str | None = None) -> str:
    """The page (needs a request context: url_for). ``pdf``: laid out for WeasyPrint (no
    toolbar, no sheet on a grey desk); ``toolbar``: the screen's links and date form (default:
    not in a PDF); ``density``: '', 'compact' or 'dense' (default: by the number of districts);
    ``stylesheet``: the stylesheet's URL (default: the dashboard's static brief.css)."""
    return render_template("dashboard/brief.html", b=brief, pdf=pdf,
                           toolbar=(not pdf) if toolbar is None else toolbar,
                           density=brief.density if density is None else density,
                           stylesheet=stylesheet, num=thai.number, long_date=thai.long_date,
                           date=thai.date, pace_text=pace_text, NO_TARGET=NO_TARGET,
                           LABELS=LABELS)


def stylesheet_file() -> str:
    """brief.css as a file: URL (its fonts beside it), for an HTML file written to disk."""
    return (Path(bp.static_folder).resolve() / "brief.css").as_uri()


_PDF_LOCK = threading.Lock()   # Pango's font map is shared by the process's threads
_PDF_BASE = "https://brief.invalid/"
_FONTS = None                  # WeasyPrint's FontConfiguration, made on the first PDF


# WeasyPrint logs seven INFO lines a page, and a warning for the stylesheet's screen-only @media
# rule (it reads media types only; skipping that rule is what print wants): errors only
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfUnavailable(RuntimeError):
    """WeasyPrint (or the Pango library under it) is not installed."""


def _weasyprint():
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
        from weasyprint.urls import URLFetcher, URLFetcherResponse
    except (ImportError, OSError) as exc:  # OSError: the Pango library is missing
        raise PdfUnavailable(str(exc)) from exc
    return weasyprint.HTML, FontConfiguration, URLFetcher, URLFetcherResponse


def _render(html: str, static_prefix: str):
    """A laid-out WeasyPrint document of ``html``. ``static_prefix``: the URL path of the
    blueprint's static folder (url_for('dashboard.static', filename='')); only files under
    it are read."""
    HTML, FontConfiguration, URLFetcher, URLFetcherResponse = _weasyprint()
    static = Path(bp.static_folder).resolve()
    prefix = _PDF_BASE.rstrip("/") + static_prefix

    class StaticOnly(URLFetcher):
        """Serves the blueprint's static files from disk; refuses every other URL (no
        network, no file outside the static folder, whatever the page holds)."""

        def fetch(self, url, headers=None):
            if url.startswith(prefix):
                path = (static / unquote(url[len(prefix):].split("?")[0])).resolve()
                if path.is_relative_to(static) and path.is_file():
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"the brief reads only its own static files, not {url}")

    global _FONTS
    if _FONTS is None:  # one per process: the vendored fonts are registered once
        _FONTS = FontConfiguration()
    return HTML(string=html, base_url=_PDF_BASE, url_fetcher=StaticOnly()).render(
        font_config=_FONTS)


def _trimmed(brief: Brief) -> Brief:
    """The last resort for one page: half the rows of each list (the rest counted)."""
    behind = brief.behind[:MAX_BEHIND // 2]
    milestones = brief.milestones[:max(MAX_MILESTONES // 2, 1)]
    return replace(brief, behind=behind,
                   behind_more=brief.behind_more + len(brief.behind) - len(behind),
                   milestones=milestones,
                   milestones_more=brief.milestones_more + len(brief.milestones)
                   - len(milestones),
                   quiet=brief.quiet[:MAX_QUIET // 2])


def pdf_of(brief: Brief) -> bytes:
    """The brief as a one-page A4 PDF (needs a request context). Laid out at the brief's
    density, then tighter, then with shorter lists, until it fits one page."""
    prefix = static_prefix()
    start = DENSITIES.index(brief.density)
    attempts = [(brief, d) for d in DENSITIES[start:]] + [(_trimmed(brief), DENSITIES[-1])]
    with _PDF_LOCK:
        for n, (b, density) in enumerate(attempts):
            doc = _render(render_html(b, pdf=True, density=density), prefix)
            if len(doc.pages) == 1:
                break
        else:
            current_app.logger.warning("brief: %s does not fit one page (%d pages)",
                                       brief.filename, len(doc.pages))
        return doc.write_pdf()


def static_prefix() -> str:
    return url_for("dashboard.static", filename="")


# --------------------------------------------------------------------------- routes
def _services():
    return current_app.extensions["nongpat"]


def _brief_or_refusal():
    """The brief of the place the guard settled (g.province), or the page saying why not."""
    from flask import g

    from bot.web.dashboard.views import _refuse, refuse
    services = _services()
    now = services.bot.clock()
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        try:
            return build(s, catalog, now, g.get("province"),
                         request.args.get("fiscal_year"), request.args.get("date")), None
        except ChoiceError as exc:
            return None, _refuse(exc, catalog)
        except BriefError as exc:
            return None, refuse(exc.thai, 400, catalog)


def _record(b: Brief, fmt: str) -> None:
    """Who took the brief, of which plan and meeting day (the audit trail)."""
    from bot.web.dashboard.views import record_use
    record_use("brief", b.plan.key, b.plan.province_key,
               {"format": fmt, "plan": b.plan.key, "fiscal_year": b.plan.fiscal_year,
                "date": b.meeting_day.isoformat()})


@bp.get("/brief")
def brief():
    """The meeting brief, print-ready (A4)."""
    b, refusal = _brief_or_refusal()
    if refusal is not None:
        return refusal
    page = render_html(b)
    _record(b, "html")
    return page


@bp.get("/brief.pdf")
def brief_pdf():
    """The meeting brief as a one-page A4 PDF."""
    b, refusal = _brief_or_refusal()
    if refusal is not None:
        return refusal
    started = time.perf_counter()
    try:
        body = pdf_of(b)
    except PdfUnavailable as exc:
        current_app.logger.error("brief: no PDF engine: %s", exc)
        return Response("สร้างไฟล์ PDF ไม่ได้: เครื่องนี้ยังไม่ได้ติดตั้ง WeasyPrint/Pango "
                        "(make install) ใช้หน้า /dashboard/brief "
                        "แล้วสั่งพิมพ์จากเบราว์เซอร์แทนได้\n"
                        "the PDF engine (WeasyPrint, Pango) is not installed\n",
                        status=503, mimetype="text/plain")
    current_app.logger.info("brief: %s rendered in %.0f ms (%d bytes)", b.filename,
                            1000 * (time.perf_counter() - started), len(body))
    _record(b, "pdf")
    resp = Response(body, mimetype=PDF_TYPE)
    resp.headers["Content-Disposition"] = f'attachment; filename="{b.filename}"'
    return resp
