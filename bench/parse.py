"""Parser speed over the labelled table messages, against bare newmm tokenisation; and what a
parser for one more plan costs.

Run from the repo root: ``python bench/parse.py``.  Prints messages/s and p50/p99 µs per parse,
the same for ``word_tokenize(text, custom_dict=trie, engine="newmm")`` on the same messages, and
their ratio.  Then it builds a parser for each of ``BENCH_PLANS`` (76) distinct plans made from
Ratchaburi's (province and districts renamed ``f"{name}{i}"``), as a department's web worker
does, and prints the build time of each and the memory each added (Python heap by tracemalloc,
in a second pass over the same plans; and RSS).  The last line is machine-readable:
``parse p50_us=<a> p99_us=<b> tokenize_p50_us=<c> ratio=<a/c> first_build_ms=<d>
plans=<n> build_p50_ms=<e> build_max_ms=<f> heap_mb_per_parser=<g> rss_mb_per_parser=<h>``
(one line).
"""
from __future__ import annotations

import dataclasses
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "language"))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from pythainlp.tokenize import word_tokenize  # noqa: E402

from bot.language import Parser  # noqa: E402
from bot.core.plan import Plan, load_plan_file  # noqa: E402
from language_cases import chatter, commands  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
PLANS = int(os.environ.get("BENCH_PLANS", "76"))


def measure(fns, messages: list[str], rounds: int) -> list[list[float]]:
    """Per-message timings in µs of each function: each message timed on its own, ``rounds``
    times; the functions take turns on each message, so that a busy machine slows them alike."""
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(rounds):
        for m in messages:
            for fn, times in zip(fns, out):
                t = time.perf_counter_ns()
                fn(m)
                times.append((time.perf_counter_ns() - t) / 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:                       # not Linux: the peak is the best there is
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10


def renamed(plan: Plan, i: int) -> Plan:
    """Another province's plan: ``plan`` with its province and districts renamed f"{name}{i}"."""
    districts = tuple(dataclasses.replace(d, key=f"{d.key}-{i}", name=f"{d.name}{i}",
                                          aliases=tuple(f"{a}{i}" for a in d.aliases))
                      for d in plan.districts)
    return dataclasses.replace(plan, key=f"{plan.province_key}{i}-{plan.fiscal_year}",
                               province_key=f"{plan.province_key}{i}",
                               province_name=f"{plan.province_name}{i}", districts=districts)


def many(plan: Plan, n: int) -> tuple[list[float], float, float]:
    """Build a parser for each of ``n`` distinct plans (after the first parser of the process):
    (build ms of each, heap MB added per parser, RSS MB added per parser)."""
    plans = [renamed(plan, i) for i in range(1, n + 1)]
    kept = []
    gc.collect()
    rss = rss_mb()
    ms = []
    for p in plans:
        t = time.perf_counter()
        kept.append(Parser(p))
        ms.append((time.perf_counter() - t) * 1000)
    gc.collect()
    rss = (rss_mb() - rss) / n
    tracemalloc.start()                    # a second pass: tracemalloc slows the building
    before = tracemalloc.get_traced_memory()[0]
    again = [Parser(p) for p in plans]
    gc.collect()
    heap = (tracemalloc.get_traced_memory()[0] - before) / n / 2**20
    tracemalloc.stop()
    del kept, again
    return ms, heap, rss


def main() -> None:
    plan = load_plan_file(os.path.join(ROOT, "plans", "ratchaburi-2565.yaml"))
    t = time.perf_counter()
    parser = Parser(plan)
    build = time.perf_counter() - t
    messages = [row[0] for row in commands()] + chatter()
    trie = parser.trie

    def tokenize(m: str):
        return word_tokenize(m, custom_dict=trie, engine="newmm")

    measure((parser.parse, tokenize), messages, 2)     # warm caches and branch paths
    p, k = measure((parser.parse, tokenize), messages, ROUNDS)
    p50, p99, k50, k99 = pct(p, .5), pct(p, .99), pct(k, .5), pct(k, .99)
    print(f"parser built in {build:.2f} s; {len(messages)} messages x {ROUNDS} rounds")
    print(f"parse     {1e6 / statistics.mean(p):9.0f} msg/s  p50 {p50:7.1f} µs  p99 {p99:7.1f} µs")
    print(f"tokenize  {1e6 / statistics.mean(k):9.0f} msg/s  p50 {k50:7.1f} µs  p99 {k99:7.1f} µs")
    ms, heap, rss = many(plan, PLANS)
    print(f"{PLANS} more parsers, one per plan (distinct districts and province), build ms each:")
    for i in range(0, len(ms), 19):
        print("  " + " ".join(f"{x:5.1f}" for x in ms[i:i + 19]))
    print(f"  p50 {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms; added per parser: "
          f"{heap:.3f} MB Python heap (tracemalloc), {rss:.3f} MB RSS")
    print(f"parse p50_us={p50:.1f} p99_us={p99:.1f} tokenize_p50_us={k50:.1f} ratio={p50 / k50:.2f}"
          f" first_build_ms={build * 1000:.0f} plans={PLANS} build_p50_ms={statistics.median(ms):.1f}"
          f" build_max_ms={max(ms):.1f} heap_mb_per_parser={heap:.3f} rss_mb_per_parser={rss:.3f}")


if __name__ == "__main__":
    main()
