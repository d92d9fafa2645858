"""What the dashboard shows: figures that agree with /api/v1/progress, Thai B.E. dates, the pace
forecast, the milestone timeline, the audit trail with its filters, and escaping of names."""
import datetime as dt
import json
import re
from html import unescape

from sqlalchemy import select

from bot.timeutil import BANGKOK, fixed_clock
from models import LineUser
from tests.dashboard.conftest import AUTH

G = "Cbanpong000000000000000000000000"
G2 = "Cphotharam00000000000000000000000"
HOSTILE = "<img src=x onerror=alert(1)>"


def chart_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S)
    return json.loads(m.group(1))


def district_row(html: str, indicator: str, district: str) -> str:
    section = html.split(f'id="ind-{indicator}"', 1)[1].split("</section>", 1)[0]
    return section.split(f'data-district="{district}"', 1)[1].split("</tr>", 1)[0]


def test_all_districts_and_figures_agree_with_the_api(dash, chat):
    chat.bind(G)
    chat.bind(G2, "อำเภอโพธาราม")
    chat.say("บันทึก จปฐ 1200 ครัวเรือน", group=G)
    chat.say("บันทึก จปฐ 35 ครัวเรือน", group=G2, user="Uother")
    chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=G)
    html = dash.get("/dashboard").text
    api = dash.get("/api/v1/progress", headers=AUTH).get_json()
    for ind in api["indicators"]:
        assert len(ind["districts"]) == 10
        for d in ind["districts"]:
            row = district_row(html, ind["key"], d["key"])
            assert f">{d['name']}</th>" in row
            assert f'data-value="{d["done"]}"' in row
            assert f">{d['done']:,}</td>" in row
            if d["target"] is not None:
                assert f">{d['target']:,}</td>" in row
    bp = district_row(html, "jpt", "ban-pong")
    assert ">1,200</td>" in bp and ">34,227</td>" in bp and ">3.5%</td>" in bp
    assert ">33,027</td>" in bp                                   # remaining
    assert "1,235" in html and "167,839" in html                  # province, thousands separators


def test_milestones_forecast_and_be_dates(dash, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 1200 ครัวเรือน", group=G)
    html = dash.get("/dashboard").text
    jpt = html.split('id="ind-jpt"', 1)[1].split("</section>", 1)[0]
    assert "1 พ.ค. 2565" in jpt and "อีก 12 วัน" in jpt            # deadline, days left
    assert "23 เม.ย. 2565 – 29 เม.ย. 2565" in jpt                  # the next milestone: test round 2
    assert "ต้องได้วันละ" in jpt and "ด้วยอัตรา 7 วันล่าสุด" in jpt  # bot/core/forecast.py's text
    forecast = jpt.split('<p class="forecast">', 1)[1].split("</p>", 1)[0]
    # one pace: the status's, per working day (bot.core.status), not a second calendar-day one
    assert forecast.count("ต้องได้วันละ") == 1 and "วันทำการที่เหลือ" in forecast
    assert "ข้อมูล ณ <span id=\"as-of\">19 เม.ย. 2565 10:00 น.</span>" in html
    timeline = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    states = dict(re.findall(r'data-milestone="([^"]+)" data-state="([^"]+)"', timeline))
    assert states["jpt-test-1"] == "past" and states["tpmap-plans"] == "past"
    assert states["jpt-test-2"] == "next"
    assert states["jpt-complete"] == "upcoming" and states["savings-complete"] == "upcoming"
    assert "30 ก.ย. 2565" in timeline and "2022" not in timeline


def test_overdue_milestone_after_the_deadline(make_dash_app):
    app = make_dash_app(CLOCK=fixed_clock(dt.datetime(2022, 5, 5, 9, 0, tzinfo=BANGKOK)))
    html = app.test_client().get("/dashboard", headers=AUTH).text
    timeline = html.split('id="timeline"', 1)[1].split("</section>", 1)[0]
    states = dict(re.findall(r'data-milestone="([^"]+)" data-state="([^"]+)"', timeline))
    assert states["jpt-complete"] == "overdue"
    assert states["tpmap-meeting"] == "past"        # not measured by the count: just past
    assert "เลยกำหนดมา 4 วัน" in html


def test_burnup_series(dash, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 1200 ครัวเรือน", group=G)
    data = chart_data(dash.get("/dashboard").text)
    jpt = data["jpt"]
    assert jpt["labels"][0] == "21 มี.ค. 2565" and jpt["labels"][-1] == "1 พ.ค. 2565"
    today = jpt["labels"].index("19 เม.ย. 2565")
    assert jpt["actual"][today] == 1200 and jpt["actual"][today - 1] == 0
    assert all(v is None for v in jpt["actual"][today + 1:])
    assert jpt["ideal"][0] == 0 and jpt["ideal"][-1] == 167839
    assert data["savings"]["labels"][0] == "1 ต.ค. 2564"           # the fiscal year's start
    assert data["savings"]["labels"][-1] == "1 ส.ค. 2565"


def test_audit_trail_with_filters_and_undo(dash, chat, fake_line, app):
    fake_line.names["Unamed00000000000000000000000001"] = "สมศรี พัฒนากร"
    chat.bind(G)
    chat.bind(G2, "อำเภอโพธาราม")
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G, user="Unamed00000000000000000000000001")
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ", group=G2, user="Unoname0000000000000000000000002")
    chat.say("ยกเลิก", group=G2, user="Unoname0000000000000000000000002")
    with app.extensions["nongpat"].sessions() as s, s.begin():   # a user LINE gave no name for
        s.get(LineUser, "Unoname0000000000000000000000002").display_name = None
    html = dash.get("/dashboard").text
    rows = html.split('id="entries"', 1)[1]
    assert "สมศรี พัฒนากร" in rows and "Unoname0000000000000000000000002" in rows
    assert "บันทึก จปฐ 120 ครัวเรือน" in rows                      # the words typed
    assert "19 เม.ย. 2565 10:00 น." in rows                        # B.E., Asia/Bangkok
    assert "จปฐ. 120 ครัวเรือน" in rows
    assert "กลุ่มออมทรัพย์เพื่อการผลิต หมู่บ้านสัมมาชีพ 1 กลุ่ม" in rows
    assert rows.count("ยกเลิกแล้ว") == 1 and 'class="undone"' in rows
    only = dash.get("/dashboard?district=ban-pong").text.split('id="entries"', 1)[1]
    assert "บันทึก จปฐ 120" in only and "ออมทรัพย์ 1 กลุ่ม" not in only
    only = dash.get("/dashboard?indicator=savings").text.split('id="entries"', 1)[1]
    assert "บันทึก จปฐ 120" not in only and "ออมทรัพย์ 1 กลุ่ม" in only
    none = dash.get("/dashboard?district=ban-kha").text
    assert 'id="no-entries"' in none
    assert dash.get("/dashboard?district=<script>&before=abc").status_code == 200


def test_audit_trail_pages(dash, chat, app):
    from bot.web.dashboard import data
    chat.bind(G)
    for i in range(3):
        chat.say(f"บันทึก จปฐ {i + 1} ครัวเรือน", group=G, user=f"Upage{i}")
    svc = app.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        first, older = data.entries(s, active.plan, active.id, limit=2)
        assert [r.what for r in first] == ["จปฐ. 3 ครัวเรือน", "จปฐ. 2 ครัวเรือน"]
        rest, none = data.entries(s, active.plan, active.id, limit=2, before=older)
        assert [r.what for r in rest] == ["จปฐ. 1 ครัวเรือน"] and none is None


def test_hostile_display_name_is_shown_as_text(dash, chat, fake_line, app):
    uid = "Uhostile000000000000000000000001"
    fake_line.names[uid] = HOSTILE
    chat.bind(G)
    chat.say("บันทึก จปฐ 5 ครัวเรือน <b>ตัวหนา</b>", group=G, user=uid)
    chat.say("ยืนยัน", group=G, user=uid)        # the odd words make the bot ask first
    with app.extensions["nongpat"].sessions() as s:
        assert s.scalar(select(LineUser.display_name).where(LineUser.user_id == uid)) == HOSTILE
    html = dash.get("/dashboard").text
    assert HOSTILE not in html and "<b>ตัวหนา" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;ตัวหนา&lt;/b&gt;" in html                     # the original message, as text
    who = re.search(r'<td class="who"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert unescape(who) == HOSTILE


def test_daily_amounts_are_bangkok_days(make_app, fake_line):
    """03:00 in Bangkok is the evening before in UTC: it still counts for the Bangkok day."""
    from bot.web.dashboard.data import daily_amounts
    from tests.helpers import Chat
    early = make_app(CLOCK=fixed_clock(dt.datetime(2022, 4, 19, 3, 0, tzinfo=BANGKOK)))
    c = Chat(early, fake_line)
    c.bind(G)
    c.say("บันทึก จปฐ 100 ครัวเรือน", group=G)
    late = Chat(make_app(CLOCK=fixed_clock(dt.datetime(2022, 4, 19, 23, 30, tzinfo=BANGKOK))),
                fake_line)
    late.say("บันทึก จปฐ 20 ครัวเรือน", group=G, user="Ulate")
    svc = early.extensions["nongpat"]
    with svc.sessions() as s:
        active = svc.bot.current_plan(s)
        assert daily_amounts(s, active.id)["jpt"] == {dt.date(2022, 4, 19): 120}
