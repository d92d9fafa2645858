"""Benchmark: one reminder round for 1,000 district groups against the fake LINE server, with 5%
of pushes answered 500. Every group must receive exactly one push: duplicates=0, lost=0.

    python bench/reminders.py [--groups 1000] [--fail-rate 0.05] [--workers 16] [--tcp-nodelay]

Last line: ``reminders groups=<n> seconds=<s> sent=<k> duplicates=<d> lost=<l>``.

Several provinces: ``--provinces 76`` loads 76 made-up plans (``bot.core.madeup``: ~12 districts
each, some progress and last week's entries), binds a group to every district, one to every
province and ``--departments`` department groups, then measures *planning* the round (reading the
groups, counters and recent amounts, planning and rendering every message; nothing is sent) with
the plans already parsed (``plan_ms``, median of ``--repeat`` runs; ``plan_cpu_ms``, this process's
CPU time, steadier on a busy machine; and the statements it ran) and from a cold catalog
(``cold_ms``: parsing 76 plans included), then sends the round as above.

    python bench/reminders.py --provinces 76 [--backend sqlite|postgresql] [--repeat 7]

Last line: ``reminders provinces=<p> groups=<n> plan_ms=<m> plan_cpu_ms=<u> cold_ms=<c>
statements=<q> seconds=<s> sent=<k> duplicates=<d> lost=<l>``.
"""
from __future__ import annotations

import argparse
import collections
import datetime as dt
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, func, select  # noqa: E402

from bot.config import DEFAULT_PLAN  # noqa: E402
from bot.db import ensure_database, make_engine, make_sessionmaker  # noqa: E402
from bot.line.fakeline import FakeLine  # noqa: E402
from bot.line.client import Line  # noqa: E402
from bot.core.madeup import write_made_up  # noqa: E402
from bot.core import plans as plans_module  # noqa: E402
from bot.core.plans import PlanCache  # noqa: E402
from models import Group, ReminderDelivery, utcnow  # noqa: E402
from models.queries import record_entry  # noqa: E402
from reminders.rounds import Rounds, Settings, outgoing  # noqa: E402

DAY = dt.date(2022, 4, 22)  # 7 days before จปฐ. closes; the second system test opens


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--groups", type=int, default=1000)
    ap.add_argument("--fail-rate", type=float, default=0.05)
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--tcp-nodelay", action="store_true",
                    help="answer without Nagle's delay: the stock fake server's keep-alive "
                         "answers wait ~40 ms for a delayed ACK, which real LINE does not")
    ap.add_argument("--provinces", type=int, default=0,
                    help="several provinces: this many made-up plans (planning time)")
    ap.add_argument("--departments", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    args = ap.parse_args()
    logging.basicConfig(level=logging.ERROR)
    if args.provinces:
        return provinces(args)

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


# --------------------------------------------------------------------------- several provinces
PG = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")


def _fill(engine, plan_dir: Path, n: int, departments: int) -> list[str]:
    """Made-up plans for ``n`` provinces, a group per district and per province, progress."""
    rng = random.Random(2565)
    for k in range(n):
        districts = [(f"d{k:02d}-{j:02d}", ("เมือง" if j == 0 else "") + f"ทดลอง{k}x{j}")
                     for j in range(rng.randint(10, 14))]
        write_made_up(plan_dir, f"p{k:02d}", f"สมมติ{k}", 2565, districts, seed=k)
    ensure_database(engine, plan_dir)
    sessions = make_sessionmaker(engine)
    now = utcnow()
    groups: list[str] = []
    with sessions() as s, s.begin():
        catalog = PlanCache().get(s)
        rows = []
        for key in catalog.province_keys():
            active = catalog.current(key, DAY)
            for dist in active.plan.districts:
                gid = f"C{key}{dist.key}".ljust(33, "0")
                rows.append(Group(group_id=gid, scope="district", province_key=key,
                                  district_key=dist.key, bound_by="bench", bound_at=now,
                                  joined_at=now, muted=False))
                # some progress: one entry last month, one this week, per district
                for days, amount in ((30, rng.randint(100, 1500)), (2, rng.randint(0, 300))):
                    record_entry(s, plan_id=active.id, indicator_key="jpt",
                                 district_key=dist.key, category_key=None, amount=amount,
                                 source_type="group", text=f"บันทึก จปฐ {amount}",
                                 created_at=now - dt.timedelta(days=days))
            rows.append(Group(group_id=f"C{key}province".ljust(33, "0"), scope="province",
                              province_key=key, bound_by="bench", bound_at=now, joined_at=now,
                              muted=False))
        rows += [Group(group_id=f"Cdepartment{j}".ljust(33, "0"), scope="department",
                       bound_by="bench", bound_at=now, joined_at=now, muted=False)
                 for j in range(departments)]
        s.add_all(rows)
        groups = [g.group_id for g in rows]
    return groups


def provinces(args) -> int:
    schema = None
    tmp = Path(tempfile.mkdtemp(prefix="bench-reminders-"))
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        from tests.helpers import pg_schema
        url, schema = pg_schema(PG)
    engine = make_engine(url)
    try:
        plan_dir = tmp / "plans"
        plan_dir.mkdir()
        groups = _fill(engine, plan_dir, args.provinces, args.departments)
        sessions = make_sessionmaker(engine)
        statements = []

        def count(*_a, **_k):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        cache = PlanCache(max_age=3600)
        plans_module._SHARED.clear()   # cold: every plan parsed again (as in a fresh process)
        started = time.perf_counter()
        with sessions() as s:
            out = outgoing(s, cache, DAY)
        cold = time.perf_counter() - started
        timings, cpu, counts = [], [], []
        for _ in range(args.repeat):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            with sessions() as s:
                out = outgoing(s, cache, DAY)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            counts.append(len(statements))
        event.remove(engine, "before_cursor_execute", count)
        plan_ms = statistics.median(timings) * 1000
        cpu_ms = statistics.median(cpu) * 1000
        scopes = collections.Counter(o.scope for o in out)
        print(f"planned: {len(out)} of {len(groups)} groups {dict(scopes)}; "
              f"runs (ms): {' '.join(f'{t * 1000:.0f}' for t in timings)}")

        fake = FakeLine(check_messages=False)
        if args.tcp_nodelay:
            fake.server.RequestHandlerClass.disable_nagle_algorithm = True
        with fake:
            fake.fail_rate["push"] = (500, args.fail_rate)
            fake.quota_limit, fake.quota_used = 10_000_000, 0
            rounds = Rounds(engine, sessions,
                            Line(fake.url, "bench-token", data_base_url=fake.data_url),
                            plans=cache, settings=Settings(backoff=0.02, max_backoff=0.2,
                                                           attempts=8, workers=args.workers))
            started = time.perf_counter()
            report = rounds.run(DAY)
            seconds = time.perf_counter() - started
            with fake.lock:
                per_group = collections.Counter(p.to for p in fake.pushes)
        print(f"round: {report.summary()}")
    finally:
        engine.dispose()
        if schema:
            from tests.helpers import drop_schema
            drop_schema(PG, schema)
        shutil.rmtree(tmp, ignore_errors=True)
    planned = {o.group_id for o in out}
    duplicates = sum(n - 1 for n in per_group.values() if n > 1)
    lost = sum(1 for g in planned if per_group.get(g, 0) == 0)
    print(f"reminders provinces={args.provinces} groups={len(groups)} plan_ms={plan_ms:.0f} "
          f"plan_cpu_ms={cpu_ms:.0f} cold_ms={cold * 1000:.0f} "
          f"statements={statistics.median(counts):.0f} "
          f"seconds={seconds:.2f} sent={len(per_group)} duplicates={duplicates} lost={lost}")
    return 0 if duplicates == 0 and lost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
