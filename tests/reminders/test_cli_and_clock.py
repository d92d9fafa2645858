"""flask reminders preview|run, the clock's scheduling rules, and the real clock process."""
from __future__ import annotations

import collections
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from bot.config import DEFAULT_PLAN
from bot.db import ensure_database, make_engine, make_sessionmaker
from bot.core.plans import PlanCache
from bot.timeutil import BANGKOK, fixed_clock
from models import ReminderDelivery
from models.queries import bind_group
from reminders.clock import ReminderClock
from reminders.rounds import Rounds
from tests.helpers import TOKEN
from tests.reminders.conftest import FAST, bind, d

ROOT = Path(__file__).resolve().parents[2]


def days_in_ledger(svc) -> set[dt.date]:
    with svc.sessions() as s:
        return set(s.scalars(select(ReminderDelivery.day)))


# --------------------------------------------------------------------------- CLI
def test_preview_prints_without_sending(make_app, fake_line):
    app = make_app(REMINDER_SETTINGS=FAST)
    svc = app.extensions["nongpat"]
    bind(svc, "Cbanpong", "ban-pong")
    bind(svc, "Cprovince")
    bind(svc, "Cmuted", "photharam", muted=True)
    result = app.test_cli_runner().invoke(args=["reminders", "preview", "--date", "2565-04-22"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "รอบแจ้งเตือนวันที่ 22 เม.ย. 2565 (2022-04-22): 2 กลุ่ม" in out
    assert "=== ถึงกลุ่ม Cbanpong · อำเภอบ้านโป่ง" in out
    assert "=== ถึงกลุ่ม Cprovince · จังหวัดราชบุรี" in out
    assert "Cmuted" not in out
    assert "บันทึก จปฐ 120 ครัวเรือน" in out and "[Flex]" in out
    assert fake_line.pushes == [] and days_in_ledger(svc) == set()
    # C.E. works too, and a quiet day says so
    quiet = app.test_cli_runner().invoke(args=["reminders", "preview", "--date", "2022-04-19"])
    assert quiet.exit_code == 0 and "ไม่มีแจ้งเตือน" in quiet.output


def test_run_sends_one_round_now(make_app, fake_line):
    app = make_app(REMINDER_SETTINGS=FAST)
    svc = app.extensions["nongpat"]
    bind(svc, "Cbanpong", "ban-pong")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["reminders", "run", "--date", "2565-04-22"])
    assert result.exit_code == 0, result.output
    assert "sent=1" in result.output
    assert [p.to for p in fake_line.pushes] == ["Cbanpong"]
    again = runner.invoke(args=["reminders", "run", "--date", "2022-04-22"])
    assert "sent=0" in again.output and len(fake_line.pushes) == 1
    preview = runner.invoke(args=["reminders", "preview", "--date", "2565-04-22"])
    assert "ในสมุดส่งแล้ว: sent" in preview.output
    # the app's today is 19 Apr 2565: a past day's round needs --force
    past = runner.invoke(args=["reminders", "run", "--date", "2565-04-12"])
    assert past.exit_code != 0 and "--force" in past.output
    bad = runner.invoke(args=["reminders", "run", "--date", "2565-13-40"])
    assert bad.exit_code != 0


# --------------------------------------------------------------------------- clock rules
def _clock(svc, moment: dt.datetime, at=dt.time(8, 30)) -> ReminderClock:
    rounds = Rounds(svc.engine, svc.sessions, svc.line, plans=PlanCache(), settings=FAST)
    return ReminderClock(rounds, fixed_clock(moment), at, until=dt.time(20, 0, 59))


def test_late_start_runs_todays_round_only_on_working_days(svc):
    at = lambda *a: dt.datetime(*a, tzinfo=BANGKOK)  # noqa: E731
    assert _clock(svc, at(2022, 4, 22, 10, 0)).late_start()          # Friday, 10:00
    assert not _clock(svc, at(2022, 4, 22, 8, 0)).late_start()       # before 08:30
    assert not _clock(svc, at(2022, 4, 22, 21, 0)).late_start()      # too late in the evening
    assert not _clock(svc, at(2022, 4, 23, 10, 0)).late_start()      # Saturday
    assert not _clock(svc, at(2022, 4, 13, 10, 0)).late_start()      # Songkran


def test_a_clock_down_for_a_week_sends_only_today(svc, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    # down since 21 Apr: the 22, 28 and 29 Apr rounds were missed; it comes back on 5 May
    clock = _clock(svc, dt.datetime(2022, 5, 5, 10, 0, tzinfo=BANGKOK))
    report = clock.tick()
    assert report.sent == 1
    assert days_in_ledger(svc) == {d(2022, 5, 5)}
    assert len(fake_line.pushes) == 1 and "เลยกำหนดมาแล้ว 4 วัน" in fake_line.pushes[0].text


def test_tick_on_a_holiday_does_nothing(svc, fake_line):
    bind(svc, "Cbanpong", "ban-pong")
    assert _clock(svc, dt.datetime(2022, 4, 13, 8, 30, tzinfo=BANGKOK)).tick() is None
    assert fake_line.pushes == [] and days_in_ledger(svc) == set()


# --------------------------------------------------------------------------- the process
def test_real_clock_process_runs_the_round_at_start(database_url, fake_line, tmp_path):
    fake_line.reset()
    engine = make_engine(database_url)
    ensure_database(engine, DEFAULT_PLAN)
    with make_sessionmaker(engine)() as s, s.begin():
        bind_group(s, "Cbanpong", "district", "ban-pong", "test")
        bind_group(s, "Cmueang", "district", "mueang-ratchaburi", "test")
        bind_group(s, "Cprovince", "province", None, "test")
    env = {**os.environ, "DATABASE_URL": database_url, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
           "LINE_API_BASE_URL": fake_line.url, "PLAN_FILE": str(DEFAULT_PLAN),
           "BOT_TODAY": "2565-04-22", "REMINDER_TIME": "00:00", "REMINDER_UNTIL": "none",
           "REMINDER_BACKOFF": "0.01", "PYTHAINLP_OFFLINE": "1"}
    log_path = tmp_path / "clock.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "reminders.clock"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            arrived = fake_line.wait_for(lambda f: len(f.pushes) >= 3, timeout=20)
            time.sleep(0.3)  # nothing more should come
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
    output = log_path.read_text()
    assert arrived, output
    assert collections.Counter(p.to for p in fake_line.pushes) == {
        "Cbanpong": 1, "Cmueang": 1, "Cprovince": 1}, output
    assert proc.returncode == 0, output
    assert "running today's round now" in output
    with make_sessionmaker(engine)() as s:
        rows = s.scalars(select(ReminderDelivery)).all()
    assert {(r.day, r.status) for r in rows} == {(d(2022, 4, 22), "sent")}
    engine.dispose()
