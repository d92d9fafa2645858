"""The database is cut in the middle of a burst and LINE never redelivers (the console's
default): every event still counts exactly once. The two gunicorn workers keep what they could
not write in the node's spool (200), apply it themselves once the database answers — both at
once, and one of them killed while applying it."""
from __future__ import annotations

import os
import signal
import threading
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.prod._support import (Gunicorn, TcpProxy, assert_exact_totals, bind_groups, db_totals,
                                 make_burst, run_burst, server_env)
from tests.prod.conftest import BACKENDS

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL not set")]


def test_database_cut_mid_burst_without_redelivery_counts_every_event_once(fresh_db, fake,
                                                                            tmp_path):
    url = fresh_db("postgresql")
    parts = urlsplit(url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432)).start()
    via_proxy = urlunsplit(parts._replace(netloc=f"127.0.0.1:{proxy.port}"))
    spool = tmp_path / "spool"
    env = server_env(via_proxy, fake.url, SPOOL_DIR=str(spool))
    try:
        with Gunicorn(env, log_path=tmp_path / "g.log") as web:
            groups = bind_groups(web.port, 4)
            plans, expected, distinct = make_burst(groups, threads=6, per_thread=70, dup_share=0)
            result: dict = {}
            burst = threading.Thread(target=lambda: result.update(run_burst(web.port, plans)))
            burst.start()
            time.sleep(0.4)
            proxy.refuse()   # new connections refused …
            proxy.drop()     # … and the open ones cut, mid-burst
            burst.join(120)
            assert not burst.is_alive()
            # no event was refused: the ones the database could not take are in the spool
            assert result["statuses"] == {200: distinct}, result["statuses"]
            kept = sum(1 for f in spool.glob("*.jsonl") for _ in f.read_text().splitlines())
            assert kept > 0, "the cut came too late to test anything"
            proxy.restore()
            # both workers' threads compete for the spool; kill one while it is applying
            time.sleep(2.2)
            victim = web.worker_pids()[0]
            os.kill(victim, signal.SIGKILL)
            deadline = time.time() + 60
            while db_totals(url)["entries"] < distinct and time.time() < deadline:
                time.sleep(0.5)
            print(f"{len(result['statuses'])} statuses; {kept} events spooled during the cut; "
                  f"victim {victim}")
            assert not list(spool.glob("*.jsonl")), "spool not emptied"
            assert "Traceback" not in web.tail(400000)
    finally:
        proxy.stop()
    assert_exact_totals(url, distinct, expected)
