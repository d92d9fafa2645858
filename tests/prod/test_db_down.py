"""The database goes away: /callback keeps the events in the node's spool and answers 200
(nothing depends on LINE's redelivery, off by default), /healthz 503; when it comes back, the
web process applies the spool by itself, and redelivered events are still recorded once.

PostgreSQL: through a TCP proxy the test controls, between real gunicorn workers and the server
(connections refused, open ones cut). SQLite: the database file is replaced by a directory (as
if its volume went away; we run as root, so permissions would not stop us)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bot.line.fakeline import FakeLine
from tests.prod._support import (ADMIN, SECRET, TOKEN, Client, Gunicorn, TcpProxy, body_of,
                                 db_totals, redelivered, server_env, sign, text_event)
from tests.prod.conftest import BACKENDS

pytestmark = pytest.mark.slow
GROUP = "Cdbdown00000000000000000000000001"


class InProcess:
    """The app in this process (for SQLite: so the test can drop its connections)."""

    def __init__(self, url: str, line_url: str, spool: Path):
        from bot import create_app
        self.app = create_app({"TESTING": True, "DATABASE_URL": url, "LINE_CHANNEL_SECRET": SECRET,
                               "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": line_url,
                               "LINE_API_DATA_BASE_URL": FakeLine.data_url_of(line_url),
                               "ADMIN_LINE_USER_IDS": frozenset({ADMIN}),
                               "SPOOL_DIR": str(spool)})
        self.client = self.app.test_client()

    def post(self, body: bytes) -> int:
        return self.client.post("/callback", data=body, content_type="application/json",
                                headers={"X-Line-Signature": sign(body)}).status_code

    def health(self) -> int:
        return self.client.get("/healthz").status_code

    def close(self):
        self.app.extensions["nongpat"].drainer.stop()
        self.app.extensions["nongpat"].line.drain()
        self.app.extensions["nongpat"].engine.dispose()


class OverHttp:
    def __init__(self, port: int):
        self.c = Client(port)

    def post(self, body: bytes) -> int:
        return self.c.post_events(body=body)

    def health(self) -> int:
        return self.c.request("GET", "/healthz")[0]


def wait_for_totals(url: str, district_total: int, entries: int, timeout: float = 20) -> dict:
    """The spool is applied by the workers' own threads (polling every 2 s): wait for it."""
    deadline = time.time() + timeout
    while True:
        try:
            got = db_totals(url)
        except Exception:  # the schema is not there yet (a worker is still setting it up)
            got = {"entries": -1, "districts": {}}
        if got["entries"] >= entries or time.time() > deadline:
            break
        time.sleep(0.3)
    assert got["districts"].get("ban-pong") == district_total and got["entries"] == entries, got
    return got


def scenario(server, fault_on, fault_off, url: str) -> None:
    log = lambda n: text_event(f"บันทึก จปฐ {n} ครัวเรือน", "Uofficer0001", GROUP)  # noqa: E731
    assert server.post(body_of(text_event("ผูกกลุ่ม อำเภอบ้านโป่ง", ADMIN, GROUP))) == 200
    a = log(5)
    assert server.post(body_of(a)) == 200

    fault_on()
    b, c = log(7), log(11)
    assert server.post(body_of(b, c)) == 200          # kept in the spool, not refused
    assert server.post(body_of(redelivered(b))) == 200
    assert server.health() == 503
    fault_off()

    assert server.health() == 200
    wait_for_totals(url, 5 + 7 + 11, 3)               # applied by the web process itself
    assert server.post(body_of(redelivered(b), redelivered(c))) == 200
    assert server.post(body_of(redelivered(b), redelivered(c), redelivered(a))) == 200
    got = db_totals(url)
    assert got["districts"]["ban-pong"] == 5 + 7 + 11
    assert got["entries"] == 3


def test_sqlite_file_gone_spools_then_applies_once(fresh_db, fake, tmp_path):
    url = fresh_db("sqlite")
    path = Path(url.removeprefix("sqlite:///"))
    aside = tmp_path / "aside"
    aside.mkdir()
    server = InProcess(url, fake.url, tmp_path / "spool")
    engine = server.app.extensions["nongpat"].engine

    def fault_on():
        server.app.extensions["nongpat"].line.drain()  # no background write mid-move
        engine.dispose()  # the pool's open handles would keep the old file alive
        for p in path.parent.glob(path.name + "*"):
            if not p.name.endswith("setup-lock"):
                try:
                    shutil.move(p, aside / p.name)
                except FileNotFoundError:  # a -wal/-shm checkpointed away meanwhile
                    pass
        path.mkdir()      # "unable to open database file"

    def fault_off():
        path.rmdir()
        for p in aside.iterdir():
            shutil.move(p, path.parent / p.name)
        engine.dispose()

    try:
        scenario(server, fault_on, fault_off, url)
    finally:
        server.close()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL not set")
def test_postgresql_refused_or_cut_spools_then_applies_once(fresh_db, fake,
                                                                          tmp_path):
    url = fresh_db("postgresql")
    parts = urlsplit(url)
    pg = (parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy = TcpProxy(pg).start()
    via_proxy = urlunsplit(parts._replace(netloc=f"127.0.0.1:{proxy.port}"))
    try:
        with Gunicorn(server_env(via_proxy, fake.url), log_path=tmp_path / "g.log") as web:
            server = OverHttp(web.port)
            scenario(server, proxy.refuse, proxy.restore, url)
            # a cut connection alone is recovered at once (pre-ping): no 503, counted once
            proxy.drop()
            ev = text_event("บันทึก จปฐ 2 ครัวเรือน", "Uofficer0002", GROUP)
            assert server.post(body_of(ev)) == 200
            assert server.post(body_of(redelivered(ev))) == 200
            assert db_totals(url)["districts"]["ban-pong"] == 5 + 7 + 11 + 2
            assert "Traceback" not in web.tail(200000)
    finally:
        proxy.stop()


def _boot_while_down(server, fault_off, url):
    ev = text_event("ผูกกลุ่ม อำเภอบ้านโป่ง", ADMIN, GROUP)
    log = text_event("บันทึก จปฐ 3 ครัวเรือน", "Uofficer0003", GROUP)
    assert server.health() == 503
    assert server.post(body_of(ev, log)) == 200       # spooled by a worker not yet set up
    fault_off()
    wait_for_totals(url, 3, 1)                         # set up, then the spool applied, in order
    assert server.post(body_of(redelivered(ev), redelivered(log))) == 200
    assert server.health() == 200
    got = db_totals(url)
    assert got["districts"]["ban-pong"] == 3 and got["entries"] == 1


def test_sqlite_worker_started_while_database_is_unavailable_spools_then_sets_up(
        fresh_db, fake, monkeypatch):
    url = fresh_db("sqlite")
    path = Path(url.removeprefix("sqlite:///"))
    path.mkdir()  # "unable to open database file"
    for k, v in server_env(url, fake.url).items():
        monkeypatch.setenv(k, v)
    import wsgi
    app = wsgi.build()
    assert app.config["SETUP_PENDING"]

    class Srv(InProcess):
        def __init__(self):
            self.app, self.client = app, app.test_client()
    try:
        _boot_while_down(Srv(), path.rmdir, url)
    finally:
        app.extensions["nongpat"].engine.dispose()


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="TEST_DATABASE_URL not set")
def test_postgresql_workers_started_while_database_refuses_do_not_halt_gunicorn(
        fresh_db, fake, tmp_path):
    url = fresh_db("postgresql")
    parts = urlsplit(url)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 5432))  # not listening yet
    via_proxy = urlunsplit(parts._replace(netloc=f"127.0.0.1:{proxy.port}"))
    web = Gunicorn(server_env(via_proxy, fake.url), log_path=tmp_path / "g.log")
    try:
        web.start(wait=False).wait_ready(60, healthy=False)  # booted, though the DB is down
        _boot_while_down(OverHttp(web.port), proxy.start, url)
        assert web.proc.poll() is None
    finally:
        web.stop()
        proxy.stop()
