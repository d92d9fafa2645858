"""The web's role matrix: every person and token × every HTTP route of the dashboard and the
API, in their own province (and district) and in another, with forged ``province=`` and
``district=`` parameters (a key, a Thai name, a district key that Kanchanaburi has too) →
allowed or refused exactly as bot.core.roles.ACCESS says (docs/operations.md, "Who sees what").

Two provinces: Ratchaburi (the real plan) and a made-up Kanchanaburi whose districts include a
ban-pong of its own. People log in through the fake LINE Login; scripts send bearers: the shared
DASHBOARD_TOKEN, an API token of Ratchaburi, one of every province, and a revoked one.
"""
from __future__ import annotations

import pytest

from bot.web import tokens
from tests.dashboard.conftest import (AUTH, HEAD_K_BANPONG, HEAD_R_BANPONG, OFFICER_R,
                                      PROVINCE_ADMIN_K, PROVINCE_ADMIN_R, STRANGER, grant_roles,
                                      line_config, line_login, plan_files, seed_plans)
from tests.helpers import ADMIN, Chat

R, K = "ratchaburi", "kanchanaburi"
D, PR, HR, PK, HK, OF, ST = "D", "P-R", "H-R", "P-K", "H-K", "officer", "stranger"
TD, TR, TA, TX, NONE = "DASHBOARD_TOKEN", "token-R", "token-all", "token-revoked", "nobody"
PEOPLE = {D: ADMIN, PR: PROVINCE_ADMIN_R, HR: HEAD_R_BANPONG, PK: PROVINCE_ADMIN_K,
          HK: HEAD_K_BANPONG, OF: OFFICER_R, ST: STRANGER}
WHO = [D, PR, HR, PK, HK, OF, ST, TD, TR, TA, TX, NONE]

OK, NO, NOROLE, AWAY, LOGIN, UNAUTH, BAD = 200, 403, "no-role", 302, "login", 401, 400


def row(default, **per):
    """{who: expected} for every identity: ``default``, except those named (by their
    variable: D=…, PR=…)."""
    names = {"D": D, "PR": PR, "HR": HR, "PK": PK, "HK": HK, "OF": OF, "ST": ST, "TD": TD,
             "TR": TR, "TA": TA, "TX": TX, "NONE": NONE}
    out = {w: default for w in WHO}
    out.update({names[k]: v for k, v in per.items()})
    return out


def dash(default=NO, **per):
    """A dashboard route: officers and strangers get the no-role page; a revoked token 403;
    no credentials → the login page (302)."""
    return row(default, OF=NOROLE, ST=NOROLE, TX=NO, NONE=LOGIN, **per)


def api(default=NO, **per):
    """An API route: bearers only (a browser's session is no credential there)."""
    return row(default, D=UNAUTH, PR=UNAUTH, HR=UNAUTH, PK=UNAUTH, HK=UNAUTH, OF=UNAUTH,
               ST=UNAUTH, NONE=UNAUTH, TX=NO, **per)


# route → who → what they get
MATRIX = {
    # a province's dashboard
    f"/dashboard?province={R}": dash(D=OK, PR=OK, HR=AWAY, TD=OK, TR=OK, TA=OK),
    f"/dashboard?province={K}": dash(D=OK, PK=OK, HK=AWAY, TD=OK, TA=OK),
    "/dashboard?province=ราชบุรี": dash(D=OK, PR=OK, HR=AWAY, TD=OK, TR=OK, TA=OK),
    "/dashboard?province=nowhere": dash(D=404, TD=404, TA=404),
    # no province named, two loaded: the department's national page, everyone else their own
    "/dashboard": dash(D=AWAY, PR=AWAY, HR=AWAY, PK=AWAY, HK=AWAY, TD=AWAY, TR=AWAY, TA=AWAY),
    # a district: the filter of a province admin's page, a district head's whole page
    f"/dashboard?province={R}&district=ban-pong": dash(D=OK, PR=OK, HR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard?province={R}&district=photharam": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard?province={K}&district=ban-pong": dash(D=OK, PK=OK, HK=OK, TD=OK, TA=OK),
    f"/dashboard?province={K}&district=tha-muang": dash(D=OK, PK=OK, TD=OK, TA=OK),
    "/dashboard?province=ราชบุรี&district=ban-pong": dash(D=OK, PR=OK, HR=OK, TD=OK, TR=OK,
                                                          TA=OK),
    f"/dashboard?province={R}&district=no-such": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard?province={R}&district=ban-pong&fiscal_year=2565&indicator=jpt":
        dash(D=OK, PR=OK, HR=OK, TD=OK, TR=OK, TA=OK),
    # every province at once
    "/dashboard/national": dash(D=OK, TD=OK, TA=OK),
    "/dashboard/national?fiscal_year=2565": dash(D=OK, TD=OK, TA=OK),
    # exports and the brief: province admins and up, never a district head
    f"/dashboard/export.xlsx?province={R}": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard/export.csv?province={R}": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard/export.csv?province={K}": dash(D=OK, PK=OK, TD=OK, TA=OK),
    f"/dashboard/export.csv?province={R}&district=ban-pong": dash(D=OK, PR=OK, TD=OK, TR=OK,
                                                                  TA=OK),
    "/dashboard/export.csv": dash(D=BAD, PR=AWAY, PK=AWAY, TD=BAD, TR=AWAY, TA=BAD),
    f"/dashboard/brief?province={R}": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard/brief?province={K}": dash(D=OK, PK=OK, TD=OK, TA=OK),
    f"/dashboard/brief.pdf?province={R}": dash(D=OK, PR=OK, TD=OK, TR=OK, TA=OK),
    f"/dashboard/brief.pdf?province={K}&date=2565-04-01": dash(D=OK, PK=OK, TD=OK, TA=OK),
    # the API
    f"/api/v1/progress?province={R}": api(TD=OK, TR=OK, TA=OK),
    f"/api/v1/progress?province={K}": api(TD=OK, TA=OK),
    "/api/v1/progress?province=กาญจนบุรี": api(TD=OK, TA=OK),
    "/api/v1/progress": api(TD=BAD, TR=OK, TA=BAD),
    "/api/v1/progress?province=nowhere": api(TD=404, TA=404),
    "/api/v1/provinces": api(TD=OK, TR=OK, TA=OK),
    "/api/v1/summary": api(TD=OK, TA=OK),
    "/api/v1/status": api(TD=OK, TA=OK),
    "/healthz": row(OK),
}


@pytest.fixture
def world(make_dash_app, fake_line, tmp_path, monkeypatch):
    """The app, its clients (one per identity) and the tokens."""
    from bot.web.dashboard import brief
    monkeypatch.setattr(brief, "pdf_of", lambda b: b"%PDF-1.7 stub")  # access, not drawing
    app = make_dash_app(PLAN_FILE=plan_files(tmp_path, ratchaburi_2566=False),
                        **line_config(fake_line))
    seed_plans(app, Chat(app, fake_line), ratchaburi_2566=False)
    grant_roles(app)
    svc = app.extensions["nongpat"]
    import datetime as dt
    now = dt.datetime(2022, 4, 19, 3, tzinfo=dt.timezone.utc)
    with svc.sessions() as s, s.begin():
        _, tok_r = tokens.create(s, R, "สำนักงานจังหวัดราชบุรี", by="cli:test", at=now)
        _, tok_all = tokens.create(s, None, "กรม", by="cli:test", at=now)
        gone, tok_gone = tokens.create(s, R, "เลิกใช้แล้ว", by="cli:test", at=now)
        tokens.revoke(s, gone.id, by="cli:test", at=now)
    clients = {}
    for who, user in PEOPLE.items():
        c = app.test_client()
        assert line_login(c, fake_line, user).status_code == 302, who
        clients[who] = (c, {})
    for who, header in ((TD, AUTH["Authorization"]), (TR, f"Bearer {tok_r}"),
                        (TA, f"Bearer {tok_all}"), (TX, f"Bearer {tok_gone}")):
        clients[who] = (app.test_client(), {"Authorization": header})
    clients[NONE] = (app.test_client(), {})
    return app, clients


def outcome(resp) -> object:
    if resp.status_code == 403 and b'id="no-role"' in resp.data:
        return NOROLE
    if resp.status_code == 302 and "/dashboard/login" in resp.headers["Location"]:
        return LOGIN
    return resp.status_code


def test_every_role_on_every_route(world):
    app, clients = world
    wrong = []
    for path, expected in MATRIX.items():
        for who in WHO:
            c, headers = clients[who]
            got = outcome(c.get(path, headers=headers))
            if got != expected[who]:
                wrong.append(f"{who:>14} {path}: got {got}, expected {expected[who]}")
    assert not wrong, "\n" + "\n".join(wrong)
    # every GET route of the app is in the matrix
    routes = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    tried = {p.split("?")[0] for p in MATRIX}
    untried = routes - tried - {"/dashboard/static/<path:filename>", "/dashboard/",
                                "/dashboard/login", "/dashboard/login/line",
                                "/dashboard/login/line/callback", "/static/<path:filename>"}
    assert not untried, untried


def test_redirects_take_each_to_their_own_place(world):
    _, clients = world

    def where(who, path):
        c, headers = clients[who]
        return c.get(path, headers=headers).headers["Location"]
    assert where(D, "/dashboard").startswith("/dashboard/national")
    assert where(TA, "/dashboard").startswith("/dashboard/national")
    assert where(PR, "/dashboard") == f"/dashboard?province={R}"
    assert where(PK, "/dashboard") == f"/dashboard?province={K}"
    assert where(TR, "/dashboard") == f"/dashboard?province={R}"
    assert where(HR, "/dashboard") == f"/dashboard?province={R}"
    assert where(HR, f"/dashboard?province={R}") == f"/dashboard?province={R}&district=ban-pong"
    assert where(HK, f"/dashboard?province={K}") == f"/dashboard?province={K}&district=ban-pong"
    assert where(PR, "/dashboard/export.csv") == f"/dashboard/export.csv?province={R}"


def test_a_province_admin_sees_only_their_province(world):
    _, clients = world
    c, _ = clients[PR]
    page = c.get(f"/dashboard?province={R}").text
    assert "จังหวัดราชบุรี" in page
    assert "กาญจนบุรี" not in page and 'id="national-link"' not in page
    assert 'id="choose-province"' not in page                 # one province: no chooser
    csv = c.get(f"/dashboard/export.csv?province={R}").data.decode("utf-8-sig")
    assert "บ้านโป่ง" in csv and "กาญจนบุรี" not in csv and "ท่าม่วง" not in csv
    refused = c.get(f"/dashboard/export.csv?province={K}")
    assert refused.status_code == 403 and "กาญจนบุรี" not in refused.text


def test_a_district_head_sees_only_their_district(world):
    _, clients = world
    c, _ = clients[HR]
    page = c.get(f"/dashboard?province={R}&district=ban-pong").text
    assert "อำเภอบ้านโป่ง" in page and 'data-district="ban-pong"' in page
    assert "1,200" in page                                  # their district's จปฐ.
    # no other district's figures or names, not the province's totals
    for other in ("โพธาราม", "เมืองราชบุรี", "ดำเนินสะดวก", "บางแพ", "ปากท่อ", "จอมบึง", "วัดเพลง",
                  "สวนผึ้ง", "บ้านคา", "Uphotharam", "ทั้งจังหวัด", "รวมจังหวัด", "1,235"):
        assert other not in page, other
    assert page.count('<tr data-district=') == 1
    assert 'id="export-xlsx"' not in page and 'id="brief-link"' not in page
    assert 'id="looked"' not in page and 'id="national-link"' not in page
    # the same key in another province is not theirs
    assert c.get(f"/dashboard?province={K}&district=ban-pong").status_code == 403
    # the API is not a way round: a session is no bearer
    assert c.get(f"/api/v1/progress?province={R}").status_code == 401


def test_a_province_token_reads_its_province(world):
    _, clients = world
    c, headers = clients[TR]
    doc = c.get("/api/v1/progress", headers=headers).get_json()
    assert doc["province"] == "ราชบุรี"
    listed = c.get("/api/v1/provinces", headers=headers).get_json()
    assert [p["key"] for p in listed["provinces"]] == [R] and listed["fiscal_years"] == [2565]
    assert c.get(f"/api/v1/progress?province={K}", headers=headers).get_json() == \
        {"error": "this token may not read this"}
    everything = clients[TA]
    assert {p["key"] for p in everything[0].get("/api/v1/provinces",
                                                headers=everything[1]).get_json()["provinces"]} \
        == {R, K}
