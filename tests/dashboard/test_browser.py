"""The dashboard in a real browser (Debian's chromium driven by Playwright): log in, read the
figures, download both exports, filter the audit trail, survive a hostile display name; on the
mid-April scenario (tests/scenario.py) the status grid leads at 390×844 and at 1440×900 (the
most-behind district on the first screen, no sideways scrolling, tap targets of 44 px, the
audit trail collapsed, a sticky section bar, no column of "-"); and leave phone and desktop
screenshots under test-artifacts/ for a human to look at. SQLite only: a browser adds nothing
on PostgreSQL that tests/dashboard/test_status_grid.py does not check there."""
from __future__ import annotations

import csv
import io

import pytest

from tests.browser import ARTIFACTS, chromium, playwright, serving, sqlite_only  # noqa: F401

sync_api = playwright()

from openpyxl import load_workbook  # noqa: E402

from tests.dashboard.conftest import AUTH  # noqa: E402
from tests.helpers import DASHBOARD_TOKEN  # noqa: E402

HOSTILE = "<img src=x onerror=alert(1)>"
GROUPS = {"อำเภอบ้านโป่ง": ("Cbp0000000000000000000000000000001", 8120),
          "อำเภอเมืองราชบุรี": ("Cmr0000000000000000000000000000002", 12400),
          "อำเภอโพธาราม": ("Cph0000000000000000000000000000003", 5310),
          "อำเภอบ้านคา": ("Cbk0000000000000000000000000000004", 4100)}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def server(app):
    with serving(app) as url:
        yield url


@pytest.fixture
def seeded(chat, fake_line):
    fake_line.names["Uhostile000000000000000000000001"] = HOSTILE
    fake_line.names["Usomsri0000000000000000000000001"] = "สมศรี ใจดี"
    for district, (group, amount) in GROUPS.items():
        chat.bind(group, district)
        chat.say(f"บันทึก จปฐ {amount} ครัวเรือน", group=group,
                 user="Usomsri0000000000000000000000001")
    bp_group = GROUPS["อำเภอบ้านโป่ง"][0]
    chat.say("บันทึก จปฐ 7 ครัวเรือน", group=bp_group, user="Uhostile000000000000000000000001")
    chat.say("บันทึก TPMAP 12 ครัวเรือน มิติรายได้", group=bp_group)
    chat.say("บันทึก ออมทรัพย์ 2 กลุ่ม สัมมาชีพ", group=GROUPS["อำเภอโพธาราม"][0])
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", group=GROUPS["อำเภอบ้านคา"][0], user="Uundo")
    chat.say("ยกเลิก", group=GROUPS["อำเภอบ้านคา"][0], user="Uundo")


def _watch(page):
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    return problems


def _cells(page, indicator, district):
    row = page.locator(f"#ind-{indicator} tr[data-district='{district}']")
    return {k: row.locator(f"td.{k}").inner_text().strip()
            for k in ("done", "target", "percent", "remaining")}


def test_dashboard_in_a_browser(browser, server, app, seeded, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    api = app.test_client().get("/api/v1/progress", headers=AUTH).get_json()
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                              locale="th-TH", timezone_id="Asia/Bangkok")
    page = ctx.new_page()
    problems = _watch(page)

    # not logged in: the login page, and the token travels only in a POST body
    page.goto(f"{server}/dashboard")
    assert "/dashboard/login" in page.url
    page.fill("#token", "wrong-token")
    page.click("#login-button")
    assert page.locator("#login-error").is_visible()
    problems.clear()            # the browser logs the wrong token's 401 as a console error
    page.fill("#token", DASHBOARD_TOKEN)
    page.click("#login-button")
    page.wait_for_url(f"{server}/dashboard")
    assert DASHBOARD_TOKEN not in page.url
    cookie = next(c for c in ctx.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["secure"]

    # all 10 districts under every indicator; one district's numbers = /api/v1/progress
    for ind in api["indicators"]:
        rows = page.locator(f"#ind-{ind['key']} tbody tr[data-district]")
        assert rows.count() == 10
        names = [n.strip() for n in page.locator(f"#ind-{ind['key']} table.districts tbody th.name").all_inner_texts()]
        assert names == [d["name"] for d in ind["districts"]]
    jpt = next(i for i in api["indicators"] if i["key"] == "jpt")
    bp = next(d for d in jpt["districts"] if d["key"] == "ban-pong")
    got = _cells(page, "jpt", "ban-pong")
    assert got["done"] == f"{bp['done']:,}" == "8,127"
    assert got["target"] == f"{bp['target']:,}" == "34,227"
    assert got["remaining"] == f"{bp['target'] - bp['done']:,}"
    assert got["percent"] == f"{100 * bp['done'] / bp['target']:.1f}%"
    total = page.locator("#ind-jpt .province-total .done").inner_text()
    assert total == f"{jpt['done']:,}"

    # charts drawn by Chart.js under the CSP; B.E. dates; the pace forecast
    page.wait_for_selector("canvas[data-drawn='1']")
    assert page.locator("canvas[data-drawn='1']").count() == 3
    assert "1 พ.ค. 2565" in page.locator("#ind-jpt").inner_text()
    assert "ต้องได้วันละ" in page.locator("#ind-jpt .forecast").inner_text()
    assert page.locator("#timeline li[data-state='next']").count() >= 1

    # the hostile display name is text, nothing ran
    who = page.locator("#entries td.who").all_inner_texts()
    assert HOSTILE in [w.strip() for w in who]
    assert page.locator("#entries img").count() == 0
    assert page.locator("#entries .undone-mark").count() == 1
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('Sarabun, Loma')

    # exports, downloaded by the browser and read back
    with page.expect_download() as dl:
        page.click("#export-xlsx")
    xlsx = tmp_path / dl.value.suggested_filename
    dl.value.save_as(xlsx)
    assert xlsx.name.endswith(".xlsx")
    wb = load_workbook(xlsx)
    rows = {r[0]: r[1:] for r in wb["จปฐ."].iter_rows(values_only=True) if r and r[0]}
    assert rows["บ้านโป่ง"][:2] == (34227, 8127)
    with page.expect_download() as dl:
        page.click("#export-csv")
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    data = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    row = next(r for r in data if r["รหัสตัวชี้วัด"] == "jpt" and r["รหัส"] == "ban-pong")
    assert (row["ผลงาน"], row["เป้าหมาย"]) == ("8127", "34227")

    page.screenshot(path=str(ARTIFACTS / "dashboard-flow-desktop.png"), full_page=True)

    # the phone: no sideways scrolling, screenshot
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("canvas[data-drawn='1']")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(ARTIFACTS / "dashboard-flow-phone.png"), full_page=True)

    # filter the audit trail (auto-submits on change)
    page.select_option("#filter-district", "ban-kha")
    page.wait_for_url("**district=ban-kha**")
    districts = {d.strip() for d in page.locator("#entries td.district").all_inner_texts()}
    assert districts == {"บ้านคา"}
    page.select_option("#filter-indicator", "savings")
    page.wait_for_url("**indicator=savings**")
    assert page.locator("#entries tbody tr").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone-entries.png"), full_page=False)

    # log out
    page.click("#logout")
    page.wait_for_url("**/dashboard/login")
    page.goto(f"{server}/dashboard")
    assert "/dashboard/login" in page.url
    assert not problems, problems
    ctx.close()


# --------------------------------------------------------------------------- several plans
@pytest.fixture
def several(make_dash_app, fake_line, tmp_path):
    from tests.dashboard.conftest import plan_files, seed_plans
    from tests.helpers import Chat
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path))
    seed_plans(app, Chat(app, fake_line))
    with serving(app) as url:
        yield url


def test_choosing_province_and_year_in_a_browser(browser, several, tmp_path):
    """National page → a province → another province → another year (the choosers submit on
    change), and the export of what is shown."""
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True,
                              locale="th-TH", timezone_id="Asia/Bangkok")
    page = ctx.new_page()
    problems = _watch(page)
    page.goto(f"{several}/dashboard")
    page.fill("#token", DASHBOARD_TOKEN)
    page.click("#login-button")
    page.wait_for_url(f"{several}/dashboard/national")      # several provinces: the department
    ranked = page.locator("#ind-jpt tbody tr[data-province]")
    assert [ranked.nth(i).get_attribute("data-province") for i in range(ranked.count())] == \
        ["kanchanaburi", "ratchaburi"]
    assert page.locator("#ind-jpt tfoot td.done").inner_text().strip() == "2,035"
    page.screenshot(path=str(ARTIFACTS / "dashboard-national.png"), full_page=True)

    page.click("#ind-jpt tr[data-province='kanchanaburi'] a")
    page.wait_for_url("**province=kanchanaburi**")
    assert "จังหวัดกาญจนบุรี" in page.locator("h1").inner_text()
    assert _cells(page, "jpt", "ban-pong")["done"] == "500"

    page.select_option("#choose-province-select", "ratchaburi")
    page.wait_for_url("**/dashboard?province=ratchaburi")
    assert _cells(page, "jpt", "ban-pong")["done"] == "1,200"
    page.select_option("#choose-year-select", "2566")
    page.wait_for_url("**fiscal_year=2566**")
    assert page.locator("#not-current").is_visible()
    page.screenshot(path=str(ARTIFACTS / "dashboard-choosers.png"))
    assert [t.strip() for t in page.locator("#entries td.text q").all_inner_texts()] == \
        ["บันทึก จปฐ 77 ครัวเรือน"]
    page.select_option("#filter-district", "ban-pong")               # keeps the year
    page.wait_for_url("**district=ban-pong**")
    assert "fiscal_year=2566" in page.url and "province=ratchaburi" in page.url
    assert page.locator("#entries tbody tr").count() == 1

    with page.expect_download() as dl:
        page.click("#export-csv")
    assert dl.value.suggested_filename == "nongpat-ratchaburi-2566-progress-25650419.csv"
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))
    row = next(r for r in rows if r["รหัสตัวชี้วัด"] == "jpt" and r["รหัส"] == "ban-pong")
    assert row["ผลงาน"] == "77"

    page.set_viewport_size({"width": 390, "height": 844})
    for url in (page.url, f"{several}/dashboard/national"):
        page.goto(url)             # the same URL but for its #entries: no reload, only a resize
        try:                       # Chart.js redraws its canvases a frame or two after a resize
            page.wait_for_function(
                "document.documentElement.scrollWidth <= window.innerWidth + 1", timeout=3000)
        except sync_api.TimeoutError:
            pass
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{url} scrolls sideways by {overflow}px on a phone"
    page.screenshot(path=str(ARTIFACTS / "dashboard-national-phone.png"), full_page=True)
    assert not problems, problems
    ctx.close()


# --------------------------------------------------------------------------- the status first
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}
# what a phone must not have: elements past the right edge, links and buttons under 44 px, and
# table columns whose every cell is "-" (each list names the offenders)
AUDIT = """() => {
  const W = document.documentElement.clientWidth, out = {wide: [], small: [], dashes: []};
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
      (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
      ' "' + (e.textContent || '').trim().slice(0, 30) + '"';
  for (const e of document.body.querySelectorAll('*')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;           // not rendered (a closed <details>)
    if (r.right > W + 0.5) out.wide.push(name(e) + ' right=' + Math.round(r.right));
  }
  for (const e of document.querySelectorAll('a[href], button, summary, input[type=submit]')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.height < 44) out.small.push(name(e) + ' ' + Math.round(r.height) + 'px');
  }
  for (const t of document.querySelectorAll('table')) {
    const rows = Array.from(t.querySelectorAll('tbody tr'));
    if (!rows.length || t.getBoundingClientRect().height === 0) continue;
    const n = Math.max(...rows.map((r) => r.cells.length));
    for (let j = 0; j < n; j++) {
      const texts = rows.map((r) => r.cells[j] ? r.cells[j].textContent.trim() : '');
      if (texts.every((x) => x === '-')) out.dashes.push(name(t) + ' column ' + j);
    }
  }
  return out;
}"""


@pytest.fixture
def mid_april(app):
    """The seeded mid-April scene (tests/scenario.py) behind a real HTTP server."""
    from tests.scenario import seed_mid_april
    seed_mid_april(app)
    with serving(app) as url:
        yield url


def _inside(box, viewport) -> bool:
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]


def test_status_grid_leads_on_a_phone_and_a_desktop(browser, mid_april):
    """A provincial chief opens the dashboard on 19 Apr 2565: จอมบึง (31 %, nothing logged for
    8 days) is the grid's first row, on the phone's first screen and with the whole grid on the
    desktop's; the phone page has no sideways scrolling, no tap target under 44 px, no column of
    "-", a section bar that stays on top, and the audit trail's latest 20 rows with ดูเพิ่ม."""
    ARTIFACTS.mkdir(exist_ok=True)
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True,
                              locale="th-TH", timezone_id="Asia/Bangkok")
    page = ctx.new_page()
    problems = _watch(page)
    page.goto(f"{mid_april}/dashboard/login")
    page.fill("#token", DASHBOARD_TOKEN)
    page.click("#login-button")
    page.wait_for_url(f"{mid_april}/dashboard")
    page.wait_for_selector("canvas[data-drawn='1']")

    # the first screen: the grid, its first row the most-behind district, wholly visible
    first = page.locator("#status tbody tr").first
    assert first.get_attribute("data-district") == "chom-bueng"
    assert _inside(first.bounding_box(), PHONE), first.bounding_box()
    jpt = first.locator("td[data-indicator='jpt']")
    text = jpt.inner_text()
    for words in ("ล่าช้า", "3,756 / 7,921 ที่ควรได้", "ต้องได้วันละ 929 ครัวเรือน",
                  "อีก 12 วันถึงกำหนดส่ง", "ไม่มีการบันทึกมา 11 วัน"):
        assert words in text, (words, text)
    # the colour comes from the status's class (bot.core.status.COLORS), beside the words
    assert jpt.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(229, 57, 53)"
    assert jpt.locator(".pill").evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"

    audit = page.evaluate(AUDIT)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not audit["wide"], audit["wide"]
    assert not audit["small"], audit["small"]
    assert not audit["dashes"], audit["dashes"]
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone.png"))
    page.screenshot(path=str(ARTIFACTS / "dashboard-phone-full.png"), full_page=True)
    screens = page.evaluate("document.documentElement.scrollHeight") / PHONE["height"]
    assert screens < 16.5, f"the phone page is {screens:.1f} screens long (21 before the grid)"

    # the section bar stays on top and takes the reader to a section
    page.click(".sections a[href='#entries']")
    page.wait_for_function("document.getElementById('entries').getBoundingClientRect().top < 120")
    bar = page.locator(".sections").bounding_box()
    assert bar["y"] == 0 and page.evaluate("window.scrollY") > 3 * PHONE["height"]

    # the audit trail: the latest 20 rows, the rest of the page behind ดูเพิ่ม (no script)
    assert page.locator("#entries > table.entries tbody tr").count() == 20
    more = page.locator("#more-entries")
    assert more.get_attribute("open") is None
    hidden = more.locator("tbody tr")
    assert hidden.count() == 30 and not hidden.first.is_visible()
    more.locator("summary").click()
    assert hidden.first.is_visible()
    assert "ดูเพิ่ม" in more.locator("summary").inner_text()
    audit = page.evaluate(AUDIT)                       # opened: still fits, still tappable
    assert not audit["wide"] and not audit["small"], audit

    # the desktop: the whole grid, province line included, on the first screen
    page.close()
    ctx.close()
    ctx = browser.new_context(viewport=DESKTOP, locale="th-TH", timezone_id="Asia/Bangkok",
                              extra_http_headers=AUTH)
    page = ctx.new_page()
    problems += _watch(page)
    page.goto(f"{mid_april}/dashboard")
    page.wait_for_selector("canvas[data-drawn='1']")
    rows = page.locator("#status tbody tr")
    assert rows.count() == 10
    for i in range(rows.count()):
        assert _inside(rows.nth(i).bounding_box(), DESKTOP), (i, rows.nth(i).bounding_box())
    assert _inside(page.locator("#status tfoot tr").bounding_box(), DESKTOP)
    audit = page.evaluate(AUDIT)
    assert not audit["wide"] and not audit["dashes"], audit
    page.screenshot(path=str(ARTIFACTS / "dashboard-desktop.png"))
    page.screenshot(path=str(ARTIFACTS / "dashboard-desktop-full.png"), full_page=True)
    assert not problems, problems
    ctx.close()
