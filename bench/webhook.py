"""Webhook throughput and latency: our bot against the SDK's echo bot, both under gunicorn
(gunicorn.conf.py: 2 gthread workers), with a fake LINE server, all on localhost.

    python bench/webhook.py [--events 3000] [--rounds 3] [--concurrency 20] [--rate 200]
                            [--seconds 15] [--backend sqlite|postgresql] [--floor]
                            [--line-latency-ms 0]

All servers are started at once and take turns, round after round (a slower minute of a shared
machine then falls on each of them); events/s and CPU are the medians of the rounds:
1. our bot: N distinct signed log events (บันทึก จปฐ n ครัวเรือน, 5 districts, 40 officers each
   in one district's group) sent by C threads as fast as answered → events/s, p50/p99, worker
   CPU per event, and the rate at which the replies reached LINE;
2. the echo bot: the same texts from the same officers, same C threads → events/s, CPU;
3. with ``--floor``: bench/floor_bot.py (the same group events; raw sqlite3 and nothing else) →
   ``floor floor_eps=<f> floor_ratio=<f/echo> bot_vs_floor=<bot/f>``;
then our bot at a fixed rate (--rate events/s, open loop) → p50/p99 at that rate, and the VmRSS
of each warmed worker → ``memory worker_rss_mb=<max>``.
Last line: ``webhook bot_eps=<a> echo_eps=<b> ratio=<a/b> p50_ms=<c> p99_ms=<d>`` where p50/p99
are those of the fixed-rate run. ``--backend postgresql`` uses $TEST_DATABASE_URL (default the
local server) in a schema of its own, dropped at the end.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from bot.line.fakeline import FakeLine  # noqa: E402
from tests.prod._support import (Client, Gunicorn, bind_groups, db_totals, make_burst,  # noqa
                                 pct, run_burst, server_env, text_event)


def as_one_to_one(plans):
    """The same texts from the same officers, 1:1 (the echo bot knows no groups), new ids."""
    return [[(k, text_event(ev["message"]["text"], ev["source"]["userId"], None))
             for k, ev in p] for p in plans]


def as_new(plans, suffix: str):
    """The same events under new event ids and reply tokens."""
    return [[(k, {**ev, "webhookEventId": ev["webhookEventId"] + suffix,
                  "replyToken": ev["replyToken"] + suffix}) for k, ev in p] for p in plans]


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


def burst(name: str, web: Gunicorn, plans, distinct: int, threads: int,
          fake: FakeLine | None = None) -> tuple[float, float]:
    """One closed-loop burst: prints its line; (events/s, worker CPU ms/event). With ``fake``,
    also waits until every reply reached LINE and says at what rate they did."""
    cpu0, t0, replies0 = cpu_seconds(web.worker_pids()), time.perf_counter(), 0
    if fake is not None:
        replies0 = len(fake.replies)
    eps, lat, st = closed_loop(web.port, plans)
    tail = ""
    if fake is not None:  # our replies go out after the 200, from a pool
        fake.wait_for(lambda f: len(f.replies) >= replies0 + distinct, 60)
        tail = f"; all replies at LINE within {distinct / (time.perf_counter() - t0):.0f}/s"
    cpu = (cpu_seconds(web.worker_pids()) - cpu0) / distinct * 1e3
    print(f"{name} closed loop: {distinct} events, {threads} threads: {eps:.0f} events/s, "
          f"p50 {pct(lat, 50) * 1e3:.1f} ms, p99 {pct(lat, 99) * 1e3:.1f} ms, statuses {st}; "
          f"worker CPU {cpu:.2f} ms/event{tail}", flush=True)
    return eps, cpu


def rss(web: Gunicorn) -> list[float]:
    return [round(web.rss_mb(p), 1) for p in web.worker_pids()]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=3000, help="per bot per round")
    ap.add_argument("--rounds", type=int, default=3)
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
        env = server_env(url, fake.url, fake.data_url)
        base_env = {**env, "PYTHONPATH": str(ROOT)}
        with contextlib.ExitStack() as stack:
            web = stack.enter_context(Gunicorn(env, log_path=tmp / "bot.log"))
            echo = stack.enter_context(Gunicorn(base_env, app="bench.echo_bot:app",
                                                log_path=tmp / "echo.log"))
            floor = None
            if args.floor and args.backend == "sqlite":
                floor = stack.enter_context(Gunicorn(
                    {**base_env, "FLOOR_DB": str(tmp / "floor.sqlite3")},
                    app="bench.floor_bot:app", log_path=tmp / "floor.log"))
            groups = bind_groups(web.port, 5)
            warm, _, _ = make_burst(groups, args.concurrency, 10, dup_share=0, seed=9)
            for k, server in enumerate((web, echo, floor)):  # first parse, pools, profiles
                if server is not None:
                    run_burst(server.port, as_new(warm, f"w{k}"))
            fake.wait_for(lambda f: len(f.replies) >= 10 * args.concurrency, 30)
            # the bots take turns, round after round, so a slower minute of this shared
            # machine falls on all of them; medians of the rounds are reported
            got: dict[str, list[tuple[float, float]]] = {"bot": [], "echo": [], "floor": []}
            distinct = 0
            for r in range(args.rounds):
                plans, _, distinct = make_burst(groups, args.concurrency, per_thread,
                                                dup_share=0, seed=100 + r)
                got["bot"].append(burst("bot  ", web, plans, distinct, args.concurrency, fake))
                got["echo"].append(burst("echo ", echo, as_one_to_one(plans), distinct,
                                         args.concurrency))
                if floor is not None:
                    got["floor"].append(burst("floor", floor, as_new(plans, "f"), distinct,
                                              args.concurrency))
            time.sleep(1)
            n = int(args.rate * args.seconds)
            gids = list(groups)
            # each officer's amounts differ (the same log twice within 10 minutes is asked about)
            events = [text_event(f"บันทึก จปฐ {i // 40 % 2000 + 1} ครัวเรือน", f"Urate{i % 40:029d}",
                                 gids[i % len(gids)]) for i in range(n)]
            lat, st, achieved = fixed_rate(web.port, events, args.rate)
            p50, p99 = pct(lat, 50) * 1e3, pct(lat, 99) * 1e3
            print(f"bot   fixed rate {args.rate:.0f}/s for {args.seconds:.0f} s: achieved "
                  f"{achieved:.0f}/s, p50 {p50:.1f} ms, p99 {p99:.1f} ms, statuses {st}",
                  flush=True)
            sizes, echo_rss = rss(web), rss(echo)
            entries = db_totals(url)["entries"]
            want = args.rounds * distinct + n + 10 * args.concurrency
            print(f"bot   database: {entries} entries ({args.backend}; {want} sent)"
                  f"; worker VmRSS {sizes} MB; echo worker VmRSS {echo_rss} MB", flush=True)
        med = {k: (statistics.median(e for e, _ in v), statistics.median(c for _, c in v))
               for k, v in got.items() if v}
        (bot_eps, bot_cpu), (echo_eps, echo_cpu) = med["bot"], med["echo"]
        if "floor" in med:
            floor_eps = med["floor"][0]
            print(f"floor floor_eps={floor_eps:.0f} floor_ratio={floor_eps / echo_eps:.2f} "
                  f"bot_vs_floor={bot_eps / floor_eps:.2f}")
        print(f"memory worker_rss_mb={max(sizes):.1f} echo_worker_rss_mb={max(echo_rss):.1f}")
        print(f"cpu bot_ms_per_event={bot_cpu:.2f} echo_ms_per_event={echo_cpu:.2f} "
              f"ratio={echo_cpu / bot_cpu:.2f}")
        ratios = sorted(b[0] / e[0] for b, e in zip(got["bot"], got["echo"]))
        print(f"rounds {args.rounds}: ratio per round {' '.join(f'{x:.2f}' for x in ratios)}")
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
