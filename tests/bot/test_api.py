"""GET /api/v1/progress exactly as interface.md shows it; with several plans, the choice of
one (?province=&fiscal_year=), GET /api/v1/provinces and GET /api/v1/summary."""
import pytest

from tests.dashboard.conftest import plan_files, seed_plans
from tests.helpers import DASHBOARD_TOKEN, Chat

G = "Cbanpong000000000000000000000000"
AUTH = {"Authorization": f"Bearer {DASHBOARD_TOKEN}"}


def test_progress_requires_the_bearer_token(client, make_app):
    assert client.get("/api/v1/progress").status_code == 401
    assert client.get("/api/v1/progress", headers={"Authorization": "Bearer nope"}).status_code == 403
    no_token = make_app(DASHBOARD_TOKEN=None).test_client()
    assert no_token.get("/api/v1/progress", headers=AUTH).status_code in (401, 403)


def test_progress_document(client, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G)
    chat.say("บันทึก TPMAP 3 ครัวเรือน มิติรายได้", group=G)
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม สัมมาชีพ", group=G, user="Uother")
    chat.say("บันทึก ออมทรัพย์ 1 กลุ่ม", group=G, user="Uother")
    chat.say("ยกเลิก", group=G, user="Uother")  # done counts entries that are not undone
    doc = client.get("/api/v1/progress", headers=AUTH).get_json()
    assert doc["province"] == "ราชบุรี" and doc["fiscal_year"] == 2565
    by = {i["key"]: i for i in doc["indicators"]}
    assert set(by) == {"jpt", "tpmap", "savings"}
    jpt = by["jpt"]
    assert (jpt["name"], jpt["unit"], jpt["target"], jpt["done"]) == ("จปฐ.", "ครัวเรือน", 167839, 120)
    assert len(jpt["districts"]) == 10 and jpt["categories"] == []
    bp = next(d for d in jpt["districts"] if d["key"] == "ban-pong")
    assert {k: bp[k] for k in ("key", "name", "target", "done")} == \
        {"key": "ban-pong", "name": "บ้านโป่ง", "target": 34227, "done": 120}
    # 19 Apr 2565: the line from 21 Mar to 1 May stands at 22,379 of 34,227; 9 working days left
    assert (bp["status"], bp["silent"], bp["expected"]) == ("behind", False, 22379)
    assert bp["needed_per_working_day"] == round((34227 - 120) / 9, 2)
    assert bp["last_entry_at"].startswith("2022-04-19T") and bp["last_entry_at"].endswith("+00:00")
    quiet = next(d for d in jpt["districts"] if d["key"] == "bang-phae")
    assert (quiet["status"], quiet["silent"], quiet["last_entry_at"]) == ("behind", True, None)
    assert (jpt["status"], jpt["expected"]) == ("behind", 109740)
    assert all(d["done"] == 0 for d in jpt["districts"] if d["key"] != "ban-pong")
    tp = by["tpmap"]
    assert (tp["target"], tp["done"], tp["unit"]) == (4038, 3, "ครัวเรือน")
    tbp = next(d for d in tp["districts"] if d["key"] == "ban-pong")
    assert (tbp["target"], tbp["done"], tbp["status"], tbp["expected"]) == (None, 3, "no-target", None)
    assert {c["key"] for c in tp["categories"]} == {"health", "living", "education",
                                                   "public-services", "income"}
    assert {"key": "income", "name": "รายได้", "target": 3015, "done": 3} in tp["categories"]
    sv = by["savings"]
    assert (sv["unit"], sv["target"], sv["done"]) == ("กลุ่ม", 41, 1)
    assert {c["key"] for c in sv["categories"]} == {"kkkj", "mother-fund", "sammachip", "sufficiency"}
    assert next(c for c in sv["categories"] if c["key"] == "sammachip")["done"] == 1


def test_reads_do_not_wait_for_a_writer(app, client, chat, database_url):
    """The API (like the dashboard, exports and an event's context) reads a snapshot: a writer
    holding SQLite's write lock does not make it wait (it would, 30 s, under BEGIN IMMEDIATE)."""
    import sqlite3
    import time

    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer lock")
    chat.bind(G)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G)
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE progress SET done = done + 1000 WHERE indicator_key = 'jpt'")
    try:
        t0 = time.monotonic()
        doc = client.get("/api/v1/progress", headers=AUTH).get_json()
        assert time.monotonic() - t0 < 2
        assert {i["key"]: i["done"] for i in doc["indicators"]}["jpt"] == 120  # last commit
    finally:
        writer.execute("ROLLBACK")
        writer.close()


# --------------------------------------------------------------------------- several plans
@pytest.fixture
def several(make_app, fake_line, tmp_path):
    """Ratchaburi 2565 (real) and 2566 (made up), Kanchanaburi 2565 (made up, with its own
    ban-pong), each with entries (see seed_plans)."""
    app = make_app(PLAN_FILE=plan_files(tmp_path))
    seed_plans(app, Chat(app, fake_line))
    return app.test_client()


def _done(doc: dict) -> dict:
    return {i["key"]: (i["done"], {d["key"]: d["done"] for d in i["districts"] if d["done"]})
            for i in doc["indicators"]}


def test_one_plan_answers_the_same_with_or_without_a_choice(client, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G)
    plain = client.get("/api/v1/progress", headers=AUTH)
    assert set(plain.get_json()) == {"province", "fiscal_year", "indicators"}
    for q in ("province=ratchaburi", "fiscal_year=2565", "province=ราชบุรี&fiscal_year=2565",
              "province=&fiscal_year="):
        same = client.get(f"/api/v1/progress?{q}", headers=AUTH)
        assert same.status_code == 200 and same.data == plain.data, q
    assert client.get("/api/v1/progress?fiscal_year=2566", headers=AUTH).get_json() == \
        {"error": "province 'ratchaburi' has no plan for fiscal year 2566",
         "province": "ratchaburi", "fiscal_years": [2565]}


def test_several_provinces_need_a_choice(several):
    resp = several.get("/api/v1/progress", headers=AUTH)
    assert resp.status_code == 400
    assert resp.get_json()["provinces"] == ["kanchanaburi", "ratchaburi"]   # Thai order
    assert "province" in resp.get_json()["error"]
    unknown = several.get("/api/v1/progress?province=chiang-mai", headers=AUTH)
    assert unknown.status_code == 404
    assert unknown.get_json()["provinces"] == ["kanchanaburi", "ratchaburi"]
    no_year = several.get("/api/v1/progress?province=ratchaburi&fiscal_year=2570", headers=AUTH)
    assert no_year.status_code == 404 and no_year.get_json()["fiscal_years"] == [2565, 2566]
    bad = several.get("/api/v1/progress?province=ratchaburi&fiscal_year=next", headers=AUTH)
    assert bad.status_code == 400 and "fiscal_year" in bad.get_json()["error"]
    assert several.get("/api/v1/progress?province=ratchaburi").status_code == 401


def test_progress_of_the_chosen_plan(several):
    def doc(q):
        resp = several.get(f"/api/v1/progress?{q}", headers=AUTH)
        assert resp.status_code == 200, resp.data
        return resp.get_json()
    r = doc("province=ratchaburi")                       # the current plan: 2565 on 19 Apr 2022
    assert (r["province"], r["fiscal_year"]) == ("ราชบุรี", 2565)
    assert _done(r)["jpt"] == (1235, {"ban-pong": 1200, "photharam": 35})
    assert _done(r)["tpmap"] == (3, {"ban-pong": 3}) and _done(r)["savings"] == (0, {})
    assert doc("province=ratchaburi&fiscal_year=2565") == r
    assert doc("province=ราชบุรี") == r and doc("province=จังหวัดราชบุรี") == r
    k = doc("province=kanchanaburi")                     # its own ban-pong, its own figures
    assert (k["province"], k["fiscal_year"]) == ("กาญจนบุรี", 2565)
    assert [d["key"] for d in k["indicators"][0]["districts"]] == \
        ["mueang-kanchanaburi", "tha-muang", "tha-maka", "ban-pong"]
    assert _done(k) == {"jpt": (800, {"ban-pong": 500, "tha-muang": 300}),
                        "tpmap": (0, {}), "savings": (1, {"tha-muang": 1})}
    nxt = doc("province=ratchaburi&fiscal_year=2566")
    assert nxt["fiscal_year"] == 2566
    assert _done(nxt) == {"jpt": (77, {"ban-pong": 77}), "tpmap": (0, {}), "savings": (0, {})}
    assert doc("province=ratchaburi&fiscal_year=2023") == nxt    # C.E. 2023 = B.E. 2566
    assert set(r) == set(k) == set(nxt) == {"province", "fiscal_year", "indicators"}


def test_provinces_of_one_plan(client):
    assert client.get("/api/v1/provinces", headers=AUTH).get_json() == {
        "provinces": [{"key": "ratchaburi", "name": "ราชบุรี", "current_fiscal_year": 2565,
                       "plans": [{"key": "ratchaburi-2565", "fiscal_year": 2565,
                                  "pinned": False, "current": True}]}],
        "fiscal_years": [2565]}


def test_provinces(several):
    resp = several.get("/api/v1/provinces", headers=AUTH)
    assert resp.status_code == 200
    assert resp.get_json() == {
        "provinces": [
            {"key": "kanchanaburi", "name": "กาญจนบุรี", "current_fiscal_year": 2565,
             "plans": [{"key": "kanchanaburi-2565", "fiscal_year": 2565, "pinned": False,
                        "current": True}]},
            {"key": "ratchaburi", "name": "ราชบุรี", "current_fiscal_year": 2565,
             "plans": [{"key": "ratchaburi-2565", "fiscal_year": 2565, "pinned": False,
                        "current": True},
                       {"key": "ratchaburi-2566", "fiscal_year": 2566, "pinned": False,
                        "current": False}]}],
        "fiscal_years": [2565, 2566]}
    assert several.get("/api/v1/provinces").status_code == 401
    wrong = several.get("/api/v1/provinces", headers={"Authorization": "Bearer x"})
    assert wrong.status_code == 403


def test_summary_is_the_sum_of_the_provinces(several):
    resp = several.get("/api/v1/summary", headers=AUTH)
    assert resp.status_code == 200
    summary = resp.get_json()
    assert summary["fiscal_year"] is None and summary["provinces_without_plan"] == []
    docs = {p: several.get(f"/api/v1/progress?province={p}", headers=AUTH).get_json()
            for p in ("ratchaburi", "kanchanaburi")}
    assert [i["key"] for i in summary["indicators"]] == ["jpt", "tpmap", "savings"]
    for ind in summary["indicators"]:
        per = {p: next(i for i in d["indicators"] if i["key"] == ind["key"])
               for p, d in docs.items()}
        assert ind["target"] == sum(i["target"] for i in per.values())
        assert ind["done"] == sum(i["done"] for i in per.values())
        assert ind["percent"] == round(100 * ind["done"] / ind["target"], 1)
        assert {p["key"] for p in ind["provinces"]} == set(per)
        for p in ind["provinces"]:
            assert (p["target"], p["done"], p["fiscal_year"]) == \
                (per[p["key"]]["target"], per[p["key"]]["done"], 2565)
            assert p["name"] == docs[p["key"]]["province"]
        ranks = [p["done"] / p["target"] for p in ind["provinces"]]
        assert ranks == sorted(ranks, reverse=True)
    jpt = summary["indicators"][0]
    assert [p["key"] for p in jpt["provinces"]] == ["kanchanaburi", "ratchaburi"]
    assert jpt["done"] == 1235 + 800 and jpt["provinces"][1]["percent"] == 0.7

    y66 = several.get("/api/v1/summary?fiscal_year=2566", headers=AUTH).get_json()
    assert y66["fiscal_year"] == 2566 and y66["provinces_without_plan"] == ["kanchanaburi"]
    assert [(p["key"], p["done"]) for p in y66["indicators"][0]["provinces"]] == \
        [("ratchaburi", 77)]
    assert y66["indicators"][0]["done"] == 77
    y65 = several.get("/api/v1/summary?fiscal_year=2565", headers=AUTH).get_json()
    assert y65["indicators"] == summary["indicators"] and y65["fiscal_year"] == 2565
    missing = several.get("/api/v1/summary?fiscal_year=2570", headers=AUTH)
    assert missing.status_code == 404 and missing.get_json()["fiscal_years"] == [2565, 2566]
    assert several.get("/api/v1/summary?fiscal_year=x", headers=AUTH).status_code == 400
    assert several.get("/api/v1/summary").status_code == 401


def test_summary_reads_only_the_counters(several):
    """However many entries there are, the summary is one aggregate over `progress`."""
    from sqlalchemy import event
    app = several.application
    engine = app.extensions["nongpat"].engine
    statements = []
    listen = lambda conn, cursor, sql, *a: statements.append(sql.lower())  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        assert several.get("/api/v1/summary", headers=AUTH).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert not any("entries" in s for s in statements), statements
    assert sum("progress" in s for s in statements) == 1


def test_summary_of_one_plan(client, chat):
    chat.bind(G)
    chat.say("บันทึก จปฐ 120 ครัวเรือน", group=G)
    doc = client.get("/api/v1/progress", headers=AUTH).get_json()
    summary = client.get("/api/v1/summary", headers=AUTH).get_json()
    for ind, mine in zip(summary["indicators"], doc["indicators"]):
        assert (ind["key"], ind["target"], ind["done"]) == \
            (mine["key"], mine["target"], mine["done"])
        assert ind["provinces"] == [{"key": "ratchaburi", "name": "ราชบุรี", "fiscal_year": 2565,
                                     "target": mine["target"], "done": mine["done"],
                                     "percent": ind["percent"]}]
