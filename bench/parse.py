"""Parser speed over the labelled table messages, against bare newmm tokenisation.

Run from the repo root: ``python bench/parse.py``.  Prints messages/s and p50/p99 µs per parse,
the same for ``word_tokenize(text, custom_dict=trie, engine="newmm")`` on the same messages, and
their ratio.  The last line is machine-readable:
``parse p50_us=<a> p99_us=<b> tokenize_p50_us=<c> ratio=<a/c>``.
"""
from __future__ import annotations

import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests", "language"))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from pythainlp.tokenize import word_tokenize  # noqa: E402

from bot.language import Parser  # noqa: E402
from bot.core.plan import load_plan_file  # noqa: E402
from language_cases import chatter, commands  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))


def measure(fn, messages: list[str], rounds: int) -> list[float]:
    """Per-message timings in µs: each message timed on its own, ``rounds`` times."""
    out = []
    for _ in range(rounds):
        for m in messages:
            t = time.perf_counter_ns()
            fn(m)
            out.append((time.perf_counter_ns() - t) / 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))]


def main() -> None:
    t = time.perf_counter()
    parser = Parser(load_plan_file(os.path.join(ROOT, "plans", "ratchaburi-2565.yaml")))
    build = time.perf_counter() - t
    messages = [row[0] for row in commands()] + chatter()
    trie = parser.trie

    def tokenize(m: str):
        return word_tokenize(m, custom_dict=trie, engine="newmm")

    measure(parser.parse, messages, 2)     # warm caches and branch paths
    measure(tokenize, messages, 2)
    p = measure(parser.parse, messages, ROUNDS)
    k = measure(tokenize, messages, ROUNDS)
    p50, p99, k50, k99 = pct(p, .5), pct(p, .99), pct(k, .5), pct(k, .99)
    print(f"parser built in {build:.2f} s; {len(messages)} messages x {ROUNDS} rounds")
    print(f"parse     {1e6 / statistics.mean(p):9.0f} msg/s  p50 {p50:7.1f} µs  p99 {p99:7.1f} µs")
    print(f"tokenize  {1e6 / statistics.mean(k):9.0f} msg/s  p50 {k50:7.1f} µs  p99 {k99:7.1f} µs")
    print(f"parse p50_us={p50:.1f} p99_us={p99:.1f} tokenize_p50_us={k50:.1f} ratio={p50 / k50:.2f}")


if __name__ == "__main__":
    main()
