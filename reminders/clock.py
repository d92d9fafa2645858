"""The clock process (Procfile ``clock: python -m reminders.clock``): the daily reminder round.

An APScheduler 3 ``BlockingScheduler`` in Asia/Bangkok runs the round Monday–Friday at
``REMINDER_TIME`` (default 08:30) when some province works: each province's plan holidays are
its own, and the round leaves out the groups of the provinces on holiday (department groups
follow the national working days, see ``reminders.planner``). It needs no Flask: it builds its own
engine, sessions and LINE client from ``DATABASE_URL``, ``LINE_CHANNEL_ACCESS_TOKEN``,
``LINE_API_BASE_URL`` and ``PLAN_FILE``, and brings the database up first (``ensure_database``).

Starting late: a clock started on a working day after ``REMINDER_TIME`` (and before
``REMINDER_UNTIL``, default 20:00; ``none`` = no limit) runs today's round at once — the ledger
makes that a no-op when the round already ran. Only today's round is ever run: a clock that was
down for a week sends no stale reminders. A round that left deliveries pending (LINE kept
failing) runs again after ``REMINDER_RETRY_MINUTES`` the same day. ``--once`` runs today's round
and exits. ``BOT_TODAY`` pins the date (staging, tests).
"""
from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import signal
import sys

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from bot import config
from bot.db import ensure_database, make_engine, make_sessionmaker
from bot.line.client import Line
from bot.timeutil import BANGKOK, Clock, clock_from_env
from reminders.rounds import RoundReport, Rounds, round_day
from reminders.settings import reminder_time, retry_minutes, settings_from_env

log = logging.getLogger("reminders.clock")
JOB_ID = "reminder-round"


class ReminderClock:
    def __init__(self, rounds: Rounds, clock: Clock, at: dt.time, until: dt.time | None = None,
                 retry_after: float = 15.0):
        self.rounds, self.clock, self.at, self.until = rounds, clock, at, until
        self.retry_after = retry_after
        self.scheduler = BlockingScheduler(timezone=BANGKOK)

    def is_working_day(self, day: dt.date) -> bool:
        """Some province works: its current plan holds ``day`` as no holiday (Monday–Friday).
        The round itself leaves out the groups of provinces on holiday."""
        with self.rounds.sessions() as s:
            catalog = self.rounds.plans.get(s)
        return round_day(catalog, day)

    def tick(self) -> RoundReport | None:
        """Today's round (never a past day's), when today is a working day."""
        today = self.clock().date()
        if not self.is_working_day(today):
            log.info("%s is not a working day: no reminder round", today)
            return None
        try:
            report = self.rounds.run(today)
        except Exception:
            log.exception("reminder round of %s failed; it is retried later", today)
            self._retry_later(today)
            return None
        if report.pending:
            self._retry_later(today)
        return report

    def _retry_later(self, today: dt.date) -> None:
        when = dt.datetime.now(BANGKOK) + dt.timedelta(minutes=self.retry_after)
        if self.clock().date() != (self.clock() + dt.timedelta(minutes=self.retry_after)).date():
            return  # not today any more: tomorrow's round is tomorrow's
        self.scheduler.add_job(self.tick, DateTrigger(run_date=when, timezone=BANGKOK),
                               id=f"{JOB_ID}-retry", replace_existing=True)

    def late_start(self) -> bool:
        """Started on a working day after the round's time (and before the cut-off)?"""
        now = self.clock()
        if now.time() < self.at or (self.until is not None and now.time() > self.until):
            return False
        return self.is_working_day(now.date())

    def start(self) -> None:
        self.scheduler.add_job(
            self.tick, CronTrigger(day_of_week="mon-fri", hour=self.at.hour,
                                   minute=self.at.minute, timezone=BANGKOK),
            id=JOB_ID, misfire_grace_time=6 * 3600, coalesce=True, max_instances=1)
        if self.late_start():
            log.info("started after %s on a working day: running today's round now",
                     self.at.strftime("%H:%M"))
            self.scheduler.add_job(self.tick, DateTrigger(timezone=BANGKOK),
                                   id=f"{JOB_ID}-startup")

        def stop(signum, _frame):
            log.info("signal %s: stopping the clock", signum)
            self.scheduler.shutdown(wait=False)

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        log.info("reminder clock: rounds at %s Asia/Bangkok, Monday–Friday except holidays "
                 "(each province's own)",
                 self.at.strftime("%H:%M"))
        self.scheduler.start()


def _until() -> dt.time | None:
    raw = (os.environ.get("REMINDER_UNTIL") or "20:00").strip().lower()
    if raw in ("none", "off", "-"):
        return None
    hh, mm = raw.split(":")[:2]
    return dt.time(int(hh), int(mm), 59)


def build() -> ReminderClock:
    settings = config.from_env()
    engine = make_engine(settings["DATABASE_URL"])
    ensure_database(engine, settings["PLAN_FILE"])
    line = Line(settings["LINE_API_BASE_URL"], settings["LINE_CHANNEL_ACCESS_TOKEN"])
    if not line.enabled:
        log.warning("LINE_CHANNEL_ACCESS_TOKEN is not set: rounds are planned but not sent")
    rounds = Rounds(engine, make_sessionmaker(engine), line, settings=settings_from_env())
    return ReminderClock(rounds, clock_from_env(os.environ.get("BOT_TODAY")), reminder_time(),
                         _until(), retry_minutes())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reminders.clock",
                                 description="น้องพัฒน์: the daily deadline-reminder clock")
    ap.add_argument("--once", action="store_true", help="run today's round now and exit")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    clock = build()
    if args.once:
        report = clock.tick()
        print(report.summary() if report else "no round today (not a working day)", flush=True)
        return 0
    clock.start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
