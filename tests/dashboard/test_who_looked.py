"""Who looked: logins, exports and brief downloads (HTML and PDF) are written to the audit trail
(who, when, what: the plan and the format), and the dashboard shows the latest of a province
("ใครเข้าดู") to department and province admins — with B.E. date-times and names from
line_users — and nothing of it to district heads."""
from __future__ import annotations

import re

import pytest

from tests.dashboard.conftest import (HEAD_R_BANPONG, NAMES, PROVINCE_ADMIN_K, PROVINCE_ADMIN_R,
                                      audit_rows, cli, grant_roles, line_config, line_login,
                                      plan_files, seed_plans)
from tests.helpers import ADMIN, Chat


@pytest.fixture
def app(make_dash_app, fake_line, tmp_path, monkeypatch):
    from bot.web.dashboard import brief
    monkeypatch.setattr(brief, "pdf_of", lambda b: b"%PDF-1.7 stub")
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path, ratchaburi_2566=False),
                        **line_config(fake_line))
    seed_plans(app, Chat(app, fake_line), ratchaburi_2566=False)
    grant_roles(app)
    return app


def logged_in(app, fake_line, user):
    c = app.test_client()
    assert line_login(c, fake_line, user).status_code == 302
    return c


def looked(html: str) -> list[str]:
    if 'id="looked"' not in html:
        return []
    part = html.split('id="looked"', 1)[1].split("</section>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip()
            for r in re.findall(r"<tr data-audit=.*?</tr>", part, re.S)]


def test_exports_and_briefs_are_recorded(app, fake_line):
    c = logged_in(app, fake_line, PROVINCE_ADMIN_R)
    assert c.get("/dashboard/export.xlsx?province=ratchaburi").status_code == 200
    assert c.get("/dashboard/export.csv?province=ratchaburi").status_code == 200
    assert c.get("/dashboard/brief?province=ratchaburi").status_code == 200
    assert c.get("/dashboard/brief.pdf?province=ratchaburi&date=2565-04-01").status_code == 200
    exports = audit_rows(app, action="export")
    briefs = audit_rows(app, action="brief")
    assert [(r.actor, r.province_key, r.subject, r.detail["format"]) for r in exports] == \
        [(PROVINCE_ADMIN_R, "ratchaburi", "ratchaburi-2565", "xlsx"),
         (PROVINCE_ADMIN_R, "ratchaburi", "ratchaburi-2565", "csv")]
    assert [(r.detail["format"], r.detail["date"], r.detail["plan"]) for r in briefs] == \
        [("html", "2022-04-19", "ratchaburi-2565"), ("pdf", "2022-04-01", "ratchaburi-2565")]
    # a refused export or a bad date is not a download
    assert c.get("/dashboard/export.csv?province=kanchanaburi").status_code == 403
    assert c.get("/dashboard/brief?province=ratchaburi&date=2566-01-01").status_code == 400
    assert len(audit_rows(app, action="export")) == 2 and len(audit_rows(app, action="brief")) == 2


def test_a_province_admin_sees_who_looked_at_their_province(app, fake_line):
    k = logged_in(app, fake_line, PROVINCE_ADMIN_K)
    k.get("/dashboard/export.csv?province=kanchanaburi")
    logged_in(app, fake_line, ADMIN)
    cli(app, "tokens", "create", "--province", "ratchaburi", "--name", "สำนักงานจังหวัด")
    c = logged_in(app, fake_line, PROVINCE_ADMIN_R)
    c.get("/dashboard/export.xlsx?province=ratchaburi")
    c.get("/dashboard/brief.pdf?province=ratchaburi")
    rows = looked(c.get("/dashboard?province=ratchaburi").text)
    text = "\n".join(rows)
    # newest first, B.E. date-times, names from line_users
    assert rows[0].startswith("19 เม.ย. 2565 10:00 น.")
    assert f"{NAMES[PROVINCE_ADMIN_R]} สรุปสำหรับประชุม (PDF) ปีงบประมาณ 2565 วันประชุม 19 เม.ย. 2565" \
        in rows[0]
    assert f"{NAMES[PROVINCE_ADMIN_R]} ส่งออก Excel ปีงบประมาณ 2565" in rows[1]
    assert f"{NAMES[PROVINCE_ADMIN_R]} เข้าสู่ระบบด้วย LINE" in text
    assert "สร้างรหัส API “สำนักงานจังหวัด”" in text and "คำสั่ง flask" in text
    assert f"แต่งตั้ง คุณ{NAMES[HEAD_R_BANPONG]} เป็นหัวหน้าอำเภอ" in text
    assert "· อ.บ้านโป่ง" in text and "จ.ราชบุรี" not in text    # the page's own province
    # not another province's, not the department's
    assert NAMES[PROVINCE_ADMIN_K] not in text and "CSV" not in text
    assert NAMES[ADMIN] not in text


def test_a_department_admin_sees_the_province_and_the_department(app, fake_line):
    k = logged_in(app, fake_line, PROVINCE_ADMIN_K)
    k.get("/dashboard/export.csv?province=kanchanaburi")
    d = logged_in(app, fake_line, ADMIN)
    stranger = app.test_client()
    line_login(stranger, fake_line, "Uunknown000000000000000000000001")
    text = "\n".join(looked(d.get("/dashboard?province=ratchaburi").text))
    assert f"{NAMES[ADMIN]} เข้าสู่ระบบด้วย LINE" in text
    assert "เข้าสู่ระบบด้วย LINE ไม่สำเร็จ (ยังไม่มีสิทธิ์)" in text
    assert NAMES[PROVINCE_ADMIN_K] not in text             # Kanchanaburi's: on its own page
    kan = "\n".join(looked(d.get("/dashboard?province=kanchanaburi").text))
    assert f"{NAMES[PROVINCE_ADMIN_K]} ส่งออก CSV" in kan
    national = "\n".join(looked(d.get("/dashboard/national").text))
    assert NAMES[PROVINCE_ADMIN_K] in national and NAMES[ADMIN] in national
    assert "ส่งออก CSV ปีงบประมาณ 2565 · จ.กาญจนบุรี" in national


def test_district_heads_see_no_trail(app, fake_line):
    c = logged_in(app, fake_line, HEAD_R_BANPONG)
    page = c.get("/dashboard?province=ratchaburi&district=ban-pong").text
    assert 'id="looked"' not in page and "ใครเข้าดู" not in page
    assert audit_rows(app, action="login")[-1].district_key == "ban-pong"
