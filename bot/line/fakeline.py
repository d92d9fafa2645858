"""A fake LINE Messaging API server on localhost, for tests, benchmarks and staging.

It answers like LINE where it matters: two hosts, as LINE has (``url``: api.line.me;
``data_url``: api-data.line.me, where content uploads such as rich-menu images go), and 404 for
an operation sent to the wrong host or a path it does not serve; 400 for a body that breaks the
operation's schema in LINE's OpenAPI spec (bot/line/spec.py), and on a reused reply token; 409 on a
repeated ``X-Line-Retry-Key``; 429 when told to or over quota; injected 500s and delays; member
profiles (group, room, 1:1) and counts, and quota figures. Point the bot at it with
``LINE_API_BASE_URL`` and ``LINE_API_DATA_BASE_URL``.

It is also a LINE Login v2.1 provider (OpenID Connect, on the api host: point
``LINE_LOGIN_BASE_URL`` at ``url`` too): ``GET /oauth2/v2.1/authorize`` checks the request
(client_id, redirect_uri, state, nonce, an S256 code_challenge, ``openid`` in the scope) and
sends the browser back with a code as the user a test chose (``login_as``), or with
``error=access_denied`` (``login_deny``); ``POST /oauth2/v2.1/token`` checks the code, the
client's secret, the redirect_uri and the PKCE verifier and answers an ID token signed HS256
with the Login channel's secret (``id_token_fault`` makes it wrong in one way: aud, iss, nonce,
signature, expired); ``POST /oauth2/v2.1/verify`` checks an ID token as LINE does. Channels are
added with ``add_login_channel``; every refusal is kept in ``login_refusals``.

    python -m bot.line.fakeline --port 8099     # for staging: prints what the bot sends (data: 8100)
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit


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


API, DATA = "api", "data"    # api.line.me, api-data.line.me

# What the fake serves: (method, path, host, handler). Each is an operation of LINE's spec on
# the same host (tests/bot/test_fakeline_hosts.py checks it against messaging-api.yml).
ROUTES = [
    ("POST", r"/v2/bot/message/reply", API, "_reply"),
    ("POST", r"/v2/bot/message/push", API, "_push"),
    ("POST", r"/v2/bot/richmenu", API, "_create_rich_menu"),
    ("POST", r"/v2/bot/richmenu/([^/]+)/content", DATA, "_set_rich_menu_image"),
    ("POST", r"/v2/bot/user/all/richmenu/([^/]+)", API, "_set_default_rich_menu"),
    ("GET", r"/v2/bot/group/([^/]+)/member/([^/]+)", API, "_profile"),
    ("GET", r"/v2/bot/room/([^/]+)/member/([^/]+)", API, "_profile"),
    ("GET", r"/v2/bot/profile/([^/]+)", API, "_profile"),
    ("GET", r"/v2/bot/group/([^/]+)/members/count", API, "_member_count"),
    ("GET", r"/v2/bot/message/quota", API, "_quota"),
    ("GET", r"/v2/bot/message/quota/consumption", API, "_quota_consumption"),
]
_ROUTES = [(m, re.compile(p), host, fn) for m, p, host, fn in ROUTES]


# LINE Login v2.1 (OpenID Connect): LINE serves authorize on access.line.me and token/verify on
# api.line.me; the fake serves all three on its api host. Not operations of the Messaging API's
# spec, so not in ROUTES (whose every row is checked against messaging-api.yml).
LOGIN_ROUTES = [
    ("GET", r"/oauth2/v2.1/authorize", "_login_authorize"),
    ("POST", r"/oauth2/v2.1/token", "_login_token"),
    ("POST", r"/oauth2/v2.1/verify", "_login_verify"),
]
_LOGIN_ROUTES = [(m, re.compile(p), fn) for m, p, fn in LOGIN_ROUTES]
LOGIN_ISSUER = "https://access.line.me"
ID_TOKEN_FAULTS = ("aud", "iss", "nonce", "signature", "expired")
CODE_SECONDS = 600      # LINE: an authorization code lasts 10 minutes, and is used once


def login_route(method: str, path: str) -> str | None:
    """The handler name of the LINE Login operation at ``method path``, or None."""
    path = path.split("?", 1)[0]
    for m, rx, fn in _LOGIN_ROUTES:
        if m == method and rx.fullmatch(path):
            return fn
    return None


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_id_token(claims: dict, secret: str) -> str:
    """A JWT signed HS256 with ``secret`` (as LINE signs a web login's ID token with the
    channel secret). Written out here, not with the library the bot verifies with."""
    head = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}).encode())
    body = _b64(json.dumps(claims, ensure_ascii=False).encode())
    sig = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(sig)}"


def read_id_token(token: str, secret: str) -> dict | None:
    """The claims of an HS256 JWT whose signature ``secret`` makes; None when it does not."""
    try:
        head, body, sig = token.split(".")
        header = json.loads(_unb64(head))
        want = hmac.new(secret.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
        if header.get("alg") != "HS256" or not hmac.compare_digest(want, _unb64(sig)):
            return None
        return json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None


def route(method: str, path: str):
    """(host, handler name, path groups) of what the fake serves at ``method path``, or None."""
    path = path.split("?", 1)[0]
    for m, rx, host, fn in _ROUTES:
        got = rx.fullmatch(path) if m == method else None
        if got:
            return host, fn, got.groups()
    return None


class FakeLine:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, check_messages: bool = True,
                 data_port: int = 0):
        self.lock = threading.RLock()   # re-entered: _send records the call under it
        # refuse (400) a body that breaks its operation's schema in LINE's OpenAPI spec, as
        # LINE refuses an invalid message; benchmarks turn it off (LINE's CPU is not the bot's)
        self.check_messages = check_messages
        self.invalid: list[tuple[str, str]] = []   # (path, error) of refused bodies
        self.replies: list[Sent] = []
        self.log: list[Sent] = []              # replies and pushes, in order
        self.pushes: list[Sent] = []           # accepted pushes (a 409 repeat is not added)
        self.requests: list[tuple[str, str]] = []   # (method, path) on either host
        self.calls: list[tuple[str, str, str, int]] = []  # (host: api|data, method, path, status)
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
        # LINE Login
        self.login_channels: dict[str, str] = {}       # channel id → channel secret
        self.login_callbacks: dict[str, set[str]] = {}  # channel id → registered callback URLs
        self.login_as: str | None = None     # the LINE user who logs in at the next authorize
        self.login_deny = False              # the user taps "cancel": error=access_denied
        self.id_token_fault: str | None = None   # one of ID_TOKEN_FAULTS: a wrong ID token
        self.login_codes: dict[str, dict] = {}   # code → what it was issued for
        self.login_refusals: list[str] = []      # why the fake refused a login request
        self.id_tokens: list[dict] = []          # the claims of every ID token issued
        self.rng = random.Random(7)
        self._next_id = 470_000_000_000_000_000
        self.server = _QuietServer((host, port), self._handler(API))
        self.data_server = _QuietServer((host, data_port), self._handler(DATA))
        for srv in (self.server, self.data_server):
            srv.daemon_threads = True
        self.threads = [threading.Thread(target=srv.serve_forever, daemon=True)
                        for srv in (self.server, self.data_server)]

    # --- lifecycle ---------------------------------------------------------------
    @property
    def url(self) -> str:
        """The fake api.line.me (``LINE_API_BASE_URL``)."""
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def data_url(self) -> str:
        """The fake api-data.line.me (``LINE_API_DATA_BASE_URL``)."""
        host, port = self.data_server.server_address[:2]
        return f"http://{host}:{port}"

    _running: dict[str, str] = {}   # url → data_url of the fakes started in this process

    @classmethod
    def data_url_of(cls, url: str) -> str | None:
        """The data host of the running fake whose api host is ``url`` (None: not one)."""
        return cls._running.get(url.rstrip("/"))

    def start(self) -> "FakeLine":
        for t in self.threads:
            t.start()
        FakeLine._running[self.url] = self.data_url
        return self

    def stop(self) -> None:
        FakeLine._running.pop(self.url, None)
        for srv in (self.server, self.data_server):
            srv.shutdown()
            srv.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def reset(self) -> None:
        with self.lock:
            self.replies.clear(); self.pushes.clear(); self.requests.clear(); self.log.clear()
            self.calls.clear()
            self.used_tokens.clear(); self.retry_keys.clear(); self.fail_next.clear()
            self.fail_rate.clear(); self.delay.clear(); self.names.clear()
            self.member_counts.clear(); self.quota_limit = None; self.quota_used = 0
            self.profile_status = None; self.invalid.clear()
            self.rich_menus.clear(); self.default_rich_menu = None
            self.login_channels.clear(); self.login_callbacks.clear(); self.login_as = None
            self.login_deny = False; self.id_token_fault = None; self.login_codes.clear()
            self.login_refusals.clear(); self.id_tokens.clear()

    def add_login_channel(self, channel_id: str, secret: str,
                          callback: str | None = None) -> None:
        """A LINE Login channel; ``callback``: its registered callback URL (None: any)."""
        with self.lock:
            self.login_channels[channel_id] = secret
            if callback:
                self.login_callbacks.setdefault(channel_id, set()).add(callback)

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
    def body_errors(self, method: str, path: str, body) -> list[tuple[str, str]]:
        """What LINE's spec finds wrong with the JSON body of ``method path``: [] when fine,
        when the operation takes no JSON body, or when checking is off. A refusal is kept in
        ``invalid``."""
        if not self.check_messages:
            return []
        from bot.line import spec as linespec
        spec = linespec.load()
        op = spec.operation(method, path)
        errors = spec.body_errors(op, body) if op is not None else []
        if errors:
            with self.lock:
                self.invalid.append((path, "; ".join(f"{p}: {m}" for p, m in errors)))
        return errors

    def _injected(self, kind: str) -> int | None:
        with self.lock:
            queue = self.fail_next.get(kind)
            if queue:
                return queue.pop(0)
            status, p = self.fail_rate.get(kind, (0, 0.0))
            if p and self.rng.random() < p:
                return status
        return None

    def _handler(self, host: str):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each keep-alive answer waits ~40 ms

            def log_message(self, *args):  # quiet
                pass

            def _send(self, status: int, body: dict | None = None, headers: dict | None = None):
                with fake.lock:
                    fake.calls.append((host, self.command, self.path, status))
                data = json.dumps(body if body is not None else {}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _read(self) -> bytes:
                n = int(self.headers.get("Content-Length") or 0)
                self.raw = self.rfile.read(n) if n else b""
                return self.raw

            def _redirect(self, location: str):
                with fake.lock:
                    fake.calls.append((host, self.command, self.path, 302))
                self.send_response(302)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _auth(self) -> bool:
                if not (self.headers.get("Authorization") or "").startswith("Bearer "):
                    self._send(401, {"message": "Authentication failed"})
                    return False
                return True

            def _dispatch(self):
                self._read()
                with fake.lock:
                    fake.requests.append((self.command, self.path))
                login = login_route(self.command, self.path)
                if login is not None:  # LINE Login: no bearer, form bodies
                    if host != API:
                        return self._send(404, {"message": "Not found"})
                    return getattr(self, login)()
                got = route(self.command, self.path)
                if got is None or got[0] != host:  # LINE's other host does not serve it either
                    return self._send(404, {"message": "Not found"})
                if not self._auth():
                    return
                _, fn, groups = got
                body = None
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    try:
                        body = json.loads(self.raw or b"{}")
                    except ValueError:
                        return self._send(400, {"message": "The request body is not JSON"})
                    errors = fake.body_errors(self.command, self.path.split("?")[0], body)
                    if errors:
                        return self._send(400, {
                            "message": f"The request body has {len(errors)} error(s)",
                            "details": [{"property": p, "message": m} for p, m in errors[:20]]})
                return getattr(self, fn)(body if isinstance(body, dict) else {}, *groups)

            do_GET = do_POST = do_PUT = do_DELETE = _dispatch  # noqa: N815

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

            def _create_rich_menu(self, body: dict):
                with fake.lock:
                    menu_id = f"richmenu-{len(fake.rich_menus) + 1:04d}"
                    fake.rich_menus[menu_id] = {"request": body}
                self._send(200, {"richMenuId": menu_id})

            def _set_rich_menu_image(self, _body, menu_id: str):
                with fake.lock:
                    menu = fake.rich_menus.get(menu_id)
                    if menu is not None:
                        menu.update(image=self.raw, content_type=self.headers.get("Content-Type"))
                if menu is None:
                    return self._send(404, {"message": "Not found"})
                self._send(200, {})

            def _set_default_rich_menu(self, _body, menu_id: str):
                with fake.lock:
                    known = menu_id in fake.rich_menus
                    if known:
                        fake.default_rich_menu = menu_id
                self._send(200, {}) if known else self._send(404, {"message": "Not found"})

            def _profile(self, _body, *ids: str):
                if fake.delay.get("profile"):
                    time.sleep(fake.delay["profile"])
                status = fake.profile_status or fake._injected("profile")
                if status:
                    return self._send(status, {"message": "injected"})
                uid = ids[-1]
                name = fake.names.get(uid, f"พัฒนากร {uid[-4:]}")
                self._send(200, {"displayName": name, "userId": uid,
                                 "pictureUrl": "https://example.invalid/p.png"})

            def _member_count(self, _body, group_id: str):
                self._send(200, {"count": fake.member_counts.get(group_id, fake.default_members)})

            def _quota(self, _body):
                if fake.quota_limit is None:
                    return self._send(200, {"type": "none"})
                self._send(200, {"type": "limited", "value": fake.quota_limit})

            def _quota_consumption(self, _body):
                self._send(200, {"totalUsage": fake.quota_used})

            # --- LINE Login v2.1 -----------------------------------------------------------
            def _login_refuse(self, status: int, error: str, why: str):
                with fake.lock:
                    fake.login_refusals.append(why)
                self._send(status, {"error": error, "error_description": why})

            def _form(self) -> dict[str, str]:
                return {k: v[0] for k, v in parse_qs(self.raw.decode("utf-8", "replace"),
                                                     keep_blank_values=True).items()}

            def _login_authorize(self):
                q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query,
                                                  keep_blank_values=True).items()}
                client, redirect_uri = q.get("client_id", ""), q.get("redirect_uri", "")
                with fake.lock:
                    known = client in fake.login_channels
                    callbacks = fake.login_callbacks.get(client)
                    user, deny = fake.login_as, fake.login_deny
                if not known:
                    return self._login_refuse(400, "invalid_request", "unknown client_id")
                if not redirect_uri or (callbacks and redirect_uri not in callbacks):
                    return self._login_refuse(400, "invalid_request",
                                              "redirect_uri is not the channel's callback URL")
                missing = [k for k in ("state", "nonce", "code_challenge") if not q.get(k)]
                if q.get("response_type") != "code":
                    missing.append("response_type=code")
                if q.get("code_challenge_method") != "S256":
                    missing.append("code_challenge_method=S256")
                if "openid" not in q.get("scope", "").split():
                    missing.append("scope openid")
                if missing:
                    return self._login_refuse(400, "invalid_request",
                                              "missing or wrong: " + ", ".join(missing))
                back = redirect_uri + ("&" if "?" in redirect_uri else "?")
                if deny or not user:
                    with fake.lock:
                        fake.login_refusals.append("access_denied")
                    return self._redirect(back + urlencode({
                        "error": "access_denied", "state": q["state"],
                        "error_description": "The resource owner or authorization server "
                                             "denied the request."}))
                code = secrets.token_urlsafe(16)
                with fake.lock:
                    fake.login_codes[code] = {
                        "client_id": client, "redirect_uri": redirect_uri, "user": user,
                        "nonce": q["nonce"], "challenge": q["code_challenge"],
                        "scope": q["scope"], "at": time.time(), "used": False}
                self._redirect(back + urlencode({"code": code, "state": q["state"]}))

            def _login_token(self):
                f = self._form()
                client, secret = f.get("client_id", ""), f.get("client_secret", "")
                with fake.lock:
                    channel_secret = fake.login_channels.get(client)
                    grant = fake.login_codes.get(f.get("code", ""))
                    fault = fake.id_token_fault
                if f.get("grant_type") != "authorization_code":
                    return self._login_refuse(400, "unsupported_grant_type",
                                              "grant_type must be authorization_code")
                if channel_secret is None or not hmac.compare_digest(secret, channel_secret):
                    return self._login_refuse(400, "invalid_client",
                                              "client_id and client_secret (in the form) do "
                                              "not match")
                if grant is None or grant["client_id"] != client or grant["used"] \
                        or time.time() - grant["at"] > CODE_SECONDS:
                    return self._login_refuse(400, "invalid_grant", "invalid authorization code")
                if f.get("redirect_uri") != grant["redirect_uri"]:
                    return self._login_refuse(400, "invalid_grant", "redirect_uri does not match")
                verifier = f.get("code_verifier", "")
                if _b64(hashlib.sha256(verifier.encode()).digest()) != grant["challenge"]:
                    return self._login_refuse(400, "invalid_grant",
                                              "code_verifier does not match the code_challenge")
                with fake.lock:
                    grant["used"] = True
                    name = fake.names.get(grant["user"], f"ผู้ใช้ {grant['user'][-4:]}")
                now = int(time.time())
                claims = {"iss": LOGIN_ISSUER, "sub": grant["user"], "aud": client,
                          "exp": now + 3600, "iat": now, "nonce": grant["nonce"],
                          "amr": ["linesso"], "name": name,
                          "picture": "https://example.invalid/p.png"}
                key = channel_secret
                if fault == "aud":
                    claims["aud"] = "1000000000"
                elif fault == "iss":
                    claims["iss"] = "https://access.line.me.example"
                elif fault == "nonce":
                    claims["nonce"] = "not-the-nonce-of-this-login"
                elif fault == "signature":
                    key = "not-the-channel-secret-" + channel_secret
                elif fault == "expired":
                    claims["iat"], claims["exp"] = now - 7200, now - 3600
                with fake.lock:
                    fake.id_tokens.append(claims)
                self._send(200, {"access_token": secrets.token_urlsafe(32), "token_type": "Bearer",
                                 "expires_in": 2592000, "refresh_token": secrets.token_urlsafe(16),
                                 "scope": grant["scope"],
                                 "id_token": sign_id_token(claims, key)})

            def _login_verify(self):
                f = self._form()
                with fake.lock:
                    secret = fake.login_channels.get(f.get("client_id", ""))
                if secret is None:
                    return self._login_refuse(400, "invalid_client", "unknown client_id")
                claims = read_id_token(f.get("id_token", ""), secret)
                if claims is None:
                    return self._login_refuse(400, "invalid_request", "Invalid IdToken.")
                if claims.get("iss") != LOGIN_ISSUER:
                    return self._login_refuse(400, "invalid_request", "Invalid IdToken Issuer.")
                if claims.get("aud") != f.get("client_id"):
                    return self._login_refuse(400, "invalid_request", "Invalid IdToken Audience.")
                if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
                    return self._login_refuse(400, "invalid_request", "IdToken expired.")
                if f.get("nonce") and claims.get("nonce") != f["nonce"]:
                    return self._login_refuse(400, "invalid_request", "Invalid IdToken Nonce.")
                if f.get("user_id") and claims.get("sub") != f["user_id"]:
                    return self._login_refuse(400, "invalid_request", "Invalid IdToken Subject.")
                self._send(200, claims)

        return Handler


def main() -> None:  # pragma: no cover - a staging helper
    import argparse
    ap = argparse.ArgumentParser(description="fake LINE Messaging API for staging")
    ap.add_argument("--port", type=int, default=8099, help="api.line.me's stand-in")
    ap.add_argument("--data-port", type=int, default=None,
                    help="api-data.line.me's stand-in (default: --port + 1)")
    args = ap.parse_args()
    data_port = args.data_port if args.data_port is not None else args.port + 1
    fake = FakeLine(port=args.port, data_port=data_port).start()
    print(f"fake LINE on {fake.url} (LINE_API_BASE_URL) and {fake.data_url} "
          "(LINE_API_DATA_BASE_URL); Ctrl-C to stop", flush=True)
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
