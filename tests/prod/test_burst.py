"""A concurrent burst through real gunicorn workers: 20 threads of signed log events over several
districts and officers, 10% delivered twice (half of them at the same instant) → the totals
equal the distinct events exactly. PROD_FULL=1 runs the issue's full 20 × 250."""
from __future__ import annotations

import os

import pytest

from tests.prod._support import (assert_exact_totals, bot_with_groups, make_burst, pct,
                                 run_burst)
from tests.prod.conftest import BACKENDS

PER_THREAD = 250 if os.environ.get("PROD_FULL") else 40
pytestmark = pytest.mark.slow


@pytest.mark.parametrize("backend", BACKENDS)
def test_burst_with_duplicates_counts_each_event_once(backend, fresh_db, fake, tmp_path):
    url = fresh_db(backend)
    with bot_with_groups(url, fake.url, tmp_path / "gunicorn.log", 5) as (web, groups):
        plans, expected, distinct = make_burst(groups, threads=20, per_thread=PER_THREAD)
        result = run_burst(web.port, plans)
        assert result["statuses"] == {200: sum(len(p) for p in plans) +
                                      sum(k == "twin" for p in plans for k, _ in p)}, \
            (result["statuses"], web.tail())
    got = assert_exact_totals(url, distinct, expected)
    assert got["events"] == distinct + len(groups)
    assert got["entry_sum"] == sum(expected.values())
    lat = result["latencies"]
    print(f"burst {backend}: {len(lat)} requests in {result['seconds']:.1f}s "
          f"({len(lat) / result['seconds']:.0f}/s), p50 {pct(lat, 50) * 1000:.0f} ms, "
          f"p99 {pct(lat, 99) * 1000:.0f} ms")
