"""Nothing lost to our own bugs or a database that refuses: failed events are kept and
replayed once; a refused body is spooled (200), applied once when the database is back; a disk
that refuses too gives 503."""
import json
import logging
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

import handlers.log
from bot.logs import JsonFormatter
from bot.service import APOLOGY, Bot
from models import Entry, FailedEvent
from tests.helpers import (DASHBOARD_TOKEN, body_of, entry_count, post, redelivered_event,
                           sign, text_event, totals)

G = "Cbanpong000000000000000000000000"
FAULTY = "บันทึก จปฐ 77 ครัวเรือน"


@pytest.fixture
def faulty(monkeypatch):
    """The answer to a log of 77 raises after the entry was written (a bug mid-handler)."""
    real = handlers.log.standing

    def standing(ctx, indicator, district, done=None):
        if "77" in ctx.text:
            raise RuntimeError("a bug in the answer")
        return real(ctx, indicator, district, done)
    monkeypatch.setattr(handlers.log, "standing", standing)
    return lambda: monkeypatch.setattr(handlers.log, "standing", real)


def failed_rows(app):
    with app.extensions["nongpat"].sessions() as s:
        return [(f.event_id, f.status, f.attempts) for f in s.scalars(select(FailedEvent))]


def test_a_handler_that_raises_keeps_the_event_apologises_and_replays_once(app, chat, faulty):
    chat.bind(G)
    ev = text_event(FAULTY, user="Ua", group=G)
    assert chat.send(ev) == APOLOGY
    assert entry_count(app) == 0 and totals(app)[("jpt", "ban-pong", "")] == 0  # nothing half-done
    assert failed_rows(app) == [(ev["webhookEventId"], "failed", 1)]
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["events", "failed"])
    assert listed.exit_code == 0 and ev["webhookEventId"] in listed.output
    assert FAULTY in listed.output and "RuntimeError: a bug in the answer" in listed.output
    # replayed before the fix: fails again, still kept, nothing recorded
    again = runner.invoke(args=["events", "replay", ev["webhookEventId"]])
    assert again.exit_code != 0 and "failed" in again.output
    assert failed_rows(app) == [(ev["webhookEventId"], "failed", 2)] and entry_count(app) == 0
    faulty()  # the fix
    done = runner.invoke(args=["events", "replay", ev["webhookEventId"]])
    assert done.exit_code == 0 and "replayed" in done.output
    assert totals(app)[("jpt", "ban-pong", "")] == 77 and entry_count(app) == 1
    for args in (["events", "replay", ev["webhookEventId"]], ["events", "replay", "--failed"]):
        assert runner.invoke(args=args).exit_code == 0
    assert totals(app)[("jpt", "ban-pong", "")] == 77 and entry_count(app) == 1
    assert failed_rows(app) == [(ev["webhookEventId"], "replayed", 2)]
    # its reply token is long gone: the group hears of it with the next answer there
    r = chat.say("ยอด จปฐ แบบข้อความ", user="Ub", group=G)
    assert "ระหว่างระบบขัดข้อง" in r and "จปฐ. 77 ครัวเรือน" in r
    # and LINE redelivering the event now changes nothing
    assert chat.send(redelivered_event(ev)) is None
    assert entry_count(app) == 1


def test_a_redelivery_after_the_fix_applies_it_and_the_replay_then_does_nothing(app, chat,
                                                                               faulty):
    chat.bind(G)
    ev = text_event(FAULTY, user="Ua", group=G)
    chat.send(ev)
    faulty()
    assert chat.send(redelivered_event(ev)).startswith("✅ บันทึกแล้วครับ")
    assert failed_rows(app)[0][1] == "redelivered"
    result = app.test_cli_runner().invoke(args=["events", "replay", "--failed"])
    assert result.exit_code == 0 and entry_count(app) == 1


def test_one_failing_event_does_not_stop_the_others_of_its_body(app, chat, faulty):
    chat.bind(G)
    a, b = text_event(FAULTY, user="Ua", group=G), text_event("บันทึก จปฐ 5 ครัวเรือน",
                                                               user="Ub", group=G)
    assert post(chat.client, a, b).status_code == 200
    assert totals(app)[("jpt", "ban-pong", "")] == 5 and len(failed_rows(app)) == 1


# --------------------------------------------------------------------------- the spool
class Refusal:
    """Every event's transaction refused, as by a database that went away (on/off)."""

    def __init__(self, monkeypatch):
        self.mp, self.real = monkeypatch, Bot._take

    def on(self):
        def refuse(bot, *a, **k):
            raise OperationalError("BEGIN IMMEDIATE", {}, Exception("unable to open database"))
        self.mp.setattr(Bot, "_take", refuse)

    def off(self):
        self.mp.setattr(Bot, "_take", self.real)


@pytest.fixture
def database(monkeypatch):
    return Refusal(monkeypatch)


def status(client) -> dict:
    r = client.get("/api/v1/status", headers={"Authorization": f"Bearer {DASHBOARD_TOKEN}"})
    assert r.status_code == 200
    return r.get_json()


def test_a_refused_body_is_spooled_answered_200_and_applied_once(app, chat, database):
    chat.bind(G)
    evs = [text_event(f"บันทึก จปฐ {n} ครัวเรือน", user=f"U{n}", group=G) for n in (3, 4, 5)]
    database.on()
    assert post(chat.client, *evs).status_code == 200
    assert entry_count(app) == 0
    st = status(chat.client)
    assert st["spooled_events"]["events"] == 3 and st["spooled_events"]["files"] == 1
    assert st["spooled_events"]["oldest_age_seconds"] >= 0
    assert st["this_process"]["spooled"] == 3
    database.off()  # the database is back
    result = app.test_cli_runner().invoke(args=["events", "replay", "--spool"])
    assert result.exit_code == 0 and "3 event(s) applied" in result.output
    assert totals(app)[("jpt", "ban-pong", "")] == 12 and entry_count(app) == 3
    assert status(chat.client)["spooled_events"]["events"] == 0
    # LINE redelivering them too (console setting on) changes nothing
    assert post(chat.client, *[redelivered_event(e) for e in evs]).status_code == 200
    assert app.test_cli_runner().invoke(args=["events", "replay", "--spool"]).exit_code == 0
    assert totals(app)[("jpt", "ban-pong", "")] == 12 and entry_count(app) == 3


def test_the_web_process_applies_the_spool_by_itself_once_the_database_answers(
        app, chat, database):
    chat.bind(G)
    database.on()
    assert post(chat.client, text_event("บันทึก จปฐ 9 ครัวเรือน", user="Ua", group=G)
                ).status_code == 200
    database.off()
    deadline = time.monotonic() + 15
    while entry_count(app) == 0:  # the worker's drainer polls every 2 s
        assert time.monotonic() < deadline, "the spool was never applied"
        time.sleep(0.2)
    assert totals(app)[("jpt", "ban-pong", "")] == 9


def test_a_disk_that_refuses_while_the_database_is_down_gives_503(make_app, tmp_path,
                                                                  database):
    database.on()
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    app = make_app(SPOOL_DIR=str(blocker / "spool"))
    ev = text_event("บันทึก จปฐ 9 ครัวเรือน", user="Ua", group=G)
    assert post(app.test_client(), ev).status_code == 503
    assert not (blocker.parent / "spool").exists()


def test_a_spool_file_is_whole_json_lines_in_order(app, chat, database):
    database.on()
    evs = [text_event(f"ยอด {n}", user="Ua", group=G) for n in range(4)]
    post(chat.client, *evs[:2])
    post(chat.client, *evs[2:])
    files = sorted(Path(app.config["SPOOL_DIR"]).glob("*.jsonl"))
    assert len(files) == 2 and not list(Path(app.config["SPOOL_DIR"]).glob("*.tmp"))
    read = [json.loads(line) for f in files for line in f.read_text().splitlines()]
    assert [e["webhookEventId"] for e in read] == [e["webhookEventId"] for e in evs]


# --------------------------------------------------------------------------- logs and status
def test_status_needs_the_bearer_token(client):
    assert client.get("/api/v1/status").status_code == 401
    assert client.get("/api/v1/status", headers={"Authorization": "Bearer nope"}
                      ).status_code == 403


def test_each_event_logs_one_structured_line(app, chat, caplog):
    chat.bind(G)
    with caplog.at_level(logging.INFO, logger="bot.service"):
        ev = text_event("บันทึก จปฐ 5 ครัวเรือน", user="Ua", group=G)
        chat.send(ev)
        chat.send(redelivered_event(ev))
    lines = [r for r in caplog.records if getattr(r, "fields", None)
             and r.fields["event_id"] == ev["webhookEventId"]]
    assert [r.fields["outcome"] for r in lines] == ["recorded", "duplicate"]
    doc = json.loads(JsonFormatter().format(lines[0]))
    assert doc["event_id"] == ev["webhookEventId"] and doc["chat"] == G
    assert doc["outcome"] == "recorded" and doc["ms"] >= 0 and doc["level"] == "INFO"


def test_ids_no_database_can_store_are_not_ids_and_leave_nothing_stuck(app, chat):
    chat.bind(G)
    ev = text_event("บันทึก จปฐ 5 ครัวเรือน", user="U\ud800x", group="C\udfffx",
                    eid="01BAD\ud800EVENT")
    assert post(chat.client, ev).status_code == 200
    assert not list(Path(app.config["SPOOL_DIR"]).glob("**/*.jsonl"))
    assert failed_rows(app) == [] and entry_count(app) == 0


def test_an_event_that_raises_while_applying_the_spool_is_set_aside_not_blocking(tmp_path):
    from bot.spool import Spool
    spool = Spool(tmp_path / "spool")
    spool.keep([{"webhookEventId": "a"}, {"webhookEventId": "poison"}])
    spool.keep([{"webhookEventId": "b"}])
    applied = []

    def apply(ev):
        if ev["webhookEventId"] == "poison":
            raise ValueError("a bug")
        applied.append(ev["webhookEventId"])
    assert spool.drain(apply, transient=lambda exc: isinstance(exc, OperationalError)) == 2
    assert applied == ["a", "b"] and not spool.pending()
    assert spool.status()["set_aside"] == 1
    kept = Spool.read(Spool(tmp_path / "spool" / "poison").files()[0])
    assert kept == [{"webhookEventId": "poison"}]
    # a transient error stops the drain and keeps the file for the next try
    spool.keep([{"webhookEventId": "c"}])

    def refuse(ev):
        raise OperationalError("x", {}, Exception("down"))
    with pytest.raises(OperationalError):
        spool.drain(refuse, transient=lambda exc: isinstance(exc, OperationalError))
    assert spool.pending()
