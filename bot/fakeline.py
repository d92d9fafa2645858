"""A fake LINE Messaging API server on localhost, for tests, benchmarks and staging.

It answers like LINE where it matters: 400 on a reused reply token, 409 on a repeated
``X-Line-Retry-Key``, 429 when told to or over quota, injected 500s and delays, group member
profiles and counts, and quota figures. Point the bot at it with ``LINE_API_BASE_URL``.

    python -m bot.fakeline --port 8099     # for staging: prints what the bot sends
"""
from __future__ import annotations

import json
import random
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Sent:
    kind: str                 # reply | push
    to: str | None            # push target
    reply_token: str | None
    messages: list[dict]
    retry_key: str | None = None
    at: float = field(default_factory=time.time)
    sent_ids: list[str] = field(default_factory=list)   # the ids LINE gave each message

    @property
    def texts(self) -> list[str]:
        return [m.get("text") or m.get("altText") or "" for m in self.messages]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up (timeout, killed worker) is part of the tests: no traceback."""


class FakeLine:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, check_messages: bool = True):
        self.lock = threading.Lock()
        # refuse (400) a reply or push whose body the SDK's request models reject, as LINE
        # refuses an invalid message; benchmarks turn it off (LINE's CPU is not the bot's)
        self.check_messages = check_messages
        self.invalid: list[tuple[str, str]] = []   # (path, error) of refused bodies
        self.replies: list[Sent] = []
        self.log: list[Sent] = []              # replies and pushes, in order
        self.pushes: list[Sent] = []           # accepted pushes (a 409 repeat is not added)
        self.requests: list[tuple[str, str]] = []
        self.used_tokens: set[str] = set()
        self.retry_keys: set[str] = set()
        self.names: dict[str, str] = {}        # userId → displayName
        self.member_counts: dict[str, int] = {}
        self.default_members = 10
        self.quota_limit: int | None = None    # None: unlimited
        self.quota_used = 0
        self.fail_next: dict[str, list[int]] = {}   # "reply" | "push" | "profile" → statuses
        self.fail_rate: dict[str, tuple[int, float]] = {}  # kind → (status, probability)
        self.delay: dict[str, float] = {}      # kind → seconds before answering
        self.profile_status: int | None = None  # answer profiles with this status
        self.rich_menus: dict[str, dict] = {}   # id → {"request", "image", "content_type"}
        self.default_rich_menu: str | None = None
        self.rng = random.Random(7)
        self._next_id = 470_000_000_000_000_000
        self.server = _QuietServer((host, port), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # --- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeLine":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self) -> None:
        with self.lock:
            self.replies.clear(); self.pushes.clear(); self.requests.clear(); self.log.clear()
            self.used_tokens.clear(); self.retry_keys.clear(); self.fail_next.clear()
            self.fail_rate.clear(); self.delay.clear(); self.names.clear()
            self.member_counts.clear(); self.quota_limit = None; self.quota_used = 0
            self.profile_status = None; self.invalid.clear()
            self.rich_menus.clear(); self.default_rich_menu = None

    def new_ids(self, n: int) -> list[str]:
        """LINE's message ids: numeric strings, unique per message (caller holds the lock)."""
        self._next_id += n
        return [str(self._next_id - n + k + 1) for k in range(n)]

    @staticmethod
    def sent_messages(sent: Sent) -> dict:
        """A ReplyMessageResponse / PushMessageResponse: one id (and quote token) per message."""
        return {"sentMessages": [{"id": i, "quoteToken": f"qt-{i}"} for i in sent.sent_ids]}

    # --- what tests ask ------------------------------------------------------------
    def replies_to(self, token: str) -> list[Sent]:
        with self.lock:
            return [r for r in self.replies if r.reply_token == token]

    def wait_for(self, predicate, timeout: float = 5.0) -> bool:
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if predicate(self):
                    return True
            time.sleep(0.01)
        return False

    # --- the server ------------------------------------------------------------------
    def _invalid_message(self, path: str, body: dict) -> str | None:
        """What the SDK's request model finds wrong with a reply/push body (None: fine)."""
        if not self.check_messages:
            return None
        from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest
        model = ReplyMessageRequest if path.endswith("/reply") else PushMessageRequest
        try:
            model.from_dict(body)
            return None
        except Exception as exc:  # pydantic's ValidationError, or a body that is not an object
            with self.lock:
                self.invalid.append((path, str(exc)))
            return str(exc)

    def _injected(self, kind: str) -> int | None:
        with self.lock:
            queue = self.fail_next.get(kind)
            if queue:
                return queue.pop(0)
            status, p = self.fail_rate.get(kind, (0, 0.0))
            if p and self.rng.random() < p:
                return status
        return None

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                data = json.dumps(body if body is not None else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict:
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n) if n else b"{}"
                self.raw = raw
                try:
                    return json.loads(raw or b"{}")
                except ValueError:
                    return {}

            def _auth(self) -> bool:
                if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                    self._send(401, {"message": "Authentication failed"})
                    return False
                return True

            def do_POST(self):  # noqa: N802
                body = self._body()
                with fake.lock:
                    fake.requests.append(("POST", self.path))
                if not self._auth():
                    return
                if self.path in ("/v2/bot/message/reply", "/v2/bot/message/push"):
                    error = fake._invalid_message(self.path, body)
                    if error:
                        return self._send(400, {"message": "The request body has 1 error(s)",
                                                "details": [{"message": error[:500]}]})
                if self.path == "/v2/bot/message/reply":
                    return self._reply(body)
                if self.path == "/v2/bot/message/push":
                    return self._push(body)
                if self.path == "/v2/bot/richmenu":
                    menu_id = f"richmenu-{len(fake.rich_menus) + 1:04d}"
                    with fake.lock:
                        fake.rich_menus[menu_id] = {"request": body}
                    return self._send(200, {"richMenuId": menu_id})
                m = re.fullmatch(r"/v2/bot/richmenu/([^/]+)/content", self.path)
                if m and m.group(1) in fake.rich_menus:
                    with fake.lock:
                        fake.rich_menus[m.group(1)].update(
                            image=self.raw, content_type=self.headers.get("Content-Type"))
                    return self._send(200, {})
                m = re.fullmatch(r"/v2/bot/user/all/richmenu/([^/]+)", self.path)
                if m and m.group(1) in fake.rich_menus:
                    with fake.lock:
                        fake.default_rich_menu = m.group(1)
                    return self._send(200, {})
                self._send(404, {"message": "Not found"})

            def _reply(self, body: dict):
                if fake.delay.get("reply"):
                    time.sleep(fake.delay["reply"])
                status = fake._injected("reply")
                if status:
                    return self._send(status, {"message": "injected"})
                token = body.get("replyToken")
                with fake.lock:
                    if not token or token in fake.used_tokens:
                        return self._send(400, {"message": "Invalid reply token"})
                    fake.used_tokens.add(token)
                    sent = Sent("reply", None, token, body.get("messages", []))
                    sent.sent_ids = fake.new_ids(len(sent.messages))
                    fake.replies.append(sent)
                    fake.log.append(sent)
                self._send(200, fake.sent_messages(sent))

            def _push(self, body: dict):
                if fake.delay.get("push"):
                    time.sleep(fake.delay["push"])
                key = self.headers.get("X-Line-Retry-Key")
                status = fake._injected("push")
                to = body.get("to", "")
                with fake.lock:
                    if key and key in fake.retry_keys:
                        return self._send(409, {"message": "The retry key is already accepted"},
                                          {"x-line-accepted-request-id": "fake"})
                    if status:
                        pass
                    else:
                        cost = fake.member_counts.get(to, fake.default_members)
                        if fake.quota_limit is not None and fake.quota_used + cost > fake.quota_limit:
                            status = 429
                        else:
                            if key:
                                fake.retry_keys.add(key)
                            fake.quota_used += cost
                            sent = Sent("push", to, None, body.get("messages", []), key)
                            sent.sent_ids = fake.new_ids(len(sent.messages))
                            fake.pushes.append(sent)
                            fake.log.append(sent)
                if status:
                    return self._send(status, {"message": "injected" if status != 429
                                               else "You have reached your monthly limit."})
                self._send(200, fake.sent_messages(sent))

            def do_GET(self):  # noqa: N802
                with fake.lock:
                    fake.requests.append(("GET", self.path))
                if not self._auth():
                    return
                path = self.path.split("?")[0]
                m = re.fullmatch(r"/v2/bot/group/([^/]+)/member/([^/]+)", path) or \
                    re.fullmatch(r"/v2/bot/profile/([^/]+)()", path)
                if m:
                    if fake.delay.get("profile"):
                        time.sleep(fake.delay["profile"])
                    status = fake.profile_status or fake._injected("profile")
                    if status:
                        return self._send(status, {"message": "injected"})
                    uid = m.group(2) or m.group(1)
                    name = fake.names.get(uid, f"พัฒนากร {uid[-4:]}")
                    return self._send(200, {"displayName": name, "userId": uid,
                                            "pictureUrl": "https://example.invalid/p.png"})
                m = re.fullmatch(r"/v2/bot/group/([^/]+)/members/count", path)
                if m:
                    return self._send(200, {"count": fake.member_counts.get(
                        m.group(1), fake.default_members)})
                if path == "/v2/bot/message/quota":
                    if fake.quota_limit is None:
                        return self._send(200, {"type": "none"})
                    return self._send(200, {"type": "limited", "value": fake.quota_limit})
                if path == "/v2/bot/message/quota/consumption":
                    return self._send(200, {"totalUsage": fake.quota_used})
                self._send(404, {"message": "Not found"})

        return Handler


def main() -> None:  # pragma: no cover - a staging helper
    import argparse
    ap = argparse.ArgumentParser(description="fake LINE Messaging API for staging")
    ap.add_argument("--port", type=int, default=8099)
    args = ap.parse_args()
    fake = FakeLine(port=args.port).start()
    print(f"fake LINE on {fake.url}; Ctrl-C to stop", flush=True)
    seen = 0
    try:
        while True:
            time.sleep(0.5)
            with fake.lock:
                new = fake.log[seen:]
                seen += len(new)
            for s in new:
                print(f"[{s.kind} {s.to or s.reply_token}] {s.text}", flush=True)
    except KeyboardInterrupt:
        fake.stop()


if __name__ == "__main__":
    main()
