"""District and province totals with 1,000,000 entries, on SQLite and PostgreSQL: p50/p99 ms.

    python bench/queries.py [--entries 1000000] [--rounds 2000] [--backend sqlite|postgresql|both]

Totals read the ``progress`` counters (one row per indicator × district × category), so they
must not grow with history. The million entries are inserted in bulk (executemany on SQLite,
COPY on PostgreSQL) with counter values that match them. SQLite uses a temporary file;
PostgreSQL a schema of its own ($TEST_DATABASE_URL, default the local server), dropped after.
Each backend prints ``queries backend=<b> entries=<n> p50_ms=<a> p99_ms=<c>``.
"""
from __future__ import annotations

import argparse
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


def rows(plan_id: int, districts: list[str], n: int, sums: dict):
    rng = random.Random(5)
    for i in range(n):
        d = districts[i % len(districts)]
        a = rng.randint(1, 30)
        sums[d] = sums.get(d, 0) + a
        yield (plan_id, "jpt", d, None, a, f"U{i % 41:032d}", f"C{d}", "group",
               f"บันทึก จปฐ {a} ครัวเรือน", f"BENCH{i:020d}", "2022-04-19 03:00:00+00")


def fill(engine, n: int) -> int:
    with engine.connect() as conn:
        plan_id = conn.execute(text("SELECT id FROM plans ORDER BY id LIMIT 1")).scalar()
        districts = [r[0] for r in conn.execute(text(
            "SELECT DISTINCT district_key FROM progress WHERE plan_id = :p ORDER BY 1"),
            {"p": plan_id})]
    sums: dict = {}
    t = time.perf_counter()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            with cur.copy(f"COPY entries ({', '.join(COLS)}) FROM STDIN") as copy:
                for r in rows(plan_id, districts, n, sums):
                    copy.write_row(r)
        else:
            cur.execute("BEGIN")
            cur.executemany(f"INSERT INTO entries ({', '.join(COLS)}) VALUES "
                            f"({', '.join('?' * len(COLS))})", rows(plan_id, districts, n, sums))
        for d, s in sums.items():
            cur.execute("UPDATE progress SET done = done + %s WHERE plan_id = %s AND "
                        "indicator_key = 'jpt' AND district_key = %s AND category_key = ''"
                        .replace("%s", "?" if engine.dialect.name == "sqlite" else "%s"),
                        (s, plan_id, d))
        raw.commit()
    finally:
        raw.close()
    print(f"  inserted {n:,} entries in {time.perf_counter() - t:.1f} s", flush=True)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE entries")
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


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def run(backend: str, n: int, rounds: int) -> None:
    schema = None
    if backend == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="bench-queries-"))
        url = f"sqlite:///{tmp / 'q.sqlite3'}"
    else:
        from tests.helpers import pg_schema
        url, schema = pg_schema(PG)
    engine = make_engine(url)
    try:
        ensure_database(engine, DEFAULT_PLAN)
        plan_id = fill(engine, n)
        lat = measure(engine, plan_id, rounds)
        print(f"queries backend={backend} entries={n} p50_ms={pct(lat, 50):.3f} "
              f"p99_ms={pct(lat, 99):.3f}", flush=True)
    finally:
        engine.dispose()
        if schema:
            from tests.helpers import drop_schema
            drop_schema(PG, schema)
        elif backend == "sqlite":
            for p in tmp.iterdir():
                p.unlink()
            tmp.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = ap.parse_args()
    for b in (["sqlite", "postgresql"] if args.backend == "both" else [args.backend]):
        run(b, args.entries, args.rounds)


if __name__ == "__main__":
    main()
