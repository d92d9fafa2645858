"""Benchmark: one reminder round for 1,000 district groups against the fake LINE server, with 5%
of pushes answered 500. Every group must receive exactly one push: duplicates=0, lost=0.

    python bench/reminders.py [--groups 1000] [--fail-rate 0.05] [--workers 16] [--tcp-nodelay]

Last line: ``reminders groups=<n> seconds=<s> sent=<k> duplicates=<d> lost=<l>``.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bot.config import DEFAULT_PLAN  # noqa: E402
from bot.db import ensure_database, make_engine, make_sessionmaker  # noqa: E402
from bot.line.fakeline import FakeLine  # noqa: E402
from bot.line.client import Line  # noqa: E402
from models import Group, ReminderDelivery, utcnow  # noqa: E402
from reminders.rounds import Rounds, Settings  # noqa: E402

DAY = dt.date(2022, 4, 22)  # 7 days before จปฐ. closes; the second system test opens


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--fail-rate", type=float, default=0.05)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--tcp-nodelay", action="store_true",
                    help="answer without Nagle's delay: the stock fake server's keep-alive "
                         "answers wait ~40 ms for a delayed ACK, which real LINE does not")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)

    fake = FakeLine(check_messages=False)
    if args.tcp_nodelay:
        fake.server.RequestHandlerClass.disable_nagle_algorithm = True
    with tempfile.TemporaryDirectory() as tmp, fake:
        engine = make_engine(f"sqlite:///{tmp}/bench.sqlite3")
        ensure_database(engine, DEFAULT_PLAN)
        sessions = make_sessionmaker(engine)
        districts = ["mueang-ratchaburi", "ban-pong", "photharam", "damnoen-saduak", "bang-phae",
                     "pak-tho", "chom-bueng", "wat-phleng", "suan-phueng", "ban-kha"]
        groups = [f"C{n:032d}" for n in range(args.groups)]
        with sessions() as s, s.begin():
            s.add_all(Group(group_id=g, scope="district", district_key=districts[n % 10],
                            bound_by="bench", bound_at=utcnow(), joined_at=utcnow(), muted=False)
                      for n, g in enumerate(groups))
        fake.fail_rate["push"] = (500, args.fail_rate)
        fake.quota_limit, fake.quota_used = 10_000_000, 0   # the quota check runs, and fits
        rounds = Rounds(engine, sessions, Line(fake.url, "bench-token", data_base_url=fake.data_url),
                        settings=Settings(backoff=0.02, max_backoff=0.2, attempts=8,
                                          workers=args.workers))
        started = time.perf_counter()
        report = rounds.run(DAY)
        seconds = time.perf_counter() - started

        with fake.lock:
            per_group = collections.Counter(p.to for p in fake.pushes)
            injected = sum(1 for m, p in fake.requests if p == "/v2/bot/message/push") - len(
                fake.pushes)
        with sessions() as s:
            statuses = dict(s.execute(select(ReminderDelivery.status, func.count())
                                      .group_by(ReminderDelivery.status)).tuples().all())
        engine.dispose()

    sent = sum(1 for g in groups if per_group.get(g, 0) >= 1)
    duplicates = sum(n - 1 for n in per_group.values() if n > 1)
    lost = sum(1 for g in groups if per_group.get(g, 0) == 0)
    print(f"round: {report.summary()}")
    print(f"ledger: {statuses}; push requests answered 500 and retried: {injected}")
    print(f"reminders groups={args.groups} seconds={seconds:.2f} sent={sent} "
          f"duplicates={duplicates} lost={lost}")
    return 0 if duplicates == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
