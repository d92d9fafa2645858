"""Webhook throughput and latency: our bot against the SDK's echo bot, both under gunicorn
(gunicorn.conf.py: 2 gthread workers), with a fake LINE server, all on localhost.

    python bench/webhook.py [--events 3000] [--concurrency 20] [--rate 200] [--seconds 15]
                            [--backend sqlite|postgresql]

1. our bot: N distinct signed log events (บันทึก จปฐ n ครัวเรือน, 5 districts, 40 officers) sent
   by C threads as fast as answered → events/s, p50/p99;
2. our bot: a fixed-rate run (--rate events/s, open loop) → p50/p99 at that rate;
3. memory: VmRSS of each warmed worker (after 1 and 2) → ``memory worker_rss_mb=<max>``;
4. the echo bot: the same N events, same C threads → events/s;
5. with ``--floor``: bench/floor_bot.py (the same group events; raw sqlite3 and nothing else) →
   ``floor floor_eps=<f> floor_ratio=<f/echo> bot_vs_floor=<bot/f>``.
Last line: ``webhook bot_eps=<a> echo_eps=<b> ratio=<a/b> p50_ms=<c> p99_ms=<d>`` where p50/p99
are those of the fixed-rate run. ``--backend postgresql`` uses $TEST_DATABASE_URL (default the
local server) in a schema of its own, dropped at the end.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bot.fakeline import FakeLine  # noqa: E402
from tests.prod._support import (Client, Gunicorn, bind_groups, db_totals, make_burst,  # noqa
                                 pct, run_burst, server_env, text_event)


def closed_loop(port: int, plans) -> tuple[float, list[float], dict]:
    r = run_burst(port, plans)
    n = sum(r["statuses"].values())
    return n / r["seconds"], r["latencies"], r["statuses"]


def fixed_rate(port: int, events: list[dict], rate: float, threads: int = 32
               ) -> tuple[list[float], dict, float]:
    """Open loop: event i is due at t0 + i/rate; latency counts from when it was due."""
    lock = threading.Lock()
    lat: list[float] = []
    statuses: dict = {}
    nxt = [0]
    t0 = time.perf_counter() + 0.2

    def worker():
        c = Client(port)
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(events):
                break
            due = t0 + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            try:
                s = c.post_events(events[i])
            except OSError as exc:
                c.close()
                s = type(exc).__name__
            done = time.perf_counter()
            with lock:
                lat.append(done - due)
                statuses[s] = statuses.get(s, 0) + 1
        c.close()

    ths = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return lat, statuses, len(events) / (time.perf_counter() - t0)


def cpu_seconds(pids) -> float:
    """User + system CPU time of the processes so far (/proc/<pid>/stat, clock ticks)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / tick


def rss(web: Gunicorn) -> list[float]:
    return [round(web.rss_mb(p), 1) for p in web.worker_pids()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=3000)
    ap.add_argument("--concurrency", type=int, default=20)
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--floor", action="store_true",
                    help="also run bench/floor_bot.py (raw sqlite3, no ORM, no handlers): the "
                         "floor a durable Python bot stands on (SQLite backend only)")
    ap.add_argument("--line-latency-ms", type=float, default=0.0,
                    help="how long the fake LINE takes to answer a reply (real LINE is not "
                         "instant); both bots get the same")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    schema = None
    if args.backend == "sqlite":
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    else:
        from tests.helpers import pg_schema
        url, schema = pg_schema(os.environ.get("TEST_DATABASE_URL",
                                               "postgresql://127.0.0.1:5432/test"))
    per_thread = max(1, args.events // args.concurrency)
    fake = FakeLine(check_messages=False).start()
    if args.line_latency_ms:
        fake.delay["reply"] = args.line_latency_ms / 1000
    try:
        env = server_env(url, fake.url)
        with Gunicorn(env, log_path=tmp / "bot.log") as web:
            groups = bind_groups(web.port, 5)
            warm, _, _ = make_burst(groups, args.concurrency, 10, dup_share=0, seed=9)
            run_burst(web.port, warm)  # warm both workers (first parse, pools, profiles)
            plans, _, distinct = make_burst(groups, args.concurrency, per_thread, dup_share=0)
            fake.wait_for(lambda f: len(f.replies) >= 10 * args.concurrency, 30)
            cpu0 = cpu_seconds(web.worker_pids())
            t0 = time.perf_counter()
            bot_eps, bot_lat, st = closed_loop(web.port, plans)
            # replies go out after the 200, from a pool: how fast did they all reach LINE?
            fake.wait_for(lambda f: len(f.replies) >= distinct + 10 * args.concurrency, 60)
            replies_per_s = distinct / (time.perf_counter() - t0)
            bot_cpu = (cpu_seconds(web.worker_pids()) - cpu0) / distinct * 1e3
            print(f"bot   closed loop: {distinct} events, {args.concurrency} threads: "
                  f"{bot_eps:.0f} events/s, p50 {pct(bot_lat, 50) * 1e3:.1f} ms, "
                  f"p99 {pct(bot_lat, 99) * 1e3:.1f} ms, statuses {st}; "
                  f"worker CPU {bot_cpu:.2f} ms/event (reply included); all replies at LINE "
                  f"within {replies_per_s:.0f} events/s", flush=True)
            time.sleep(1)
            n = int(args.rate * args.seconds)
            gids = list(groups)
            events = [text_event(f"บันทึก จปฐ {i % 50 + 1} ครัวเรือน", f"Urate{i % 40:029d}",
                                 gids[i % len(gids)]) for i in range(n)]
            lat, st, achieved = fixed_rate(web.port, events, args.rate)
            p50, p99 = pct(lat, 50) * 1e3, pct(lat, 99) * 1e3
            print(f"bot   fixed rate {args.rate:.0f}/s for {args.seconds:.0f} s: achieved "
                  f"{achieved:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, statuses {st}",
                  flush=True)
            sizes = rss(web)
            fake.wait_for(lambda f: len(f.replies) >= 2 * distinct, timeout=30)
            got = db_totals(url)
            print(f"bot   database: {got['entries']} entries ({args.backend}); "
                  f"worker VmRSS {sizes} MB", flush=True)
        echo_env = {**env, "PYTHONPATH": str(ROOT)}
        fake.reset()
        if args.line_latency_ms:
            fake.delay["reply"] = args.line_latency_ms / 1000
        with Gunicorn(echo_env, app="bench.echo_bot:app", log_path=tmp / "echo.log") as echo:
            warm = [[("one", text_event("hello", "Uwarm", None)) for _ in range(10)]
                    for _ in range(args.concurrency)]
            run_burst(echo.port, warm)
            bot_plans = plans
            plans = [[("one", text_event(ev["message"]["text"], ev["source"]["userId"], None))
                      for _, ev in p] for p in plans]
            cpu0 = cpu_seconds(echo.worker_pids())
            echo_eps, echo_lat, st = closed_loop(echo.port, plans)
            echo_cpu = (cpu_seconds(echo.worker_pids()) - cpu0) / distinct * 1e3
            print(f"echo  closed loop: {distinct} events, {args.concurrency} threads: "
                  f"{echo_eps:.0f} events/s, p50 {pct(echo_lat, 50) * 1e3:.1f} ms, "
                  f"p99 {pct(echo_lat, 99) * 1e3:.1f} ms, statuses {st}; "
                  f"worker CPU {echo_cpu:.2f} ms/event", flush=True)
            echo_rss = rss(echo)
        print(f"echo  worker VmRSS {echo_rss} MB")
        floor_eps = None
        if args.floor and args.backend == "sqlite":
            fake.reset()
            floor_env = {**echo_env, "FLOOR_DB": str(tmp / "floor.sqlite3")}
            with Gunicorn(floor_env, app="bench.floor_bot:app", log_path=tmp / "floor.log") as fl:
                run_burst(fl.port, warm)
                fresh = [[(k, {**ev, "webhookEventId": ev["webhookEventId"] + "f",
                               "replyToken": ev["replyToken"] + "f"}) for k, ev in p]
                         for p in bot_plans]
                cpu0 = cpu_seconds(fl.worker_pids())
                floor_eps, floor_lat, st = closed_loop(fl.port, fresh)
                floor_cpu = (cpu_seconds(fl.worker_pids()) - cpu0) / distinct * 1e3
                print(f"floor closed loop: {distinct} events, {args.concurrency} threads: "
                      f"{floor_eps:.0f} events/s, p50 {pct(floor_lat, 50) * 1e3:.1f} ms, "
                      f"p99 {pct(floor_lat, 99) * 1e3:.1f} ms, statuses {st}; "
                      f"worker CPU {floor_cpu:.2f} ms/event", flush=True)
            print(f"floor floor_eps={floor_eps:.0f} floor_ratio={floor_eps / echo_eps:.2f} "
                  f"bot_vs_floor={bot_eps / floor_eps:.2f}")
        print(f"memory worker_rss_mb={max(sizes):.1f} echo_worker_rss_mb={max(echo_rss):.1f}")
        print(f"cpu bot_ms_per_event={bot_cpu:.2f} echo_ms_per_event={echo_cpu:.2f} "
              f"ratio={echo_cpu / bot_cpu:.2f}")
        print(f"webhook bot_eps={bot_eps:.0f} echo_eps={echo_eps:.0f} "
              f"ratio={bot_eps / echo_eps:.2f} p50_ms={p50:.1f} p99_ms={p99:.1f}")
    finally:
        fake.stop()
        if schema:
            from tests.helpers import drop_schema
            drop_schema(os.environ.get("TEST_DATABASE_URL", "postgresql://127.0.0.1:5432/test"),
                        schema)


if __name__ == "__main__":
    main()
