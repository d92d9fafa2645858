"""The meeting brief: GET /dashboard/brief (HTML), /dashboard/brief.pdf and `flask brief`, on the
realistic mid-April state (tests/scenario.py). The PDF is made once per module (SQLite) and read
back with pypdf: one A4 page whose text holds every district and the province totals; a PNG of
it (pdftoppm) is left at test-artifacts/brief.png for a human to look at.

Reading Thai back from a PDF: WeasyPrint writes one Unicode string per glyph, the string of the
glyph's first use. HarfBuzz draws SARA AM (ำ) as NIKHAHIT + SARA AA, so the NIKHAHIT glyph reads
back as nothing and ดำเนินสะดวก as ดาเนินสะดวก (the page itself is drawn right: see the PNG).
Text is compared on ``skeleton()``: NFKC (ำ → ํ + า), NIKHAHIT dropped, whitespace dropped.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot import create_app, thai
from bot.core.status import pace_text
from bot.timeutil import BANGKOK, fixed_clock
from models import Entry, LineUser
from models.queries import load_board, undo_entry
from tests.conftest import NOW
from tests.dashboard.conftest import AUTH, log_in, plan_files, wire
from tests.helpers import DASHBOARD_TOKEN, SECRET, TOKEN
from tests.scenario import seed_mid_april

pypdf = pytest.importorskip("pypdf", reason="pypdf is not installed (make install)")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PLAN = "ratchaburi-2565"
FILENAME = "brief-ratchaburi-2565-2022-04-19.pdf"
DISTRICTS = ["เมืองราชบุรี", "บ้านโป่ง", "โพธาราม", "ดำเนินสะดวก", "บางแพ", "ปากท่อ", "จอมบึง",
             "วัดเพลง", "สวนผึ้ง", "บ้านคา"]
A4 = (595.3, 841.9)  # points


def skeleton(text: str) -> str:
    """A form of Thai text that survives the PDF's round trip (see the module's docstring)."""
    text = unicodedata.normalize("NFKC", text).replace("\u0e4d", "")
    return re.sub(r"\s+", "", text)


def pdf_text(body: bytes) -> tuple[int, str, tuple[float, float]]:
    reader = pypdf.PdfReader(BytesIO(body))
    box = reader.pages[0].mediabox
    return (len(reader.pages), "\n".join(p.extract_text() for p in reader.pages),
            (float(box.width), float(box.height)))


def needs_pdf_engine() -> None:
    """Skip where WeasyPrint cannot load Pango (bash .ci/install-browser installs it): the PDF
    route then answers 503, tested below; the HTML brief works without it."""
    from bot.web.dashboard import brief
    try:
        brief._weasyprint()
    except brief.PdfUnavailable as exc:
        pytest.skip(f"no PDF engine here ({exc}); bash .ci/install-browser installs Pango")


def part(page: str, start: str, end: str = "</table>") -> str:
    """The page from ``start`` to the next ``end``."""
    at = page.index(start)
    return page[at:page.index(end, at)]


def board_of(app):
    services = app.extensions["nongpat"]
    with services.read_sessions() as s:
        catalog = services.bot.plans.get(s)
        active = catalog.current(catalog.only_province, NOW.date())
        return load_board(s, active.id, active.plan, NOW)


# --------------------------------------------------------------------------- one app per module
@pytest.fixture(scope="module")
def scene(tmp_path_factory, fake_line):
    """The scenario on SQLite, shared by the module's PDF and CLI tests."""
    tmp = tmp_path_factory.mktemp("brief")
    app = wire(create_app({
        "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp / 'brief.sqlite3'}",
        "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
        "LINE_API_BASE_URL": fake_line.url, "LINE_API_DATA_BASE_URL": fake_line.data_url,
        "DASHBOARD_TOKEN": DASHBOARD_TOKEN, "CLOCK": fixed_clock(NOW),
        "SPOOL_DIR": str(tmp / "spool")}))
    if "brief" not in app.cli.commands:
        from bot.web.brief_cli import brief_command
        app.cli.add_command(brief_command)
    seed_mid_april(app)
    yield app
    services = app.extensions["nongpat"]
    services.drainer.stop()
    services.line.drain()
    services.bot.flush_sent()
    services.engine.dispose()


@pytest.fixture(scope="module")
def pdf(scene):
    """The brief's PDF response, made once; its PNG goes to test-artifacts/brief.png."""
    needs_pdf_engine()
    resp = scene.test_client().get("/dashboard/brief.pdf", headers=AUTH)
    assert resp.status_code == 200, resp.text[:500]
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "brief.pdf").write_bytes(resp.data)
    return resp


def test_pdf_is_one_a4_page_with_every_district_and_the_province_totals(scene, pdf):
    assert pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"] == f'attachment; filename="{FILENAME}"'
    assert pdf.headers["Cache-Control"] == "no-store"
    pages, text, size = pdf_text(pdf.data)
    assert pages == 1
    assert size == pytest.approx(A4, abs=1)
    flat = skeleton(text)
    for name in DISTRICTS:
        assert skeleton(name) in flat, name
    board = board_of(scene)
    for st in board.province.values():           # every indicator's province total
        assert skeleton(f"{thai.number(st.done)}/{thai.number(st.target)}") in flat
    assert "120,547/167,839" in flat              # จปฐ.: the scenario's 71.8 %
    assert "71.8%" in flat
    assert skeleton("รวมจังหวัดราชบุรี") in flat
    assert skeleton("ข้อมูล ณ 19 เม.ย. 2565 10:00 น.") in flat
    # set in the vendored Sarabun, embedded
    fonts = {str(f.get_object()["/BaseFont"]) for f in
             pypdf.PdfReader(BytesIO(pdf.data)).pages[0]["/Resources"]["/Font"].values()}
    assert any("Sarabun" in f for f in fonts), fonts


def test_pdf_as_png_for_a_human(pdf, tmp_path):
    """test-artifacts/brief.png: look at it — vowels and tone marks on their consonants."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("no pdftoppm (bash .ci/install-browser installs poppler-utils)")
    src = tmp_path / "brief.pdf"
    src.write_bytes(pdf.data)
    subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", str(src),
                    str(ARTIFACTS / "brief")], check=True, timeout=60)
    png = ARTIFACTS / "brief.png"
    assert png.stat().st_size > 50_000
    from PIL import Image
    with Image.open(png) as im:
        width, height = im.size
    assert height / width == pytest.approx(A4[1] / A4[0], abs=0.01)   # portrait A4


def test_cli_writes_the_same_brief(scene, pdf, tmp_path):
    out = tmp_path / "brief.pdf"
    runner = scene.test_cli_runner()
    result = runner.invoke(args=["brief", "--date", "2565-04-19", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "19 เมษายน 2565" in result.output and str(out) in result.output
    pages, text, _ = pdf_text(out.read_bytes())
    assert pages == 1
    assert text == pdf_text(pdf.data)[1]           # the same page as the web's
    # C.E. dates too, and --html: the same page as HTML with its stylesheet as a file
    html = tmp_path / "brief.html"
    result = runner.invoke(args=["brief", "--date", "2022-04-19", "--html", "--out", str(html),
                                 "--province", "ratchaburi", "--fiscal-year", "2565"])
    assert result.exit_code == 0, result.output
    page = html.read_text(encoding="utf-8")
    assert all(name in page for name in DISTRICTS)
    assert 'href="file://' in page and "brief.css" in page
    assert 'class="toolbar"' not in page


def test_cli_refuses_with_the_reason(scene, tmp_path):
    runner = scene.test_cli_runner()
    for args, words in ((["--date", "2565-05-01"], "ยังมาไม่ถึง"),
                        (["--date", "19/4/65"], "ไม่ถูกต้อง"),
                        (["--fiscal-year", "2570"], "--fiscal-year ที่มี: 2565"),
                        (["--province", "เชียงใหม่"], "--province ที่มี: ratchaburi")):
        result = runner.invoke(args=["brief", *args, "--out", str(tmp_path / "x.pdf")])
        assert result.exit_code == 1 and words in result.output, (args, result.output)
    assert not (tmp_path / "x.pdf").exists()


def test_a_heavy_province_still_fits_one_page(database_url, make_dash_app, tmp_path):
    """Every indicator with district targets (10 districts × 3 cells, most behind or silent)
    and 17 officers quiet: the lists are cut ("และอีก …") and the page stays one."""
    if database_url.startswith("postgresql"):
        pytest.skip("the PDF is laid out the same on either database: SQLite only")
    needs_pdf_engine()
    from bot.config import DEFAULT_PLAN
    text = DEFAULT_PLAN.read_text(encoding="utf-8")
    keys = [m for m in re.findall(r"- \{key: ([\w-]+), +name:", text.split("indicators:")[0])]

    def targets(total: int) -> str:
        base, extra = divmod(total, len(keys))
        return "district_targets:\n" + "\n".join(
            f"      {k}: {base + (n < extra)}" for n, k in enumerate(keys))
    head, tpmap = text.split("  - key: tpmap", 1)
    tpmap, savings = tpmap.split("  - key: savings", 1)
    plan = tmp_path / "heavy.yaml"
    tpmap = tpmap.replace("district_targets: {}", targets(4038), 1)
    savings = savings.replace("district_targets: {}", targets(41), 1)
    plan.write_text(f"{head}  - key: tpmap{tpmap}  - key: savings{savings}", encoding="utf-8")
    app = make_dash_app(PLAN_FILE=str(plan))
    seed_mid_april(app)
    resp = app.test_client().get("/dashboard/brief.pdf", headers=AUTH)
    assert resp.status_code == 200
    pages, text, _ = pdf_text(resp.data)
    assert pages == 1
    flat = skeleton(text)
    assert all(skeleton(name) in flat for name in DISTRICTS)
    assert skeleton("และอีก") in flat and skeleton("รายการ") in flat
    assert skeleton("และอีก 9 คน") in flat


# --------------------------------------------------------------------------- the HTML (both DBs)
def test_html_brief_holds_the_meeting(app, client):
    seed_mid_april(app)
    resp = client.get("/dashboard/brief", headers=AUTH)
    assert resp.status_code == 200
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'none'")
    page = resp.text
    assert "<script" not in page and " style=" not in page      # the CSP allows neither inline
    board = board_of(app)
    # the headline per indicator and the province totals
    for ind, st in board.province.items():
        assert f'id="headline-{ind}"' in page
        assert thai.number(st.done) in page and thai.number(st.target) in page
    assert "120,547" in page and "167,839" in page and "71.8%" in page
    # the status grid: every district, worst first
    grid = part(page, 'id="brief-grid"')
    positions = [grid.index(f'<th scope="row">{name}</th>') for name in DISTRICTS]
    assert positions.index(min(positions)) == DISTRICTS.index("จอมบึง")
    assert "รวมจังหวัดราชบุรี" in grid
    # the districts behind with what each needs per working day
    behind = part(page, 'id="brief-behind"')
    for key, name in (("chom-bueng", "จอมบึง"), ("suan-phueng", "สวนผึ้ง")):
        st = board.cell("jpt", key)
        assert st.status == "behind"
        assert name in behind
        assert pace_text(st.needed_per_working_day, st.unit) in behind
    assert "ต้องได้วันละ 929 ครัวเรือน" in behind                # จอมบึง: 8,359 over 9 working days
    assert "บ้านคา" in behind and "ไม่มีความเคลื่อนไหว" in behind  # quiet, though ahead
    assert "วัดเพลง" not in behind                               # done
    # the next milestones, B.E. dates
    ms = page[page.index('id="brief-milestones"'):]
    assert ms.index("23 เม.ย. 2565") < ms.index("30 เม.ย. 2565") < ms.index("1 พ.ค. 2565")
    assert "บันทึกข้อมูล จปฐ. ให้แล้วเสร็จ" in ms and "อีก 12 วัน" in ms
    # who has not reported: the longest quiet first, capped, the rest counted
    quiet = part(page, 'id="brief-quiet"', "</ol>")
    assert quiet.count("<li>") == 8
    assert "ยังไม่เคยบันทึก" in quiet
    assert "และอีก 9 คน" in page and "<strong>17</strong> จาก 41 คน" in page
    # dates: B.E., the meeting's day and the moment measured
    assert "การประชุมวันที่ 19 เมษายน 2565" in page
    assert "19 เม.ย. 2565 10:00 น." in page
    # links on the screen: the PDF of the same brief
    assert 'href="/dashboard/brief.pdf?date=2565-04-19"' in page


def test_a_past_meeting_is_measured_as_that_day_ended(app, client):
    seed_mid_april(app)
    services = app.extensions["nongpat"]
    end_of_12 = dt.datetime(2022, 4, 12, 23, 59, tzinfo=BANGKOK)
    with services.sessions() as s, s.begin():
        # an entry of 11 Apr undone today still counts on the 12th; an officer registered
        # today is not yet among the officers then
        entry = s.scalars(select(Entry).where(
            Entry.indicator_key == "jpt", Entry.district_key == "ban-pong",
            Entry.created_at >= dt.datetime(2022, 4, 11, tzinfo=dt.timezone.utc),
            Entry.created_at < dt.datetime(2022, 4, 12, tzinfo=dt.timezone.utc))).first()
        amount = entry.amount
        assert undo_entry(s, entry, "test-undo", NOW)
        s.add(LineUser(user_id="Unewcomer", display_name="ผู้มาใหม่ ล่าสุด",
                       registered_province="ratchaburi", registered_district="ban-kha",
                       registered_at=NOW))
        jpt_then = s.scalar(select(func.sum(Entry.amount)).where(
            Entry.indicator_key == "jpt",
            Entry.created_at <= end_of_12.astimezone(dt.timezone.utc)))
    for date in ("2565-04-12", "2022-04-12"):
        page = client.get(f"/dashboard/brief?date={date}", headers=AUTH).text
        assert "การประชุมวันที่ 12 เมษายน 2565" in page
        assert "ข้อมูล ณ<br><strong id=\"brief-asof\">12 เม.ย. 2565 23:59 น.</strong>" in page
        head = part(page, 'id="headline-jpt"', "</article>")
        assert f'<span class="done">{thai.number(jpt_then)}</span>' in head
        assert "จาก 41 คน" in page and "ผู้มาใหม่" not in page
        assert 'href="/dashboard/brief.pdf?date=2565-04-12"' in page
    today = client.get("/dashboard/brief", headers=AUTH).text
    assert f'<span class="done">{thai.number(120_547 - amount)}</span>' in today
    assert "จาก 42 คน" in today


def test_a_closed_fiscal_year_is_measured_at_its_end(make_dash_app):
    app = make_dash_app(CLOCK=fixed_clock(dt.datetime(2022, 11, 15, 9, 0, tzinfo=BANGKOK)))
    seed_mid_april(app)
    page = app.test_client().get("/dashboard/brief", headers=AUTH).text
    assert "ปีงบประมาณนี้สิ้นสุดแล้ว" in page
    assert "30 ก.ย. 2565 23:59 น." in page
    assert "การประชุมวันที่ 15 พฤศจิกายน 2565" in page
    assert "120,547" in page
    assert "เลยกำหนดมา" in page            # จปฐ. (1 พ.ค.) and the savings groups (1 ส.ค.) unmet


def test_bad_dates_and_unknown_plans_are_refused_with_the_reason(client):
    for query, status, words in (("?date=2565-04-20", 400, "ยังมาไม่ถึง"),
                                 ("?date=tomorrow", 400, "ไม่ถูกต้อง"),
                                 ("?fiscal_year=2570", 404, "ไม่มีแผนปีงบประมาณ 2570"),
                                 ("?fiscal_year=abc", 400, "ปีงบประมาณต้องเป็นปี พ.ศ.")):
        for path in ("/dashboard/brief", "/dashboard/brief.pdf"):
            resp = client.get(path + query, headers=AUTH)
            assert resp.status_code == status and words in resp.text, (path, query, resp.text)


def test_several_provinces_choose_one_as_the_dashboard_does(make_dash_app, tmp_path):
    several = make_dash_app(PLAN_FILE=plan_files(tmp_path, ratchaburi_2566=False)).test_client()
    resp = several.get("/dashboard/brief", headers=AUTH)
    assert resp.status_code == 400 and "กรุณาเลือกจังหวัด" in resp.text
    resp = several.get("/dashboard/brief?province=kanchanaburi", headers=AUTH)
    assert resp.status_code == 200 and "จังหวัดกาญจนบุรี" in resp.text
    assert "ท่าม่วง" in resp.text and "บ้านโป่ง" in resp.text
    assert 'href="/dashboard/brief.pdf?province=kanchanaburi&amp;date=2565-04-19"' in resp.text


def test_without_a_pdf_engine_the_html_still_serves(client, monkeypatch):
    from bot.web.dashboard import brief

    def missing():
        raise brief.PdfUnavailable("cannot load library 'libpango-1.0-0'")
    monkeypatch.setattr(brief, "_weasyprint", missing)
    resp = client.get("/dashboard/brief.pdf", headers=AUTH)
    assert resp.status_code == 503 and "WeasyPrint" in resp.text
    assert client.get("/dashboard/brief", headers=AUTH).status_code == 200


# --------------------------------------------------------------------------- access
@pytest.mark.parametrize("path", ["/dashboard/brief", "/dashboard/brief.pdf"])
def test_the_brief_needs_the_dashboard_login(database_url, make_dash_app, path):
    client = make_dash_app().test_client()
    resp = client.get(path)                                   # a browser without a session
    assert resp.status_code == 302 and "/dashboard/login?next=" in resp.headers["Location"]
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.post(path).status_code in (401, 405)
    log_in(client)
    if path.endswith(".pdf") and database_url.startswith("postgresql"):
        path = "/dashboard/brief"        # PDFs are drawn on SQLite only (the same layout)
    assert client.get(path).status_code == 200
    closed = make_dash_app(DASHBOARD_TOKEN=None).test_client()
    assert closed.get(path, headers=AUTH).status_code == 403
