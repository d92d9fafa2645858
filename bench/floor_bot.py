"""The least a durable log bot can do — a yardstick for bench/webhook.py, not a product.

Per event: the signature check, ``json.loads``, our Thai parser, ONE raw ``sqlite3``
transaction (dedupe on the event id, the entry, the counter, its new total) under the same
writer hand-off as the bot (a thread lock plus ``flock``), then a hand-built JSON reply posted
inline with urllib3. No Flask-SQLAlchemy session, no ORM, no handlers, no quick replies, no
wording: what is left is the floor any Python bot on SQLite stands on. Started like the others:
``gunicorn -c gunicorn.conf.py bench.floor_bot:app`` with ``FLOOR_DB`` naming a SQLite file.
"""
import base64
import fcntl
import hashlib
import hmac
import json
import os
import sqlite3
import threading
from pathlib import Path

import urllib3
from flask import Flask, abort, request

from bot.language import Parser
from bot.core.plan import load_plan_file

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, event_id TEXT UNIQUE,
    chat_id TEXT, indicator TEXT, amount INTEGER, created_at TEXT);
CREATE TABLE IF NOT EXISTS totals (chat_id TEXT, indicator TEXT, done INTEGER,
    PRIMARY KEY (chat_id, indicator));
"""

app = Flask(__name__)
secret = os.environ["LINE_CHANNEL_SECRET"].encode()
token = os.environ["LINE_CHANNEL_ACCESS_TOKEN"]
line_url = os.environ.get("LINE_API_BASE_URL", "https://api.line.me") + "/v2/bot/message/reply"
db_path = os.environ["FLOOR_DB"]
parser = Parser(load_plan_file(ROOT / "plans" / "ratchaburi-2565.yaml"))
http = urllib3.PoolManager(maxsize=8)
local = threading.local()
writer = threading.Lock()


class _Locked:
    """One writer across threads (the lock) and processes (flock on a side file)."""

    def __enter__(self):
        writer.acquire()
        fcntl.flock(local.lock_file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(local.lock_file, fcntl.LOCK_UN)
        writer.release()


def connection() -> sqlite3.Connection:
    conn = getattr(local, "conn", None)
    if conn is None:
        local.lock_file = open(db_path + ".write-lock", "a")
        conn = sqlite3.connect(db_path, isolation_level=None, timeout=30)
        with _Locked():
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(SCHEMA)
        local.conn = conn
    return conn


def record(event_id: str, chat_id: str, indicator: str, amount: int) -> int | None:
    """The new total, or None when the event was taken before."""
    conn = connection()
    with _Locked():
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("INSERT INTO events VALUES (?)", (event_id,))
            conn.execute("INSERT INTO entries (event_id, chat_id, indicator, amount, created_at) "
                         "VALUES (?, ?, ?, ?, datetime('now'))",
                         (event_id, chat_id, indicator, amount))
            total = conn.execute(
                "INSERT INTO totals VALUES (?, ?, ?) ON CONFLICT (chat_id, indicator) "
                "DO UPDATE SET done = done + excluded.done RETURNING done",
                (chat_id, indicator, amount)).fetchone()[0]
            conn.execute("COMMIT")
            return total
        except sqlite3.IntegrityError:
            conn.execute("ROLLBACK")
            return None
        except BaseException:
            conn.execute("ROLLBACK")
            raise


@app.post("/callback")
def callback():
    body = request.get_data()
    expected = base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode()
    if not hmac.compare_digest(expected, request.headers.get("X-Line-Signature", "")):
        abort(400)
    for event in json.loads(body)["events"]:
        message = event.get("message") or {}
        if message.get("type") != "text":
            continue
        command = parser.parse(message["text"])
        if not (command.indicator and command.amount):
            continue
        source = event["source"]
        total = record(event["webhookEventId"], source.get("groupId") or source["userId"],
                       command.indicator, command.amount)
        if total is None:
            continue
        reply = {"replyToken": event["replyToken"], "messages": [
            {"type": "text", "text": f"บันทึกแล้วค่ะ {command.indicator} {command.amount:,} "
                                     f"รวม {total:,}"}]}
        http.request("POST", line_url, body=json.dumps(reply).encode(),
                     headers={"Authorization": f"Bearer {token}",
                              "Content-Type": "application/json"})
    return "OK"


@app.get("/healthz")
def healthz():
    return {"status": "ok"}
