"""District and province totals with 1,000,000 entries, on SQLite and PostgreSQL: p50/p99 ms;
and the department's national summary with 1,000,000 entries over the 76 provinces.

    python bench/queries.py [--entries 1000000] [--rounds 2000] [--backend sqlite|postgresql|both]
                            [--no-national]

Totals read the ``progress`` counters (one row per indicator × district × category), so they
must not grow with history. The million entries are inserted in bulk (executemany on SQLite,
COPY on PostgreSQL) with counter values that match them. SQLite uses a temporary file;
PostgreSQL a schema of its own ($TEST_DATABASE_URL, default the local server), dropped after.

The province's status board (``models.queries.load_board``: the counters, each district's
latest entry of each indicator in one statement, and ``bot.core.status.board``) runs on the same
million entries; ``status_ratio`` is its p50 over the counters-only read's p50 in the same run.

The national summary (``bot.core.national.national_summary``: per indicator, the national
target and done and every province's) runs in a second database of the same backend: the 76
made-up plans of ``bench/department.py`` (878 districts) and the million entries spread over
every district of every province; the catalog is built once, as a worker keeps it.

Each backend prints ``queries backend=<b> entries=<n> p50_ms=<a> p99_ms=<c>
status_p50_ms=<s> status_p99_ms=<t> status_ratio=<r> national_provinces=<p> national_entries=<n> national_p50_ms=<e> national_p99_ms=<f>``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bot.db import ensure_database, make_engine  # noqa: E402
from bot.config import DEFAULT_PLAN  # noqa: E402
from models.queries import counters, district_done  # noqa: E402

PG = os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test")
COLS = ("plan_id", "indicator_key", "district_key", "category_key", "amount", "user_id",
        "group_id", "source_type", "text", "event_id", "created_at")


def rows(places: list[tuple[int, str]], n: int, sums: dict):
    """n entries over the (plan id, district) places in turn; ``sums`` gets each place's sum."""
    rng = random.Random(5)
    for i in range(n):
        plan_id, d = places[i % len(places)]
        a = rng.randint(1, 30)
        sums[plan_id, d] = sums.get((plan_id, d), 0) + a
        yield (plan_id, "jpt", d, None, a, f"U{i % 41:032d}", f"C{d}", "group",
               f"บันทึก จปฐ {a} ครัวเรือน", f"BENCH{i:020d}", "2022-04-19 03:00:00+00")


def fill(engine, n: int, every_plan: bool = False) -> int:
    """n entries over the first plan's districts (every plan's with ``every_plan``), and the
    counters that match them; the first plan's id."""
    with engine.connect() as conn:
        plan_id = conn.execute(text("SELECT id FROM plans ORDER BY id LIMIT 1")).scalar()
        places = [(p, d) for p, d in conn.execute(text(
            "SELECT DISTINCT plan_id, district_key FROM progress "
            + ("" if every_plan else "WHERE plan_id = :p ") + "ORDER BY 1, 2"), {"p": plan_id})]
    sums: dict = {}
    t = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY entries ({', '.join(COLS)}) FROM STDIN") as copy:
                for r in rows(places, n, sums):
                    copy.write_row(r)
        else:
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO entries ({', '.join(COLS)}) VALUES "
                            f"({', '.join('?' * len(COLS))})", rows(places, n, sums))
        for (p, d), s in sums.items():
            cur.execute("UPDATE progress SET done = done + %s WHERE plan_id = %s AND "
                        "indicator_key = 'jpt' AND district_key = %s AND category_key = ''"
                        .replace("%s", "?" if engine.dialect.name == "sqlite" else "%s"),
                        (s, p, d))
        raw.commit()
    finally:
        raw.close()
    print(f"  inserted {n:,} entries over {len(places)} districts in "
          f"{time.perf_counter() - t:.1f} s", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE entries")
            if every_plan:  # 76 plans' counters: as autovacuum would have it after the load
                conn.exec_driver_sql("ANALYZE progress")
    return plan_id


def measure(engine, plan_id: int, rounds: int) -> list[float]:
    districts = []
    with Session(engine) as s:
        districts = sorted({d for (_, d, _) in counters(s, plan_id)})
        out = []
        for i in range(rounds):
            t = time.perf_counter()
            if i % 2:
                district_done(s, plan_id, "jpt", districts[i % len(districts)])  # district
            else:
                counters(s, plan_id)                                             # province
            s.rollback()
            out.append((time.perf_counter() - t) * 1000)
        # the totals agree with the entries they sum
        total = sum(v for (ind, d, c), v in counters(s, plan_id).items() if ind == "jpt" and not c)
        assert total == s.scalar(text("SELECT sum(amount) FROM entries")), "counters drifted"
    return out


def measure_status(engine, plan_id: int, rounds: int) -> tuple[list[float], list[float]]:
    """(ms of load_board, ms of the counters alone), alternating, on one session."""
    from bot.core.plans import PlanCache
    from bot.timeutil import BANGKOK
    from models.queries import load_board
    now = dt.datetime(2022, 4, 19, 10, tzinfo=BANGKOK)
    with Session(engine) as s:
        plan = PlanCache().get(s).get(plan_id).plan
        s.rollback()
        board_ms, base_ms = [], []
        for _ in range(rounds):
            t = time.perf_counter()
            b = load_board(s, plan_id, plan, now)
            s.rollback()
            board_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            counters(s, plan_id)
            s.rollback()
            base_ms.append((time.perf_counter() - t) * 1000)
        assert b.province["jpt"].done == s.scalar(text("SELECT sum(amount) FROM entries"))
        assert all(st.last_entry_at is not None for st in b.districts["jpt"])
    return board_ms, base_ms


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


NATIONAL_DAY = dt.date(2022, 4, 19)   # inside fiscal year 2565: every made-up plan is current


def measure_national(engine, rounds: int) -> tuple[list[float], int]:
    """p50/p99 of ``national_summary`` over every province's current plan (the catalog built
    once, as a worker keeps it); (ms per call, provinces summed)."""
    from bot.core.national import national_summary
    from bot.core.plans import PlanCache
    with Session(engine) as s:
        t = time.perf_counter()
        catalog = PlanCache().get(s)
        print(f"  catalog of {len(catalog)} plans parsed in {time.perf_counter() - t:.1f} s",
              flush=True)
        s.rollback()
        out = []
        for _ in range(rounds):
            t = time.perf_counter()
            summary = national_summary(s, catalog, NATIONAL_DAY)
            s.rollback()
            out.append((time.perf_counter() - t) * 1000)
        jpt = next(i for i in summary if i.key == "jpt")
        assert jpt.done == s.scalar(text("SELECT sum(amount) FROM entries")), "summary drifted"
        assert len({f.province_key for f in jpt.provinces}) == len(catalog.province_keys())
    return out, len(jpt.provinces)


def database(backend: str, tmp: Path | None, name: str) -> tuple[str, str | None]:
    if backend == "sqlite":
        return f"sqlite:///{tmp / name}", None
    from tests.helpers import pg_schema
    return pg_schema(PG)


def run(backend: str, n: int, rounds: int, national: bool = True) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="bench-queries-"))
    schemas = []
    try:
        url, schema = database(backend, tmp, "q.sqlite3")
        schemas.append(schema)
        engine = make_engine(url)
        try:
            ensure_database(engine, DEFAULT_PLAN)
            plan_id = fill(engine, n)
            lat = measure(engine, plan_id, rounds)
            status_ms, base_ms = measure_status(engine, plan_id, max(rounds // 4, 50))
        finally:
            engine.dispose()
        line = (f"queries backend={backend} entries={n} p50_ms={pct(lat, 50):.3f} "
                f"p99_ms={pct(lat, 99):.3f} status_p50_ms={pct(status_ms, 50):.3f} "
                f"status_p99_ms={pct(status_ms, 99):.3f} "
                f"status_ratio={pct(status_ms, 50) / pct(base_ms, 50):.1f}")
        if national:
            print(f"  {line}", flush=True)
            from bench.department import write_plans
            plans_dir = tmp / "plans"
            plans_dir.mkdir()
            write_plans(plans_dir)
            url, schema = database(backend, tmp, "national.sqlite3")
            schemas.append(schema)
            engine = make_engine(url)
            try:
                t = time.perf_counter()
                ensure_database(engine, plans_dir)
                print(f"  national: 76 made-up plans loaded in {time.perf_counter() - t:.1f} s",
                      flush=True)
                fill(engine, n, every_plan=True)
                nat, provinces = measure_national(engine, rounds)
            finally:
                engine.dispose()
            line += (f" national_provinces={provinces} national_entries={n} "
                     f"national_p50_ms={pct(nat, 50):.3f} national_p99_ms={pct(nat, 99):.3f}")
        print(line, flush=True)
    finally:
        from tests.helpers import drop_schema
        for schema in schemas:
            if schema:
                drop_schema(PG, schema)
        for p in tmp.rglob("*"):
            if p.is_file():
                p.unlink()
        for p in sorted(tmp.rglob("*"), reverse=True):
            p.rmdir()
        tmp.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    ap.add_argument("--no-national", action="store_true",
                    help="only the district and province totals of one plan")
    args = ap.parse_args()
    for b in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run(b, args.entries, args.rounds, national=not args.no_national)


if __name__ == "__main__":
    main()
