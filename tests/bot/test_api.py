"""GET /api/v1/progress exactly as interface.md shows it."""
from tests.helpers import DASHBOARD_TOKEN

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
    assert bp == {"key": "ban-pong", "name": "บ้านโป่ง", "target": 34227, "done": 120}
    assert all(d["done"] == 0 for d in jpt["districts"] if d["key"] != "ban-pong")
    tp = by["tpmap"]
    assert (tp["target"], tp["done"], tp["unit"]) == (4038, 3, "ครัวเรือน")
    assert {"key": "ban-pong", "name": "บ้านโป่ง", "target": None, "done": 3} in tp["districts"]
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

    import pytest
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
