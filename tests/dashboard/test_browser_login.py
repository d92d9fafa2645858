"""เข้าสู่ระบบด้วย LINE in a real browser (Debian's chromium driven by Playwright), through the
fake LINE Login provider, as the five people of issue 15 on the mid-April scenario (with a
made-up Kanchanaburi beside it): the department admin lands on every province, the province
admin on Ratchaburi alone (exports, who looked; Kanchanaburi refused), the district head on
บ้านโป่ง alone (its row, its officers, its entries; no exports), an officer and a stranger on a
page saying whom to ask. Screenshots under test-artifacts/login-*.png. SQLite only: the
database adds nothing here that test_login_line.py and test_role_matrix_web.py do not check on
PostgreSQL."""
from __future__ import annotations


import pytest

from tests.browser import ARTIFACTS, chromium, playwright, serving, sqlite_only  # noqa: F401

sync_api = playwright()


from tests.dashboard.conftest import (NAMES, PROVINCE_ADMIN_R, HEAD_R_BANPONG,  # noqa: E402
                                      STRANGER, grant_roles, line_config, plan_files)
from tests.helpers import ADMIN  # noqa: E402
from tests.scenario import officer_id, seed_mid_april  # noqa: E402

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
OFFICER = officer_id("ban-pong", 1)          # registered in บ้านโป่ง by the scenario, no role
OTHER_DISTRICTS = ("โพธาราม", "ดำเนินสะดวก", "บางแพ", "ปากท่อ", "จอมบึง", "วัดเพลง", "สวนผึ้ง",
                   "บ้านคา", "เมืองราชบุรี")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def server(make_dash_app, fake_line, tmp_path):
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path, ratchaburi_2566=False),
                        **line_config(fake_line))
    seed_mid_april(app)
    grant_roles(app)
    with serving(app) as url:
        yield url


def _watch(page, allowed_403: list[bool]):
    problems = []

    def console(m):
        if m.type != "error":
            return
        if "status of 403" in m.text and allowed_403 and allowed_403[-1]:
            return       # the refusal pages answer 403; chromium says so in the console
        problems.append(f"console {m.type}: {m.text}")
    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    return problems


def log_in(browser, server, fake, user, viewport=DESKTOP):
    """A fresh browser context, the login page, the LINE button, the fake's authorize and the
    callback: the page the person lands on."""
    fake.login_as = user
    ctx = browser.new_context(viewport=viewport, locale="th-TH", timezone_id="Asia/Bangkok",
                              accept_downloads=True)
    page = ctx.new_page()
    expect_403 = [False]
    problems = _watch(page, expect_403)
    page.goto(f"{server}/dashboard")
    page.wait_for_url("**/dashboard/login?next=**")
    assert page.locator("#line-login").inner_text().strip() == "เข้าสู่ระบบด้วย LINE"
    assert page.locator("#token").count() == 0
    expect_403[0] = True
    page.click("#line-login")
    page.wait_for_load_state()
    return ctx, page, problems, expect_403


def test_five_people_log_in_with_line(browser, server, fake_line):
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []

    # the department admin: every province, from the national page
    ctx, page, seen, _ = log_in(browser, server, fake_line, ADMIN)
    page.wait_for_url(f"{server}/dashboard/national")
    ranked = page.locator("#ind-jpt tbody tr[data-province]")
    assert {ranked.nth(i).get_attribute("data-province") for i in range(ranked.count())} == \
        {"ratchaburi", "kanchanaburi"}
    assert "ผู้ดูแลระบบของกรม" in page.locator("#signed-in-as").inner_text()
    assert page.locator("#looked tbody tr").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "login-department-admin.png"), full_page=False)
    page.click("#ind-jpt tr[data-province='kanchanaburi'] a")
    page.wait_for_url("**province=kanchanaburi**")
    assert page.locator("#choose-province-select option").count() == 2
    problems += seen
    ctx.close()

    # the province admin of Ratchaburi: their province, its exports and who looked
    ctx, page, seen, expect_403 = log_in(browser, server, fake_line, PROVINCE_ADMIN_R)
    page.wait_for_url(f"{server}/dashboard?province=ratchaburi")
    assert "จังหวัดราชบุรี" in page.locator("h1").inner_text()
    assert page.locator("#status tbody tr").count() == 10
    assert page.locator("#choose-province").count() == 0
    assert page.locator("#national-link").count() == 0
    who = page.locator("#signed-in-as").inner_text()
    assert NAMES[PROVINCE_ADMIN_R] in who and "ผู้ดูแลจังหวัดราชบุรี" in who
    with page.expect_download() as dl:
        page.click("#export-csv")
    assert dl.value.suggested_filename.startswith("nongpat-ratchaburi-2565-progress-")
    page.reload()
    looked = page.locator("#looked tbody tr")
    assert "ส่งออก CSV" in looked.first.inner_text()
    assert NAMES[PROVINCE_ADMIN_R] in looked.first.inner_text()
    page.locator("#looked").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "login-province-admin.png"), full_page=False)
    page.goto(f"{server}/dashboard?province=kanchanaburi")
    assert page.locator("#forbidden").is_visible() and "กาญจนบุรี" not in page.content()
    page.goto(f"{server}/dashboard/national")
    assert page.locator("#forbidden").is_visible()
    problems += seen
    ctx.close()

    # the district head of บ้านโป่ง: that district alone, on a phone
    ctx, page, seen, _ = log_in(browser, server, fake_line, HEAD_R_BANPONG, viewport=PHONE)
    page.wait_for_url("**district=ban-pong**")
    assert page.locator("h1").inner_text().strip() == "น้องพัฒน์ · อำเภอบ้านโป่ง"
    assert page.locator("#status tbody tr").count() == 1
    assert page.locator("#status tfoot").count() == 0
    assert page.locator("#export-xlsx, #export-csv, #brief-link, #looked").count() == 0
    assert page.locator("#quiet-officers [data-district]").evaluate_all(
        "els => els.map(e => e.dataset.district)") in ([], ["ban-pong"])
    text = page.locator("body").inner_text()
    for other in OTHER_DISTRICTS:
        assert other not in text, other
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(ARTIFACTS / "login-district-head.png"), full_page=True)
    page.goto(f"{server}/dashboard?province=ratchaburi&district=photharam")
    assert page.locator("#forbidden").is_visible()
    problems += seen
    ctx.close()

    # an officer of บ้านโป่ง: whom to ask (the province's admin, by name), nothing else
    ctx, page, seen, _ = log_in(browser, server, fake_line, OFFICER)
    page.wait_for_selector("#no-role")
    ask = page.locator("#whom-to-ask").inner_text()
    assert "ผู้ดูแลจังหวัดราชบุรี" in ask and NAMES[PROVINCE_ADMIN_R] in ask
    assert page.locator("#status, #entries, #export-csv").count() == 0
    page.screenshot(path=str(ARTIFACTS / "login-officer.png"), full_page=False)
    page.click("#logout")
    page.wait_for_url("**/dashboard/login")
    problems += seen
    ctx.close()

    # a stranger: the same page, with no province to name
    ctx, page, seen, _ = log_in(browser, server, fake_line, STRANGER)
    page.wait_for_selector("#no-role")
    assert NAMES[STRANGER] in page.locator("#no-role").inner_text()
    assert "ยังไม่รู้จักบัญชีนี้" in page.locator("#whom-to-ask").inner_text()
    assert "ราชบุรี" not in page.locator("main").inner_text()
    page.screenshot(path=str(ARTIFACTS / "login-stranger.png"), full_page=False)
    problems += seen
    ctx.close()
    assert not problems, problems
