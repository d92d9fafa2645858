"""Shared pieces of the production tests and benchmarks: a gunicorn subprocess, a TCP proxy
the test controls (faults between the app and PostgreSQL), signed events, direct DB reads."""
from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bot.line.fakeline import FakeLine
from tests import helpers
from tests.helpers import body_of

ROOT = Path(__file__).resolve().parents[2]
SECRET = "prod-channel-secret"
TOKEN = "prod-access-token"
ADMIN = "Uadmin0000000000000000000000000001"
DASHBOARD = "prod-dash-token"
DISTRICTS = [("mueang-ratchaburi", "เมืองราชบุรี"), ("ban-pong", "บ้านโป่ง"),
             ("photharam", "โพธาราม"), ("damnoen-saduak", "ดำเนินสะดวก"), ("bang-phae", "บางแพ"),
             ("pak-tho", "ปากท่อ"), ("chom-bueng", "จอมบึง"), ("wat-phleng", "วัดเพลง"),
             ("suan-phueng", "สวนผึ้ง"), ("ban-kha", "บ้านคา")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(body: bytes, secret: str = SECRET) -> str:
    return helpers.sign(body, secret)  # the same signature, with this module's secret


def new_id() -> str:
    return "01P" + uuid.uuid4().hex.upper()[:23]


def text_event(text: str, user: str, group: str | None, eid: str | None = None,
               redelivery: bool = False) -> dict:
    eid = eid or new_id()
    src = {"type": "group", "groupId": group, "userId": user} if group else \
        {"type": "user", "userId": user}
    return {"type": "message", "mode": "active", "timestamp": 1650337200000,
            "webhookEventId": eid, "deliveryContext": {"isRedelivery": redelivery},
            "source": src, "replyToken": "rt" + uuid.uuid4().hex,
            "message": {"id": eid[-12:], "type": "text", "quoteToken": "q", "text": text}}


def redelivered(ev: dict) -> dict:
    """The same event as LINE redelivers it: same webhookEventId, isRedelivery true."""
    return {**ev, "deliveryContext": {"isRedelivery": True}}


class Client:
    """A keep-alive HTTP client (one per thread) that posts signed bodies."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        for attempt in (0, 1):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                                       timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
            except BrokenPipeError:
                # the server had closed this idle keep-alive connection before the request
                # went out: nothing was taken, so one fresh try is safe
                self.close()
                if attempt:
                    raise
                continue
            try:
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.getheader("Connection", "").lower() == "close":
                    self.close()
                return resp.status, data
            except (http.client.HTTPException, BrokenPipeError, ConnectionResetError) as exc:
                # a keep-alive connection the server closed while idle: retry once, fresh;
                # but a request that may have been taken is never retried blindly twice
                self.close()
                if attempt or not isinstance(exc, http.client.RemoteDisconnected):  # idle close
                    raise
        raise AssertionError("unreachable")

    def post_events(self, *events: dict, body: bytes | None = None) -> int:
        body = body if body is not None else body_of(*events)
        status, _ = self.request("POST", "/callback", body,
                                 {"Content-Type": "application/json",
                                  "X-Line-Signature": sign(body)})
        return status

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Gunicorn:
    """``gunicorn -c gunicorn.conf.py <app>`` as a subprocess, as the Procfile starts it."""

    def __init__(self, env: dict, app: str = "wsgi:app", workers: int = 2,
                 log_path: Path | None = None, python_path: str | None = None):
        self.port = free_port()
        self.env = {**os.environ, "PYTHAINLP_OFFLINE": "1", "PORT": str(self.port),
                    "WEB_CONCURRENCY": str(workers), **env}
        if python_path:
            self.env["PYTHONPATH"] = python_path
        self.app = app
        self.log_path = log_path or Path(f"/tmp/gunicorn-{self.port}.log")
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90.0, wait: bool = True) -> "Gunicorn":
        # gunicorn from the interpreter running the tests: whatever virtualenv holds the
        # requirements (not necessarily the repository's .venv)
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py",
                                      self.app],
                                     cwd=ROOT, env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if wait:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 90.0, workers: int | None = None,
                   healthy: bool = True) -> None:
        deadline = time.time() + timeout
        want = workers or int(self.env["WEB_CONCURRENCY"])
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited {self.proc.returncode}: {self.tail()}")
            if self.ready_count() >= want and (not healthy or self._healthy()):
                return
            time.sleep(0.2)
        raise TimeoutError(f"gunicorn not ready in {timeout}s: {self.tail()}")

    def ready_count(self) -> int:
        """Workers that finished booting (gunicorn.conf.py's post_worker_init logs each)."""
        return self.tail(10**9).count("worker ready (pid:")

    def _healthy(self) -> bool:
        try:
            c = Client(self.port, timeout=2)
            status, _ = c.request("GET", "/healthz")
            c.close()
            return status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        if self.proc is None:
            return []
        out = []
        for p in Path("/proc").iterdir():
            if not p.name.isdigit():
                continue
            try:
                stat = (p / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.proc.pid:
                out.append(int(p.name))
        return sorted(out)

    def rss_mb(self, pid: int) -> float:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise LookupError("no VmRSS")

    def tail(self, n: int = 4000) -> str:
        try:
            return self.log_path.read_bytes()[-n:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, quick: bool = False) -> None:
        """SIGTERM (graceful) or SIGQUIT (quick: workers stop at once)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGQUIT if quick else signal.SIGTERM)
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own session only
            self.proc.wait(5)
        self._log.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class TcpProxy:
    """127.0.0.1:<port> → target, in-process. ``refuse()`` stops accepting (connections are
    refused), ``drop()`` cuts every open connection, ``restore()`` accepts again."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = free_port()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._listener: socket.socket | None = None
        self._stop = threading.Event()
        self.accepting = False

    def start(self) -> "TcpProxy":
        self.restore()
        return self

    def restore(self) -> None:
        with self._lock:
            if self.accepting:
                return
            ls = socket.socket()
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind(("127.0.0.1", self.port))
            ls.listen(64)
            ls.settimeout(0.2)
            self._listener, self.accepting = ls, True
        threading.Thread(target=self._accept_loop, args=(ls,), daemon=True).start()

    def refuse(self) -> None:
        """New connections are refused (nothing listens) and open ones are cut."""
        with self._lock:
            self.accepting = False
            ls, self._listener = self._listener, None
        if ls is not None:
            ls.close()
        self.drop()

    def drop(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, set()
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def stop(self) -> None:
        self._stop.set()
        self.refuse()

    def _accept_loop(self, ls: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = ls.accept()
            except socket.timeout:
                if not self.accepting or self._listener is not ls:
                    return
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._conns.update((client, upstream))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        src.settimeout(None)
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            with self._lock:
                self._conns.discard(src)
                self._conns.discard(dst)


# --------------------------------------------------------------------------- reading the DB
def db_totals(url: str) -> dict:
    """{'entries': n, 'events': n, 'districts': {district: done}} of the active plan's jpt."""
    from sqlalchemy import text

    from bot.db import make_engine
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            plan = conn.execute(text("SELECT id FROM plans ORDER BY id LIMIT 1")).scalar()
            rows = conn.execute(text(
                "SELECT district_key, done FROM progress WHERE plan_id = :p AND "
                "indicator_key = 'jpt' AND category_key = ''"), {"p": plan}).all()
            return {
                "entries": conn.execute(text("SELECT count(*) FROM entries")).scalar(),
                "entry_sum": conn.execute(text(
                    "SELECT coalesce(sum(amount), 0) FROM entries WHERE undone_at IS NULL"))
                .scalar(),
                "events": conn.execute(text("SELECT count(*) FROM webhook_events")).scalar(),
                "districts": {d: int(n) for d, n in rows},
            }
    finally:
        engine.dispose()


# --------------------------------------------------------------------------- a burst of logs
def bind_groups(port: int, n: int) -> dict[str, str]:
    """Bind n groups to the first n districts through the webhook; {group_id: district_key}."""
    c = Client(port)
    groups = {}
    for key, name in DISTRICTS[:n]:
        gid = "C" + uuid.uuid4().hex
        assert c.post_events(text_event(f"ผูกกลุ่ม อำเภอ{name}", ADMIN, gid)) == 200
        groups[gid] = key
    c.close()
    return groups


def make_burst(groups: dict[str, str], threads: int, per_thread: int, dup_share: float = 0.1,
               seed: int = 1) -> tuple[list[list[tuple]], dict[str, int], int]:
    """Plans a burst: per thread a list of (kind, event) with kind 'one' | 'twin' (sent twice at
    the same instant) | 'again' (a redelivery of an event sent earlier by another thread).
    Returns (plans, expected done per district, distinct events)."""
    import random
    rng = random.Random(seed)
    gids = list(groups)
    # 40 officers, each working in one district's group, as พัฒนากร do
    officers = [f"U{uuid.UUID(int=rng.getrandbits(128)).hex}" for _ in range(40)]
    home = {o: gids[k % len(gids)] for k, o in enumerate(officers)}
    expected: dict[str, int] = {}
    plans: list[list[tuple]] = [[] for _ in range(threads)]
    sent: list[dict] = []
    used: set[tuple[str, int]] = set()
    for i in range(threads * per_thread):
        officer = rng.choice(officers)
        gid = home[officer]
        amount = rng.randint(1, 60)
        while (officer, amount) in used:  # the same log twice from one officer is asked about
            amount += 1
        used.add((officer, amount))
        ev = text_event(f"บันทึก จปฐ {amount} ครัวเรือน", officer, gid)
        expected[groups[gid]] = expected.get(groups[gid], 0) + amount
        t = i % threads
        r = rng.random()
        if r < dup_share / 2:
            plans[t].append(("twin", ev))
        else:
            plans[t].append(("one", ev))
            if r < dup_share and sent is not None:
                # redelivered later, by another thread
                plans[(t + 1 + rng.randrange(threads - 1)) % threads].append(
                    ("again", redelivered(ev)))
        sent.append(ev)
    for p in plans:  # interleave: the redeliveries land among the first sends
        rng.shuffle(p)
        p.sort(key=lambda item: item[0] == "again")  # a redelivery after every first send...
    return plans, expected, len(sent)


def run_burst(port: int, plans: list[list[tuple]], timeout: float = 30.0) -> dict:
    """Sends each thread's plan; returns {'statuses': {status: n}, 'latencies': [s], 'failed':
    [events whose delivery got no 200 (connection error or non-200)]}."""
    lock = threading.Lock()
    statuses: dict = {}
    latencies: list[float] = []
    failed: list[dict] = []
    start = threading.Barrier(len(plans))

    def record(status, ev, dt):
        with lock:
            statuses[status] = statuses.get(status, 0) + 1
            latencies.append(dt)
            if status != 200:
                failed.append(ev)

    def send(client: Client, ev: dict):
        t0 = time.perf_counter()
        try:
            status = client.post_events(ev)
        except (OSError, http.client.HTTPException) as exc:  # e.g. the worker was killed
            client.close()
            status = type(exc).__name__
        record(status, ev, time.perf_counter() - t0)

    def worker(plan):
        client = Client(port, timeout=timeout)
        start.wait()
        for kind, ev in plan:
            if kind == "twin":
                twin = Client(port, timeout=timeout)
                together = threading.Barrier(2)

                def other():
                    together.wait()
                    send(twin, ev)
                th = threading.Thread(target=other)
                th.start()
                together.wait()
                send(client, ev)
                th.join()
                twin.close()
            else:
                send(client, ev)
        client.close()

    ths = [threading.Thread(target=worker, args=(p,)) for p in plans]
    t0 = time.perf_counter()
    for th in ths:
        th.start()
    for th in ths:
        th.join()
    return {"statuses": statuses, "latencies": latencies, "failed": failed,
            "seconds": time.perf_counter() - t0}


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    if not xs:
        return float("nan")
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


@contextlib.contextmanager
def bot_with_groups(url: str, line_url: str, log_path: Path, n_groups: int,
                    data_url: str | None = None):
    """Our bot under gunicorn on ``url``, with ``n_groups`` district groups bound:
    yields (gunicorn, {group id: district})."""
    with Gunicorn(server_env(url, line_url, data_url), log_path=log_path) as web:
        yield web, bind_groups(web.port, n_groups)


def assert_exact_totals(url: str, distinct: int, expected: dict[str, int]) -> dict:
    """One entry per distinct event, and each district's total what was sent to it."""
    got = db_totals(url)
    assert got["entries"] == distinct
    assert {d: n for d, n in got["districts"].items() if n} == expected
    return got


def server_env(db_url: str, line_url: str, data_url: str | None = None, **extra) -> dict:
    """The bot's environment; LINE's data host is the running fake's of ``line_url`` unless
    ``data_url`` names one (LINE's own when ``line_url`` is not a fake of this process)."""
    data_url = data_url or FakeLine.data_url_of(line_url) or "https://api-data.line.me"
    return {"DATABASE_URL": db_url, "LINE_CHANNEL_SECRET": SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE_URL": line_url,
            "LINE_API_DATA_BASE_URL": data_url,
            "ADMIN_LINE_USER_IDS": ADMIN, "DASHBOARD_TOKEN": DASHBOARD,
            "BOT_TODAY": "2565-04-19",
            # a spool of its own: never another test's (nor the checkout's instance/spool)
            "SPOOL_DIR": tempfile.mkdtemp(prefix="nongpat-spool-"), **extra}
