"""Rounds against the fake LINE server, on SQLite and (TEST_DATABASE_URL) PostgreSQL."""
from __future__ import annotations

import collections
import contextlib
import threading

import pytest
from sqlalchemy import select

from bot.db import MIGRATE_LOCK_ID, make_engine, make_sessionmaker
from bot.line.client import Line
from bot.core.plans import PlanCache
from models import ReminderDelivery
from reminders import rounds as rounds_mod
from reminders.rounds import REMINDER_LOCK_ID, Rounds
from tests.helpers import TOKEN
from tests.reminders.conftest import FAST, bind, d, log_progress, unbound

DAY = d(2022, 4, 22)  # Friday: jpt-complete in 9 days, jpt-test-2 opens tomorrow


def ledger(svc, day=DAY) -> dict[str, ReminderDelivery]:
    with svc.sessions() as s:
        return {r.group_id: r for r in s.scalars(select(ReminderDelivery)
                                                 .where(ReminderDelivery.day == day))}


def per_group(fake) -> collections.Counter:
    with fake.lock:
        return collections.Counter(p.to for p in fake.pushes)


def standard_groups(svc):
    bind(svc, "Cbanpong", "ban-pong")
    bind(svc, "Cbanpong2", "ban-pong")
    bind(svc, "Cmueang", "mueang-ratchaburi")
    bind(svc, "Cprovince")
    bind(svc, "Cmuted", "photharam", muted=True)
    bind(svc, "Cleft", "pak-tho", left=True)
    unbound(svc, "Cunbound")


def test_one_message_per_group_per_day(svc, rounds, fake_line):
    standard_groups(svc)
    log_progress(svc, "jpt", "ban-pong", 1320)
    report = rounds.run(DAY)
    assert (report.planned, report.sent, report.failed, report.pending) == (4, 4, 0, 0)
    assert per_group(fake_line) == {"Cbanpong": 1, "Cbanpong2": 1, "Cmueang": 1, "Cprovince": 1}
    push = next(p for p in fake_line.pushes if p.to == "Cbanpong")
    assert [m["type"] for m in push.messages] == ["text", "flex"]
    assert "1,320 / 34,227 ครัวเรือน" in push.text and "ครับ" in push.text
    assert "สรุปประจำวันจังหวัดราชบุรี" in next(p for p in fake_line.pushes
                                                if p.to == "Cprovince").text
    rows = ledger(svc)
    assert set(rows) == {"Cbanpong", "Cbanpong2", "Cmueang", "Cprovince"}
    assert {r.status for r in rows.values()} == {"sent"}
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows.values())
    assert {p.retry_key for p in fake_line.pushes} == {r.retry_key for r in rows.values()}
    # the round again (a second tick, a restart): nothing new reaches LINE
    again = rounds.run(DAY)
    assert again.sent == 0 and again.delivered_before == 4
    assert sum(per_group(fake_line).values()) == 4


def test_nothing_due_nothing_sent(svc, rounds, fake_line):
    standard_groups(svc)
    report = rounds.run(d(2022, 4, 19))
    assert report.planned == 0 and fake_line.pushes == [] and ledger(svc, d(2022, 4, 19)) == {}


def test_500s_and_429s_are_retried_with_the_same_key(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    fake_line.fail_next["push"] = [500, 429, 503]
    report = rounds.run(DAY)
    assert report.sent == 1
    assert per_group(fake_line) == {"Cbanpong": 1}
    row = ledger(svc)["Cbanpong"]
    assert row.status == "sent" and row.attempts == 4
    assert fake_line.pushes[0].retry_key == row.retry_key
    with fake_line.lock:
        assert fake_line.requests.count(("POST", "/v2/bot/message/push")) == 4


def test_retries_used_up_leave_the_row_pending_for_the_next_run(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    fake_line.fail_next["push"] = [500] * FAST.attempts
    report = rounds.run(DAY)
    assert report.pending == 1 and fake_line.pushes == []
    row = ledger(svc)["Cbanpong"]
    assert row.status == "pending" and "500" in row.error
    report = rounds.run(DAY)
    assert report.sent == 1 and per_group(fake_line) == {"Cbanpong": 1}
    assert fake_line.pushes[0].retry_key == row.retry_key


def test_refused_push_is_failed_not_retried(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    fake_line.fail_next["push"] = [400]
    report = rounds.run(DAY)
    assert report.failed == 1
    assert ledger(svc)["Cbanpong"].status == "failed"
    assert rounds.run(DAY).sent == 0 and fake_line.pushes == []


class CrashingLine(Line):
    """LINE accepts the push, then the process 'dies' before the ledger says so."""

    def __init__(self, *a, crash_after: int, **kw):
        super().__init__(*a, **kw)
        self.crash_after, self.count, self.lock = crash_after, 0, threading.Lock()

    def push(self, to, reply, retry_key):
        with self.lock:
            if self.count >= self.crash_after:  # dead: a dead process pushes nothing more
                raise SystemExit("killed mid-round")
        result = super().push(to, reply, retry_key)
        with self.lock:
            self.count += 1
            if self.count >= self.crash_after:
                raise SystemExit("killed mid-round")
        return result


def test_crash_mid_round_then_restart_finishes_without_duplicates(svc, fake_line):
    standard_groups(svc)
    for n in range(6):
        bind(svc, f"Cextra{n}", "chom-bueng")
    crashing = Rounds(svc.engine, svc.sessions,
                      CrashingLine(fake_line.url, TOKEN, crash_after=3), plans=PlanCache(),
                      settings=FAST.__class__(**{**FAST.__dict__, "workers": 1}))
    with pytest.raises(SystemExit):
        crashing.run(DAY)
    accepted = len(fake_line.pushes)   # LINE took the third, then the process died
    assert accepted == 3
    rows = ledger(svc)
    statuses = collections.Counter(r.status for r in rows.values())
    assert len(rows) == 10 and statuses["sent"] == 2 and statuses["pending"] == 8
    # restarted
    report = Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(), settings=FAST).run(DAY)
    assert report.sent == 10 - accepted
    assert report.delivered_before == accepted   # the 409s: LINE already had those
    counts = per_group(fake_line)
    assert set(counts) == set(rows) and set(counts.values()) == {1}
    assert {r.status for r in ledger(svc).values()} == {"sent"}


def test_quota_nearly_exhausted_sends_only_urgent(svc, rounds, fake_line):
    # 18 Jul 2565: savings due in 14 days (not urgent) and jpt overdue (urgent) for districts
    # still short; ban-pong met its jpt target, so its reminder is not urgent
    day = d(2022, 7, 18)
    log_progress(svc, "jpt", "ban-pong", 34227)
    bind(svc, "Cbanpong", "ban-pong")
    bind(svc, "Cmueang", "mueang-ratchaburi")
    bind(svc, "Cprovince")
    fake_line.member_counts.update({"Cbanpong": 10, "Cmueang": 10, "Cprovince": 10})
    fake_line.quota_limit, fake_line.quota_used = 500, 475      # 25 left; the round needs 30
    report = rounds.run(day)
    assert report.quota == (500, 475) and report.estimate == 30
    assert per_group(fake_line) == {"Cmueang": 1, "Cprovince": 1}
    rows = ledger(svc, day)
    assert rows["Cbanpong"].status == "dropped" and "quota" in rows["Cbanpong"].error
    assert not rows["Cbanpong"].urgent and rows["Cmueang"].urgent
    assert report.dropped == 1 and report.sent == 2
    # the dropped one stays dropped: once per day, whatever happens
    fake_line.quota_limit = None
    assert rounds.run(day).sent == 0 and "Cbanpong" not in per_group(fake_line)


def test_quota_that_fits_sends_everything(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    bind(svc, "Cprovince")
    fake_line.quota_limit, fake_line.quota_used = 500, 400
    report = rounds.run(DAY)
    assert report.sent == 2 and report.estimate == 20 and report.dropped == 0


def test_group_muted_after_its_row_was_written_gets_nothing(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    fake_line.fail_next["push"] = [500] * FAST.attempts
    assert rounds.run(DAY).pending == 1
    bind(svc, "Cbanpong", "ban-pong", muted=True)
    report = rounds.run(DAY)
    assert report.dropped == 1 and fake_line.pushes == []
    assert ledger(svc)["Cbanpong"].status == "dropped"


def test_without_access_token_nothing_is_written(svc, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    r = Rounds(svc.engine, svc.sessions, Line(fake_line.url, None), settings=FAST)
    report = r.run(DAY)
    assert report.skipped and ledger(svc) == {} and fake_line.pushes == []


def _two_clocks(database_url, fake_line, n: int) -> list:
    """Two independent rounds (own engine, sessions, LINE client) started together."""
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def clock():
        engine = make_engine(database_url)
        try:
            r = Rounds(engine, make_sessionmaker(engine), Line(fake_line.url, TOKEN),
                       plans=PlanCache(), settings=FAST)
            barrier.wait()
            reports.append(r.run(DAY))
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=clock) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    return reports


def test_two_clocks_deliver_each_reminder_once(svc, database_url, fake_line):
    for n in range(12):
        bind(svc, f"Cgroup{n:02d}", ["ban-pong", "photharam", "bang-phae"][n % 3])
    bind(svc, "Cprovince")
    fake_line.delay["push"] = 0.02
    reports = _two_clocks(database_url, fake_line, 13)
    counts = per_group(fake_line)
    assert len(counts) == 13 and set(counts.values()) == {1}
    assert sum(r.sent for r in reports) == 13


def test_two_clocks_without_the_lock_still_deliver_once(svc, database_url, fake_line,
                                                        monkeypatch):
    """The ledger's uniqueness, the row claim and the retry key alone keep it exactly once."""
    @contextlib.contextmanager
    def no_lock(engine, wait):
        yield True

    monkeypatch.setattr(rounds_mod, "round_lock", no_lock)
    for n in range(12):
        bind(svc, f"Cgroup{n:02d}", ["ban-pong", "photharam", "bang-phae"][n % 3])
    fake_line.delay["push"] = 0.02
    _two_clocks(database_url, fake_line, 12)
    counts = per_group(fake_line)
    assert len(counts) == 12 and set(counts.values()) == {1}
    assert len(ledger(svc)) == 12


def test_postgres_round_lock_is_exclusive_and_not_the_migration_lock(svc):
    if svc.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL advisory lock (TEST_DATABASE_URL)")
    assert REMINDER_LOCK_ID != MIGRATE_LOCK_ID
    with rounds_mod.round_lock(svc.engine, 1) as first:
        assert first
        with rounds_mod.round_lock(svc.engine, 0.3) as second:
            assert not second
    with rounds_mod.round_lock(svc.engine, 0.3) as again:
        assert again


def test_pending_row_is_resent_with_its_stored_payload(svc, rounds, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    log_progress(svc, "jpt", "ban-pong", 1320)
    fake_line.fail_next["push"] = [500] * FAST.attempts
    assert rounds.run(DAY).pending == 1
    log_progress(svc, "jpt", "ban-pong", 1000)          # progress moves meanwhile
    out, status = rounds.preview(DAY)
    assert status == {"Cbanpong": "pending"} and "1,320 / 34,227" in out[0].reply.texts[0]
    assert rounds.run(DAY).sent == 1
    assert "1,320 / 34,227" in fake_line.pushes[0].text    # exactly what the ledger promised
