"""The dashboard leads with the status (issue 14, point 2), on the mid-April scenario
(tests/scenario.py): the first section is a grid of districts × indicators, worst first, whose
every cell is bot.core.status's verdict in words with its colour class, done against what the
straight line expects, the pace per working day and the days to the deadline; below it, who has
not reported; the audit trail shows its latest 20 rows and keeps the rest behind ดูเพิ่ม."""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest

from bot.core.status import COLORS, LABELS, quiet_officers, without_group
from bot.timeutil import BANGKOK
from bot.web.dashboard.data import deadline_text
from models import LineUser
from models.queries import load_board, officers_activity
from tests.conftest import NOW
from tests.dashboard.conftest import AUTH
from tests.scenario import SILENT_OFFICER, officer_id, seed_mid_april

CSS = Path(__file__).resolve().parents[2] / "bot/web/dashboard/static/dashboard.css"
HOSTILE = "<script>alert(1)</script>"


def section(html: str, anchor: str) -> str:
    return html.split(anchor, 1)[1].split("</section>", 1)[0]


def text(fragment: str) -> str:
    """The words of an HTML fragment, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def rows(grid: str) -> list[str]:
    return re.findall(r'<tr data-district="([^"]+)" data-rank=', grid)


def cell(grid: str, district: str, indicator: str) -> tuple[str, str]:
    """(data-status, the cell's words) of one cell of the grid."""
    row = grid.split(f'data-district="{district}"', 1)[1].split("</tr>", 1)[0]
    m = re.search(rf'<td class="cell st-([a-z-]+)" data-indicator="{indicator}" '
                  rf'data-status="([a-z-]+)">(.*?)</td>', row, re.S)
    assert m, (district, indicator)
    assert m.group(1) == m.group(2)                       # the colour class is the status
    return m.group(2), text(m.group(3))


@pytest.fixture
def scene(app):
    seed_mid_april(app)
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        board = load_board(s, active.id, active.plan, NOW)
        officers = officers_activity(s, active.id, active.plan.province_key)
    return app, board, officers


def page(app) -> str:
    resp = app.test_client().get("/dashboard", headers=AUTH)
    assert resp.status_code == 200, resp.text[:500]
    return resp.text


def test_the_grid_is_the_boards_worst_first_with_the_province_last(scene):
    app, board, _ = scene
    html = page(app)
    grid = section(html, 'id="status"')
    order = rows(grid)
    assert order == [key for key, _ in board.rows()]
    assert order[:3] == ["chom-bueng", "suan-phueng", "ban-kha"]      # behind, behind, silent
    assert order[-1] == "wat-phleng"                                   # done
    for key in order:
        for ind in board.plan.indicators:
            status, words = cell(grid, key, ind.key)
            assert status == board.cell(ind.key, key).status
            assert LABELS[status] in words
    foot = grid.split("<tfoot>", 1)[1]
    assert 'data-district="province"' in foot and "ทั้งจังหวัด" in foot
    for ind in board.plan.indicators:
        status, words = cell(foot, "province", ind.key)
        assert status == board.province[ind.key].status and LABELS[status] in words
    # the grid comes first: then who has not reported, then the sections that were there
    at = [html.index(f'id="{k}"') for k in ("status", "people", "ind-jpt", "timeline", "entries")]
    assert at == sorted(at)
    assert html.index('id="status"') < html.index('class="indicator card"')
    assert 'id="brief-link" href="/dashboard/brief"' in html           # the meeting brief
    bar = html.split('<nav class="sections"', 1)[1].split("</nav>", 1)[0]
    for anchor in ("#status", "#people", "#ind-jpt", "#timeline", "#entries"):
        assert f'href="{anchor}"' in bar


def test_each_cell_says_where_the_district_stands(scene):
    app, _, _ = scene
    grid = section(page(app), 'id="status"')
    status, words = cell(grid, "chom-bueng", "jpt")
    assert status == "behind"
    for part in ("ล่าช้า", "3,756 / 7,921 ที่ควรได้", "(31.0% ของเป้า)",
                 "ไม่มีการบันทึกมา 11 วัน (ล่าสุด 8 เม.ย. 2565)",
                 "ต้องได้วันละ 929 ครัวเรือน (9 วันทำการที่เหลือ)", "อีก 12 วันถึงกำหนดส่ง"):
        assert part in words, (part, words)
    status, words = cell(grid, "ban-kha", "jpt")
    assert status == "silent" and "ไม่มีความเคลื่อนไหว" in words
    assert "ไม่มีการบันทึกมา 12 วัน (ล่าสุด 7 เม.ย. 2565)" in words
    status, words = cell(grid, "wat-phleng", "jpt")
    assert status == "done" and "ครบแล้ว" in words and "ได้ 2,869 จากเป้า 2,869" in words
    assert "ต้องได้" not in words
    # TPMAP and savings have no district targets: the count, and where the verdict is
    status, words = cell(grid, "suan-phueng", "tpmap")
    assert (status, words) == ("no-target", "TPMAP ไม่มีเป้ารายอำเภอ ได้ 23 ครัวเรือน")
    note = text(grid.split('id="no-target-note"', 1)[1].split("</p>", 1)[0])
    assert "TPMAP" in note and "กลุ่มออมทรัพย์เพื่อการผลิต" in note and "ทั้งจังหวัด" in note
    status, words = cell(grid, "province", "savings")
    assert status == "behind"
    assert "16 / 27 ที่ควรได้" in words and "ต้องได้สัปดาห์ละ 1.8 กลุ่ม" in words
    assert "อีก 104 วันถึงกำหนดส่ง" in words
    status, words = cell(grid, "province", "jpt")
    assert status == "on-track" and "120,547 / 109,740 ที่ควรได้ (71.8% ของเป้า)" in words
    head = text(grid.split("<thead>", 1)[1].split("</thead>", 1)[0])
    assert "จปฐ. · กำหนดส่ง 1 พ.ค. 2565 (อีก 12 วัน)" in head
    assert "ล่าช้า 2 ไม่มีความเคลื่อนไหว 1 ตามแผน 6 ครบแล้ว 1" in head
    words = text(grid.split(">", 1)[1])
    assert "2022" not in words and " - " not in f" {words} "        # B.E. dates; no "-" cells


def test_colours_come_from_the_status_classes(scene):
    """No inline style or script (the CSP refuses them); each st-<status> class carries
    bot.core.status.COLORS."""
    app, _, _ = scene
    html = page(app)
    assert " style=" not in html and "<style" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html) == [' type="application/json" id="chart-data"']
    css = CSS.read_text(encoding="utf-8")
    for status, (fill, ink) in COLORS.items():
        rule = re.search(rf"\.st-{status}\b[^{{]*\{{([^}}]*)\}}", css)
        assert rule, status
        assert f"--st-fill: {fill}" in rule.group(1) and f"--st-ink: {ink}" in rule.group(1)
    for status in set(re.findall(r'data-status="([a-z-]+)"', html)):
        assert f'<span class="pill st-{status}">{LABELS[status]}</span>' in html


def test_who_has_not_reported(scene):
    app, board, officers = scene
    svc = app.extensions["nongpat"]
    with svc.sessions() as s, s.begin():             # LINE gave one no name, another a hostile one
        s.get(LineUser, SILENT_OFFICER).display_name = None
        s.get(LineUser, officer_id("ban-kha", 3)).display_name = HOSTILE
    html = page(app)
    people = section(html, 'id="people"')
    assert HOSTILE not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in people
    quiet = people.split('id="quiet-officers"', 1)[1].split('id="without-group"', 1)[0]
    expected = quiet_officers(board.plan, officers, board.today, BANGKOK)
    assert sorted(re.findall(r'data-user="([^"]+)"', quiet)) == sorted(q.user_id for q in expected)
    assert f"ไม่มีการบันทึกมา 3 วันทำการขึ้นไป · {len(expected)} คน" in text(quiet)
    # by district, the grid's order (the most-behind district first), each with its last log
    districts = re.findall(r'class="people-district" data-district="([^"]+)"', quiet)
    grid_order = rows(section(html, 'id="status"'))
    assert districts == [k for k in grid_order if k in districts] and districts[0] == "chom-bueng"
    chom = text(quiet.split('data-district="chom-bueng"', 1)[1].split("</div>", 1)[0])
    assert "จอมบึง 5 จาก 5 คน" in chom
    assert f"ผู้ใช้ …{SILENT_OFFICER[-4:]} ยังไม่เคยบันทึก" in chom
    assert "ธนพล รักษ์ถิ่น บันทึกล่าสุด 6 เม.ย. 2565 (13 วันก่อน)" in chom
    logged_today = officer_id("ban-pong", 0)
    assert logged_today not in quiet
    # the savings campaign: officers with no group yet
    waiting = people.split('id="without-group"', 1)[1]
    missing = without_group(board.plan, officers)
    assert sorted(re.findall(r'data-user="([^"]+)"', waiting)) == sorted(o.user_id for o in missing)
    assert f"ยังไม่มีกลุ่มออมทรัพย์เพื่อการผลิต (1 พัฒนากร 1 กลุ่ม) · {len(missing)} คน" in text(waiting)
    assert officer_id("ban-pong", 0) not in waiting and officer_id("ban-pong", 2) in waiting
    assert "พัฒนากรที่ลงทะเบียนกับน้องพัฒน์ 41 จาก 41 คน" in text(people)


def test_the_audit_trail_shows_20_rows_and_the_rest_behind_more(scene):
    app, _, _ = scene
    entries = section(page(app), 'id="entries"')
    shown, more = entries.split('<details class="more" id="more-entries">', 1)
    assert shown.count("<tr data-entry=") == 20
    assert more.count("<tr data-entry=") == 30
    assert "<summary>ดูเพิ่ม (อีก 30 รายการ)</summary>" in more
    ids = [int(i) for i in re.findall(r'<tr data-entry="(\d+)"', entries)]
    assert ids == sorted(ids, reverse=True)                       # newest first, no gap
    assert 'id="older"' in more                                   # and older pages after them


def test_before_anyone_registers(client):
    """A fresh plan: every district in the grid, and the page says how officers register."""
    html = client.get("/dashboard", headers=AUTH).text
    grid = section(html, 'id="status"')
    assert len(rows(grid)) == 10
    people = text(section(html, 'id="people"'))
    assert "ยังไม่มีพัฒนากรลงทะเบียนครับ" in people and "ลงทะเบียน" in people
    assert 'id="more-entries"' not in html


def test_after_the_deadline_a_cell_says_what_is_missing(make_dash_app):
    """5 May 2565, four days after จปฐ. closed: no pace any more, what is missing instead."""
    import datetime as dt
    from bot.timeutil import fixed_clock
    app = make_dash_app(CLOCK=fixed_clock(dt.datetime(2022, 5, 5, 9, 0, tzinfo=BANGKOK)))
    seed_mid_april(app)
    status, words = cell(section(page(app), 'id="status"'), "chom-bueng", "jpt")
    assert status == "behind"
    assert "3,756 / 12,115 ที่ควรได้" in words
    assert "ยังขาด 8,359 ครัวเรือน · เลยกำหนดส่งมา 4 วัน" in words
    assert "เลยกำหนดแล้ว" not in words and "ต้องได้" not in words


def test_deadline_words():
    assert [deadline_text(n) for n in (12, 1, 0, -4, None)] == [
        "อีก 12 วันถึงกำหนดส่ง", "ครบกำหนดส่งพรุ่งนี้", "ครบกำหนดส่งวันนี้",
        "เลยกำหนดส่งมา 4 วัน", None]
