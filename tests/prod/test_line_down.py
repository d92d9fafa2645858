"""LINE slow (past the client's timeouts) or down (500s): the webhook still answers within 2 s
and every entry is kept."""
from __future__ import annotations

import time

import pytest

from tests.prod._support import (Client, Gunicorn, bind_groups, db_totals, server_env,
                                 text_event)

pytestmark = pytest.mark.slow


def test_webhook_answers_fast_and_keeps_entries_when_line_is_slow_or_down(fresh_db, fake,
                                                                          tmp_path):
    url = fresh_db("sqlite")  # LINE's side does not depend on the backend
    web = Gunicorn(server_env(url, fake.url), log_path=tmp_path / "g.log").start()
    try:
        groups = bind_groups(web.port, 2)
        gids = list(groups)
        c = Client(web.port)
        slowest = 0.0
        total = 0
        for phase in ("slow", "down"):
            fake.reset()
            if phase == "slow":     # past bot.line.client's read timeout (10 s): the calls time out
                fake.delay.update(reply=11, profile=11)
            else:
                fake.fail_rate.update(reply=(500, 1.0), profile=(500, 1.0))
            for i in range(12):
                user = f"U{phase}{i:030d}"
                ev = text_event(f"บันทึก จปฐ {i + 1} ครัวเรือน", user, gids[i % 2])
                t0 = time.perf_counter()
                assert c.post_events(ev) == 200
                slowest = max(slowest, time.perf_counter() - t0)
                total += i + 1
        assert slowest < 2.0, slowest
        got = db_totals(url)
        assert got["entries"] == 24 and sum(got["districts"].values()) == total
    finally:
        web.stop(quick=True)  # replies still waiting on the slow fake need not finish
