"""The one place that talks to LINE (line-bot-sdk v3): reply, push with retry keys, profiles,
group member counts and quota. Calls run on a small thread pool after the database commit, so a
slow or failing LINE never delays the webhook's answer nor loses an entry.

LINE serves the Messaging API from two hosts: ``api.line.me`` and, for content (the rich-menu
image upload), ``api-data.line.me`` (the ``servers:`` of those operations in LINE's OpenAPI
spec). ``LINE_API_BASE_URL`` and ``LINE_API_DATA_BASE_URL`` redirect them (a fake LINE server
in tests and staging). Without ``LINE_CHANNEL_ACCESS_TOKEN`` sending is logged, not done.
"""
from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

from linebot.v3.messaging import (ApiClient, ApiException, Configuration, MessagingApi,
                                  MessagingApiBlob, ReplyMessageRequest, RichMenuRequest)

from bot.line.messages import MAX_MESSAGES, MAX_QUICK_REPLIES, QUOTE_LEAD, Reply, clip

log = logging.getLogger(__name__)
TIMEOUT = (3.05, 10)  # connect, read (seconds)
REPLY_WINDOW = 50.0   # seconds after the event during which a reply token is still worth using


@dataclass(frozen=True)
class PushResult:
    status: str            # sent | duplicate (409: LINE already has it) | retry | failed
    http_status: int | None = None
    error: str | None = None


def to_payload(reply: Reply) -> list[dict]:
    """Our Reply → the Messaging API's message objects, as the JSON LINE receives.

    Built directly rather than through the SDK's pydantic models: validating and dumping those
    models cost ~0.4 ms of CPU per reply. The fake LINE server checks every body it receives
    against LINE's own OpenAPI schemas (bot/line/spec.py), and ``to_sdk_messages`` reads the
    payload back through the SDK's models in tests, so both vouch for every message shape.
    """
    messages: list[dict] = [{"type": "text", "text": clip(t)} for t in reply.texts]
    messages += [{"type": "flex", "altText": f.alt_text[:400], "contents": f.contents}
                 for f in reply.flex]
    if reply.quote_token and messages:
        # only text (and sticker) messages can quote: a Flex answer gets a short text first
        if messages[0]["type"] != "text":
            messages.insert(0, {"type": "text", "text": QUOTE_LEAD})
        messages[0]["quoteToken"] = reply.quote_token
    keep = max(1, MAX_MESSAGES - len(reply.notices))  # notices come last; the answer keeps ≥ 1
    messages = (messages[:keep] + [{"type": "text", "text": clip(t)} for t in reply.notices]
                )[:MAX_MESSAGES]
    if reply.quick_replies and messages:
        items = []
        for q in reply.quick_replies[:MAX_QUICK_REPLIES]:
            action = ({"type": "postback", "label": q.label[:20], "data": q.data,
                       "displayText": q.text or q.label} if q.data else
                      {"type": "message", "label": q.label[:20], "text": q.text or q.label})
            items.append({"type": "action", "action": action})
        messages[-1] = {**messages[-1], "quickReply": {"items": items}}
    return messages


def sent_ids(body: str | bytes | None) -> list[str]:
    """The message ids of a ReplyMessageResponse body (``sentMessages[].id``); [] when the body
    is not one (read by hand: it is the hot path, and a bad body costs only the quote shortcut)."""
    try:
        got = json.loads(body or "")
    except ValueError:
        return []
    items = got.get("sentMessages") if isinstance(got, dict) else None
    return [m["id"] for m in items if isinstance(m, dict) and isinstance(m.get("id"), str)] \
        if isinstance(items, list) else []


def to_sdk_messages(reply: Reply) -> list:
    """The payload as the SDK's message models (raises when the SDK would refuse it)."""
    return ReplyMessageRequest.from_dict({"replyToken": "-", "messages": to_payload(reply)}
                                         ).messages


class Line:
    def __init__(self, base_url: str = "https://api.line.me", access_token: str | None = None,
                 workers: int = 8, data_base_url: str = "https://api-data.line.me"):
        self.base_url = base_url.rstrip("/")
        self.data_base_url = data_base_url.rstrip("/")
        self.access_token = access_token
        self._workers = workers
        self._local = threading.local()
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid: int | None = None
        self._pending: set[Future] = set()
        self._lock = threading.Lock()

    # --- plumbing ----------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return bool(self.access_token)

    def _api(self) -> MessagingApi:
        api = getattr(self._local, "api", None)
        if api is None:
            cfg = Configuration(host=self.base_url, access_token=self.access_token)
            cfg.retries = 0  # our own retry policy; never repeat a reply blindly
            api = self._local.api = MessagingApi(ApiClient(cfg))
        return api

    def _blob(self) -> MessagingApiBlob:
        """The data host's client. The SDK's MessagingApiBlob knows its operations live on
        api-data.line.me, but an ApiClient whose Configuration names a host sends every call
        there: so the blob API gets a client of its own, configured with the data host."""
        cfg = Configuration(host=self.data_base_url, access_token=self.access_token)
        cfg.retries = 0
        return MessagingApiBlob(ApiClient(cfg))

    def submit(self, fn, *args, **kwargs) -> Future:
        """Run a LINE call in the background (after the caller's commit)."""
        with self._lock:
            if self._pool is None or self._pool_pid != os.getpid():  # fresh after a fork
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="line")
                self._pool_pid, self._pending = os.getpid(), set()
            fut = self._pool.submit(self._guard, fn, *args, **kwargs)
            self._pending.add(fut)
        fut.add_done_callback(self._pending.discard)
        return fut

    @staticmethod
    def _guard(fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception:  # a background LINE call must never take a thread down silently
            log.exception("LINE call %s failed", getattr(fn, "__name__", fn))
            return None

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for background calls (tests, shutdown)."""
        with self._lock:
            pending = list(self._pending)
        wait(pending, timeout=timeout)

    def _post(self, path: str, body: dict, headers: dict | None = None):
        """POST a JSON body through the SDK's ApiClient (its auth, host, timeouts and
        ApiException on any non-2xx), skipping the per-call model validation of MessagingApi.
        Returns the response body's text."""
        got = self._api().api_client.call_api(
            path, "POST", header_params={"Accept": "application/json",
                                         "Content-Type": "application/json", **(headers or {})},
            body=body, auth_settings=["Bearer"], response_types_map={},
            _request_timeout=TIMEOUT)
        return got.raw_data if got is not None else None

    # --- calls -------------------------------------------------------------------------
    def reply(self, reply_token: str, reply: Reply, not_after: float | None = None,
              on_sent=None) -> bool:
        """Reply once. ``not_after`` (time.monotonic()): past it the token has expired (LINE
        keeps one about a minute), so a reply stuck behind a slow LINE is dropped, not sent.
        ``on_sent(ids)``: called with the ids LINE gave the sent messages (``sentMessages``)."""
        if not reply_token or not (reply.texts or reply.flex or reply.notices):
            return False
        if not_after is not None and time.monotonic() > not_after:
            log.warning("reply dropped: its token expired while LINE was slow")
            return False
        if not self.enabled:
            log.info("reply (not sent: no access token): %s", reply.plain)
            return False
        try:
            sent = self._post("/v2/bot/message/reply",
                              {"replyToken": reply_token, "messages": to_payload(reply)})
        except ApiException as exc:
            log.warning("reply failed: HTTP %s %s", exc.status, (exc.body or "")[:200])
            return False
        except Exception as exc:  # timeouts, connection errors
            log.warning("reply failed: %s", exc)
            return False
        if on_sent is not None:
            ids = sent_ids(sent)
            if ids:
                on_sent(ids)
        return True

    def push(self, to: str, reply: Reply, retry_key: str) -> PushResult:
        if not self.enabled:
            log.info("push to %s (not sent: no access token): %s", to, reply.plain)
            return PushResult("failed", error="no access token")
        try:
            self._post("/v2/bot/message/push", {"to": to, "messages": to_payload(reply)},
                       {"X-Line-Retry-Key": retry_key})
            return PushResult("sent", 200)
        except ApiException as exc:
            if exc.status == 409:  # the same retry key was accepted before: it is delivered
                return PushResult("duplicate", 409)
            if exc.status == 429 or (exc.status or 0) >= 500:
                return PushResult("retry", exc.status, (exc.body or "")[:200])
            return PushResult("failed", exc.status, (exc.body or "")[:200])
        except Exception as exc:  # timeout or connection: unknown outcome; the key makes a retry safe
            return PushResult("retry", None, str(exc)[:200])

    def display_name(self, user_id: str, group_id: str | None = None,
                     room_id: str | None = None) -> str | None:
        if not self.enabled or not user_id:
            return None
        try:
            if group_id:    # GET /v2/bot/group/{groupId}/member/{userId}
                prof = self._api().get_group_member_profile(group_id, user_id,
                                                            _request_timeout=TIMEOUT)
            elif room_id:   # GET /v2/bot/room/{roomId}/member/{userId}
                prof = self._api().get_room_member_profile(room_id, user_id,
                                                           _request_timeout=TIMEOUT)
            else:           # GET /v2/bot/profile/{userId}: a user who added the bot
                prof = self._api().get_profile(user_id, _request_timeout=TIMEOUT)
            return prof.display_name
        except Exception as exc:
            log.info("profile of %s not available: %s", user_id, exc)
            return None

    def group_member_count(self, group_id: str) -> int | None:
        if not self.enabled:
            return None
        try:
            return int(self._api().get_group_member_count(group_id, _request_timeout=TIMEOUT).count)
        except Exception as exc:
            log.info("member count of %s not available: %s", group_id, exc)
            return None

    def quota(self) -> tuple[int | None, int] | None:
        """(monthly limit or None when unlimited, used this month); None when unknown."""
        if not self.enabled:
            return None
        try:
            q = self._api().get_message_quota(_request_timeout=TIMEOUT)
            used = self._api().get_message_quota_consumption(_request_timeout=TIMEOUT).total_usage
            limit = q.value if q.type == "limited" else None
            return limit, int(used)
        except Exception as exc:
            log.warning("quota not available: %s", exc)
            return None

    def install_default_rich_menu(self, request: dict, png: bytes) -> str:
        """Create a rich menu, upload its image, make it every user's default; returns its id.
        Raises on failure (an operator command, not a background call)."""
        if not self.enabled:
            raise RuntimeError("LINE_CHANNEL_ACCESS_TOKEN is not set")
        api = self._api()
        menu_id = api.create_rich_menu(RichMenuRequest.from_dict(request),
                                       _request_timeout=TIMEOUT).rich_menu_id
        # POST api-data.line.me/v2/bot/richmenu/{richMenuId}/content
        self._blob().set_rich_menu_image(menu_id, body=png, _headers={"Content-Type": "image/png"},
                                         _request_timeout=(3.05, 60))
        api.set_default_rich_menu(menu_id, _request_timeout=TIMEOUT)
        return menu_id
