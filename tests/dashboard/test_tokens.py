"""Per-province API tokens: `flask tokens create|list|revoke` (shown once, stored as SHA-256,
audited as cli:<os user>), what a token reads (its province, on the API and the dashboard), its
last use recorded at most once a minute, and a revoke that takes effect on the next request."""
from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from sqlalchemy import select

from bot.timeutil import fixed_clock
from bot.core.roles import cli_actor as actor
from models import ApiToken
from tests.dashboard.conftest import audit_rows, cli, plan_files, seed_plans
from tests.helpers import Chat


@pytest.fixture
def several(make_dash_app, fake_line, tmp_path):
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path, ratchaburi_2566=False))
    seed_plans(app, Chat(app, fake_line), ratchaburi_2566=False)
    return app


def made(output: str) -> str:
    m = re.search(r"^(npt_\S+)$", output, re.M)
    assert m, output
    return m.group(1)


def rows(app) -> list[ApiToken]:
    with app.extensions["nongpat"].read_sessions() as s:
        return list(s.scalars(select(ApiToken).order_by(ApiToken.id)))


def test_create_prints_the_token_once_and_keeps_its_hash(several):
    out = cli(several, "tokens", "create", "--province", "ratchaburi", "--name", "สำนักงานจังหวัด")
    token = made(out)
    assert "จังหวัดราชบุรี" in out and "แสดงครั้งเดียว" in out
    [row] = rows(several)
    assert (row.province_key, row.name) == ("ratchaburi", "สำนักงานจังหวัด")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash and row.created_by == actor()
    assert row.created_by.startswith("cli:")
    [audit] = audit_rows(several, action="token_create")
    assert (audit.actor, audit.province_key, audit.subject) == \
        (actor(), "ratchaburi", "token:สำนักงานจังหวัด")
    assert token not in str(audit.detail)
    # the Thai name of a province; a token of every province
    thai = made(cli(several, "tokens", "create", "--province", "กาญจนบุรี", "--name", "กาญจน์"))
    every = made(cli(several, "tokens", "create", "--all-provinces", "--name", "กรม"))
    assert len({token, thai, every}) == 3
    assert [r.province_key for r in rows(several)] == ["ratchaburi", "kanchanaburi", None]


def test_create_refuses_with_the_reason(several):
    runner = several.test_cli_runner()
    for args, words in ((["--province", "nowhere", "--name", "x"], "ไม่รู้จักจังหวัด"),
                        (["--name", "x"], "--all-provinces"),
                        (["--province", "ratchaburi", "--all-provinces", "--name", "x"],
                         "อย่างใดอย่างหนึ่ง")):
        result = runner.invoke(args=["tokens", "create", *args])
        assert result.exit_code != 0 and words in result.output, result.output
    cli(several, "tokens", "create", "--province", "ratchaburi", "--name", "ซ้ำ")
    result = runner.invoke(args=["tokens", "create", "--province", "ratchaburi", "--name", "ซ้ำ"])
    assert result.exit_code != 0 and "มีรหัสที่ยังใช้ได้ชื่อ" in result.output
    assert len(rows(several)) == 1


def test_list_and_revoke(several):
    token = made(cli(several, "tokens", "create", "--province", "ratchaburi", "--name", "ก"))
    cli(several, "tokens", "create", "--all-provinces", "--name", "ข")
    out = cli(several, "tokens", "list")
    assert "#1\tratchaburi\tก\tราชบุรี\tใช้ได้" in out and "#2\t*\tข\tทุกจังหวัด" in out
    assert "ใช้ล่าสุด -" in out and "npt_" not in out
    c = several.test_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/v1/progress", headers=bearer).status_code == 200
    assert "ยกเลิกรหัส API #1" in cli(several, "tokens", "revoke", "1")
    assert c.get("/api/v1/progress", headers=bearer).status_code == 403
    assert c.get("/dashboard?province=ratchaburi", headers=bearer).status_code == 403
    assert "ยกเลิกแล้ว 19 เม.ย. 2565" in cli(several, "tokens", "list")
    result = several.test_cli_runner().invoke(args=["tokens", "revoke", "1"])
    assert result.exit_code != 0 and "ไม่มีรหัส API #1" in result.output
    [audit] = audit_rows(several, action="token_revoke")
    assert (audit.actor, audit.province_key) == (actor(), "ratchaburi")


def test_last_use_is_written_at_most_once_a_minute(several):
    token = made(cli(several, "tokens", "create", "--province", "ratchaburi", "--name", "ก"))
    bearer = {"Authorization": f"Bearer {token}"}
    c = several.test_client()
    t0 = dt.datetime(2022, 4, 19, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    for minutes, expected in ((0, 0), (0.5, 0), (1.5, 1.5), (2, 1.5), (3, 3)):
        several.config["CLOCK"] = fixed_clock(t0 + dt.timedelta(minutes=minutes))
        assert c.get("/api/v1/progress", headers=bearer).status_code == 200
        [row] = rows(several)
        last = row.last_used_at.replace(tzinfo=dt.timezone.utc) \
            if row.last_used_at.tzinfo is None else row.last_used_at
        assert last == t0 + dt.timedelta(minutes=expected), minutes
    assert "ใช้ล่าสุด 19 เม.ย. 2565 10:03 น." in cli(several, "tokens", "list")


def test_a_token_on_the_dashboard_is_its_province_admin(several):
    token = made(cli(several, "tokens", "create", "--province", "ratchaburi", "--name", "สคบ"))
    bearer = {"Authorization": f"Bearer {token}"}
    c = several.test_client()
    page = c.get("/dashboard?province=ratchaburi", headers=bearer)
    assert page.status_code == 200 and "กาญจนบุรี" not in page.text
    xlsx = c.get("/dashboard/export.xlsx?province=ratchaburi", headers=bearer)
    assert xlsx.status_code == 200
    [row] = audit_rows(several, action="export")
    assert (row.actor, row.province_key, row.detail["format"], row.detail["via"]) == \
        ("token:สคบ", "ratchaburi", "xlsx", "bearer")
    assert c.get("/dashboard?province=kanchanaburi", headers=bearer).status_code == 403
    assert c.get("/dashboard/national", headers=bearer).status_code == 403
    # a bearer that looks like a token but is none; one that is nothing like it
    for wrong in ("npt_" + "x" * 43, token[:-1], "plain-wrong"):
        resp = c.get("/api/v1/progress", headers={"Authorization": f"Bearer {wrong}"})
        assert resp.status_code == 403 and "WWW-Authenticate" in resp.headers
