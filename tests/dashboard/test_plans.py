"""The dashboard with several plans: Ratchaburi 2565 (real) and 2566 (made up), Kanchanaburi
2565 (made up, with a district key ban-pong of its own). The province and fiscal-year chooser,
the choice carried on every link, the national page, and exports of the chosen plan only; and
a one-plan deployment that looks exactly as before."""
import csv
import io
import re
from html import unescape

import pytest
from openpyxl import load_workbook

from tests.dashboard.conftest import AUTH, plan_files, seed_plans
from tests.helpers import Chat


@pytest.fixture
def several(make_dash_app, fake_line, tmp_path):
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path))
    seed_plans(app, Chat(app, fake_line))
    return app


@pytest.fixture
def years(make_dash_app, fake_line, tmp_path):
    """One province, two fiscal years."""
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path, kanchanaburi=False))
    seed_plans(app, Chat(app, fake_line), kanchanaburi=False)
    return app


def get(app, path: str, status: int = 200):
    resp = app.test_client().get(path, headers=AUTH)
    assert resp.status_code == status, (path, resp.status_code, resp.text[:500])
    return resp


def hrefs(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'href="([^"]+)"', html)]


def section(html: str, anchor: str) -> str:
    return html.split(anchor, 1)[1].split("</section>", 1)[0]


def typed(html: str) -> list[str]:
    """The words officers typed, as the audit trail shows them."""
    return [unescape(t) for t in re.findall(r"<q>(.*?)</q>", section(html, 'id="entries"'))]


def csv_rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


# --------------------------------------------------------------------------- one plan
def test_one_plan_has_no_chooser_and_the_same_links(dash):
    html = dash.get("/dashboard").text
    for marker in ('id="choose-province"', 'id="choose-year"', 'id="national-link"',
                   'id="not-current"', 'name="province"', 'name="fiscal_year"'):
        assert marker not in html, marker
    links = hrefs(html)
    assert "/dashboard/export.xlsx" in links and "/dashboard/export.csv" in links
    assert not [h for h in links if "province=" in h or "fiscal_year=" in h]
    paged = dash.get("/dashboard?before=999999&district=ban-pong").text
    assert "/dashboard?district=ban-pong#entries" in hrefs(paged)
    assert dash.get("/dashboard?province=ratchaburi&fiscal_year=2565").status_code == 200
    nat = dash.get("/dashboard/national")
    assert nat.status_code == 200 and 'data-province="ratchaburi"' in nat.text


# --------------------------------------------------------------------------- several provinces
def test_without_a_province_the_dashboard_opens_the_national_page(several):
    resp = get(several, "/dashboard", 302)
    assert resp.headers["Location"] == "/dashboard/national"
    resp = get(several, "/dashboard?fiscal_year=2566", 302)
    assert resp.headers["Location"] == "/dashboard/national?fiscal_year=2566"


def test_province_chooser_and_the_choice_on_every_link(several):
    html = get(several, "/dashboard?province=kanchanaburi").text
    assert "น้องพัฒน์ · จังหวัดกาญจนบุรี" in html and "ปีงบประมาณ 2565" in html
    chooser = html.split('id="choose-province"', 1)[1].split("</form>", 1)[0]
    options = re.findall(r'<option value="([^"]+)"( selected)?>([^<]+)</option>', chooser)
    assert options == [("kanchanaburi", " selected", "กาญจนบุรี"), ("ratchaburi", "", "ราชบุรี")]
    assert 'id="choose-year"' not in html                     # Kanchanaburi has one year
    assert "/dashboard/national" in hrefs(html)
    links = hrefs(html)
    assert "/dashboard/export.xlsx?province=kanchanaburi" in links
    assert "/dashboard/export.csv?province=kanchanaburi" in links
    filters = html.split('id="entry-filters"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="province" value="kanchanaburi">' in filters
    districts = re.findall(r'<option value="([^"]*)"', filters.split('name="indicator"')[0])
    assert districts == ["", "mueang-kanchanaburi", "tha-muang", "tha-maka", "ban-pong"]
    # Kanchanaburi's ban-pong is its own: 500, not Ratchaburi's 1,200
    row = section(html, 'id="ind-jpt"').split('data-district="ban-pong"', 1)[1].split("</tr>")[0]
    assert 'data-value="500"' in row
    assert sorted(typed(html)) == ["บันทึก จปฐ 300 ครัวเรือน", "บันทึก จปฐ 500 ครัวเรือน",
                                   "บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ"]
    # the filter keeps the province: ban-pong of Kanchanaburi only
    only = get(several, "/dashboard?province=kanchanaburi&district=ban-pong").text
    assert typed(only) == ["บันทึก จปฐ 500 ครัวเรือน"]
    paged = get(several, "/dashboard?province=kanchanaburi&before=999999").text
    assert "/dashboard?province=kanchanaburi#entries" in hrefs(paged)
    # the Thai name is accepted and the key carried on
    assert "/dashboard/export.csv?province=kanchanaburi" in \
        hrefs(get(several, "/dashboard?province=กาญจนบุรี").text)


def test_year_chooser_and_entries_of_the_chosen_year(several):
    html = get(several, "/dashboard?province=ratchaburi").text
    chooser = html.split('id="choose-year"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="province" value="ratchaburi">' in chooser
    assert re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', chooser) == \
        [("2566", "", "2566"), ("2565", " selected", "2565 (ปีปัจจุบัน)")]
    assert 'id="not-current"' not in html
    assert "/dashboard/export.xlsx?province=ratchaburi&fiscal_year=2565" in hrefs(html)
    assert "บันทึก จปฐ 77 ครัวเรือน" not in typed(html)
    assert "บันทึก จปฐ 1200 ครัวเรือน" in typed(html)

    nxt = get(several, "/dashboard?province=ratchaburi&fiscal_year=2566").text
    assert typed(nxt) == ["บันทึก จปฐ 77 ครัวเรือน"]         # the entries of 2566 only
    assert "ปีงบประมาณ 2566" in nxt and 'id="not-current"' in nxt
    assert "แผนปัจจุบันของจังหวัดราชบุรีคือปี 2565" in nxt
    links = hrefs(nxt)
    assert "/dashboard/export.csv?province=ratchaburi&fiscal_year=2566" in links
    assert "/dashboard?province=ratchaburi" in links                 # back to the current year
    assert "/dashboard/national?fiscal_year=2566" in links
    filters = nxt.split('id="entry-filters"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="fiscal_year" value="2566">' in filters
    total = section(nxt, 'id="ind-jpt"').split('class="value province-total"', 1)[1]
    assert '<span class="done">77</span>' in total


def test_unknown_choices_name_what_exists(several):
    html = get(several, "/dashboard?province=chiang-mai", 404).text
    assert "ไม่มีแผนของจังหวัด" in html and "ครับ" in html
    assert {"/dashboard?province=kanchanaburi", "/dashboard?province=ratchaburi"} <= \
        set(hrefs(html))
    html = get(several, "/dashboard?province=kanchanaburi&fiscal_year=2566", 404).text
    assert "ไม่มีแผนปีงบประมาณ 2566" in html and "(มี: 2565)" in html
    assert "/dashboard?province=kanchanaburi&fiscal_year=2565" in hrefs(html)
    assert get(several, "/dashboard?province=ratchaburi&fiscal_year=abc", 400)
    hostile = get(several, "/dashboard?province=<script>alert(1)</script>", 404).text
    assert "<script>alert" not in hostile and "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert "2570" in get(several, "/dashboard/national?fiscal_year=2570", 404).text


def test_national_page_ranks_the_provinces(several):
    api = get(several, "/api/v1/summary").get_json()
    html = get(several, "/dashboard/national").text
    assert "ภาพรวมทุกจังหวัด" in html and "แผนปัจจุบันของแต่ละจังหวัด" in html
    assert "ข้อมูล ณ <span id=\"as-of\">19 เม.ย. 2565 10:00 น.</span>" in html
    for ind in api["indicators"]:
        part = section(html, f'<section class="indicator card" id="ind-{ind["key"]}"')
        ranked = re.findall(r'<tr data-province="([a-z-]+)" data-rank="(\d+)">', part)
        assert ranked == [(p["key"], str(n)) for n, p in enumerate(ind["provinces"], 1)]
        for p in ind["provinces"]:
            row = part.split(f'data-province="{p["key"]}"', 1)[1].split("</tr>", 1)[0]
            assert f'data-value="{p["done"]}"' in row and f'data-value="{p["target"]}"' in row
            assert f"/dashboard?province={p['key']}&amp;fiscal_year=2565" in row
            assert f">{p['name']}</a>" in row
        total = part.split('data-province="national"', 1)[1]
        assert f'data-value="{ind["done"]}"' in total and f'data-value="{ind["target"]}"' in total
        assert ind["done"] == sum(p["done"] for p in ind["provinces"])
    jpt = section(html, '<section class="indicator card" id="ind-jpt"')
    # Kanchanaburi's 800 of 24,665 (3.2%) ranks above Ratchaburi's 1,235 of 167,839 (0.7%)
    assert jpt.index('data-province="kanchanaburi"') < jpt.index('data-province="ratchaburi"')
    assert ">3.2%</td>" in jpt and ">0.7%</td>" in jpt and ">2,035</td>" in jpt

    y66 = get(several, "/dashboard/national?fiscal_year=2566").text
    assert 'id="without-plan"' in y66 and "กาญจนบุรี" in y66.split('id="without-plan"')[1][:200]
    assert 'data-province="kanchanaburi"' not in y66
    assert "/dashboard?province=ratchaburi&fiscal_year=2566" in hrefs(y66)
    assert '<option value="2566" selected>2566</option>' in y66


def test_exports_of_the_chosen_plan_only(several):
    assert get(several, "/dashboard/export.csv", 400).mimetype == "text/html"
    get(several, "/dashboard/export.xlsx?province=nowhere", 404)

    k = get(several, "/dashboard/export.csv?province=kanchanaburi")
    assert k.headers["Content-Disposition"] == \
        'attachment; filename="nongpat-kanchanaburi-2565-progress-25650419.csv"'
    rows = csv_rows(k.data)
    districts = {r["รหัส"] for r in rows if r["ระดับ"] == "อำเภอ"}
    assert districts == {"mueang-kanchanaburi", "tha-muang", "tha-maka", "ban-pong"}
    assert {r["ชื่อ"] for r in rows if r["ระดับ"] == "จังหวัด"} == {"รวมจังหวัดกาญจนบุรี"}
    bp = next(r for r in rows if r["รหัสตัวชี้วัด"] == "jpt" and r["รหัส"] == "ban-pong")
    assert bp["ผลงาน"] == "500"

    r66 = get(several, "/dashboard/export.csv?province=ratchaburi&fiscal_year=2566")
    assert 'filename="nongpat-ratchaburi-2566-progress-25650419.csv"' in \
        r66.headers["Content-Disposition"]
    rows = csv_rows(r66.data)
    assert len([r for r in rows if r["รหัสตัวชี้วัด"] == "jpt" and r["ระดับ"] == "อำเภอ"]) == 10
    assert {(r["รหัส"], r["ผลงาน"]) for r in rows
            if r["รหัสตัวชี้วัด"] == "jpt" and r["ผลงาน"] != "0"} == {("ban-pong", "77"),
                                                                       ("province", "77")}

    x = get(several, "/dashboard/export.xlsx?province=ratchaburi")
    assert 'filename="nongpat-ratchaburi-2565-progress-25650419.xlsx"' in \
        x.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(x.data))
    body = {r[0]: r[1:] for r in wb["จปฐ."].iter_rows(values_only=True) if r and r[0]}
    assert body["บ้านโป่ง"][:2] == (34227, 1200) and "รวมจังหวัดราชบุรี" in body
    xk = load_workbook(io.BytesIO(
        get(several, "/dashboard/export.xlsx?province=kanchanaburi").data))
    body = {r[0]: r[1:] for r in xk["จปฐ."].iter_rows(values_only=True) if r and r[0]}
    assert body["บ้านโป่ง"][1] == 500 and "รวมจังหวัดกาญจนบุรี" in body
    assert "โพธาราม" not in body


def test_cli_export_of_a_choice(several, tmp_path):
    runner = several.test_cli_runner()
    out = tmp_path / "k.csv"
    result = runner.invoke(args=["export", "--format", "csv", "--province", "kanchanaburi",
                                 "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = csv_rows(out.read_bytes())
    assert {r["รหัส"] for r in rows if r["ระดับ"] == "อำเภอ"} == \
        {"mueang-kanchanaburi", "tha-muang", "tha-maka", "ban-pong"}
    result = runner.invoke(args=["export", "--format", "csv", "--province", "ราชบุรี",
                                 "--fiscal-year", "2566", "-o", str(out)])
    assert result.exit_code == 0, result.output
    jpt = {r["รหัส"]: r["ผลงาน"] for r in csv_rows(out.read_bytes())
           if r["รหัสตัวชี้วัด"] == "jpt"}
    assert jpt["ban-pong"] == "77" and jpt["province"] == "77"
    missing = runner.invoke(args=["export", "--format", "csv", "-o", str(out)])
    assert missing.exit_code != 0
    assert "--province ที่มี: kanchanaburi, ratchaburi" in missing.output
    no_year = runner.invoke(args=["export", "--province", "kanchanaburi", "--fiscal-year",
                                  "2566", "-o", str(out)])
    assert no_year.exit_code != 0 and "--fiscal-year ที่มี: 2565" in no_year.output


# --------------------------------------------------------------------------- two years
def test_one_province_with_two_years_offers_only_the_year(years):
    html = get(years, "/dashboard").text
    assert 'id="choose-year"' in html and 'id="choose-province"' not in html
    assert 'id="national-link"' not in html
    chooser = html.split('id="choose-year"', 1)[1].split("</form>", 1)[0]
    assert 'name="province"' not in chooser
    assert "/dashboard/export.csv?fiscal_year=2565" in hrefs(html)
    nxt = get(years, "/dashboard?fiscal_year=2566").text
    assert typed(nxt) == ["บันทึก จปฐ 77 ครัวเรือน"]
    assert "/dashboard/export.csv?fiscal_year=2566" in hrefs(nxt)
    assert "/dashboard" in hrefs(nxt)                                  # back to the current year
    rows = csv_rows(get(years, "/dashboard/export.csv?fiscal_year=2566").data)
    assert {(r["รหัส"], r["ผลงาน"]) for r in rows
            if r["รหัสตัวชี้วัด"] == "jpt" and r["ผลงาน"] != "0"} == {("ban-pong", "77"),
                                                                       ("province", "77")}
    api = get(years, "/api/v1/progress").get_json()
    assert api["fiscal_year"] == 2565
    assert get(years, "/api/v1/progress?fiscal_year=2566").get_json()["fiscal_year"] == 2566


def test_a_past_year_chosen_is_shown_as_it_stood_at_its_end(years, make_dash_app):
    """In October 2565 (fiscal year 2566) the chosen 2565 plan is measured at 30 Sep 2565 23:59,
    not overdue for ever; the current 2566 plan at today."""
    import datetime as dt
    from bot.timeutil import BANGKOK, fixed_clock
    october = make_dash_app(PLAN_FILE="unused: the database has its plans",
                            CLOCK=fixed_clock(dt.datetime(2022, 10, 12, 9, 0, tzinfo=BANGKOK)))
    past = get(october, "/dashboard?province=ratchaburi&fiscal_year=2565").text
    assert "30 ก.ย. 2565" in past and "12 ต.ค. 2565" not in past
    now = get(october, "/dashboard?province=ratchaburi&fiscal_year=2566").text
    assert "12 ต.ค. 2565" in now
