"""A fake Telegram Bot API on 127.0.0.1 (over 400 lines: one fake for every method the bot uses).

It serves the methods the bot uses (getMe, getUpdates with long polling, sendMessage,
sendPhoto, sendDocument, answerCallbackQuery, editMessageText and editMessageReplyMarkup (kept
per message, so a test sees what the user sees now), setMyCommands, webhooks, getFile and file
downloads...), records every request with its parsed parameters, and can misbehave on
purpose: a global rate limit and a per-chat limit answered with 429 and `retry_after`,
chats answered 403 (the user blocked the bot), and a share of random 429s.

    async with FakeTelegram(rate_per_s=30) as api:
        app = Application.builder().token(api.token).base_url(api.base_url)...
        api.push(updates.command(42, "start"))
        await api.wait_sent(1)
        assert api.sent[0].text.startswith("Xin chào")

Run alone (`python -m bot.testing.telegram_api --port 8081`) it stands in for Telegram
for `troly06 run` with TROLY06_TELEGRAM_API_URL=http://127.0.0.1:8081; push updates with
`POST /_fake/updates` (a JSON update) and read `GET /_fake/sent`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import logging
import random
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector, web

from bot.testing.gate import SendGate

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-token-for-the-fake-api"
SEND_METHODS = frozenset(
    {
        "sendmessage",
        "sendphoto",
        "senddocument",
        "sendvideo",
        "sendaudio",
        "sendvoice",
        "sendsticker",
        "sendanimation",
        "sendlocation",
        "sendcontact",
        "copymessage",
        "forwardmessage",
    }
)
# Values PTB sends as plain strings; every other form field is JSON-encoded.
STRING_FIELDS = frozenset(
    {"text", "caption", "parse_mode", "secret_token", "url", "callback_query_id", "file_id"}
)
BLOCKED_TEXT = "Forbidden: bot was blocked by the user"


@dataclass(frozen=True)
class Recorded:
    """One request the fake server received, and how it answered."""

    method: str  # as called, e.g. "sendMessage"
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]]
    status: int
    at: float


@dataclass(frozen=True)
class Sent:
    """A message the fake server accepted (and so a user would have received)."""

    chat_id: int | str
    method: str
    text: str
    params: dict[str, Any]
    message_id: int
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class _TokenBucket:
    """`rate` tokens a second, holding at most `burst`."""

    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.burst = max(1.0, burst)
        self.tokens = self.burst
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class FakeTelegram:
    """The fake Bot API. Knobs can be changed while it runs."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        rate_per_s: float | None = None,
        burst_s: float = 1.0,
        per_chat_interval_s: float | None = None,
        per_chat_slack_s: float = 0.05,
        retry_after: int = 1,
        random_429_share: float = 0.0,
        blocked: set[int] | None = None,
        seed: int = 6,
        port: int = 0,
        record: bool = True,
        first_update_id: int = 1,
    ) -> None:
        self.token = token
        self.rate_per_s = rate_per_s
        self.burst_s = burst_s
        self.per_chat_interval_s = per_chat_interval_s
        self.per_chat_slack_s = per_chat_slack_s
        self.retry_after = retry_after
        self.random_429_share = random_429_share
        self.blocked: set[int] = set(blocked or ())
        self.record = record
        # Statuses (429, 403, 400, 500...) to answer the next send requests with, in order.
        self.script: deque[int] = deque()
        self.requests: list[Recorded] = []
        self.sent: list[Sent] = []
        self.edits: list[Sent] = []  # editMessageText / editMessageReplyMarkup accepted
        self.shown: list[Sent] = []  # sends and edits, in the order the user saw them
        self.messages: dict[tuple[str, int], dict[str, Any]] = {}  # each message as it is now
        self.delivered: Counter[int | str] = Counter()
        self.counts: Counter[str] = Counter()  # answers by kind: ok, 429, 403, ...
        self.method_counts: Counter[str] = Counter()  # calls by method, as called
        self.files: dict[str, bytes] = {}
        self.webhook_url = ""
        self.webhook_secret = ""
        # Above 1: webhook calls go out on that many lanes at once (a chat always on the same
        # lane, so its updates stay in order), each call on a new connection, so the kernel
        # spreads them over workers sharing the port (SO_REUSEPORT). Set at /_fake/webhook.
        self.webhook_connections = 1
        self._lanes: dict[int, tuple[asyncio.Queue[dict[str, Any]], asyncio.Task[None]]] = {}
        self._port = port
        self._random = random.Random(seed)
        self._bucket: _TokenBucket | None = None
        self._last_to_chat: dict[int | str, float] = {}
        self._updates: deque[dict[str, Any]] = deque()
        self._update_ids = itertools.count(first_update_id)  # one bot's ids never repeat
        self._message_ids = itertools.count(1000)
        self._changed = asyncio.Condition()
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._site_port = 0
        self._webhook_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._webhook_task: asyncio.Task[None] | None = None
        self.gate = SendGate()  # the crash tests hold send requests and drop them
        self.send_latency_s = 0.0  # how long a send request takes (the round trip, as seen)
        self.webhook_retry_s = 0.2  # Telegram posts an update again until it gets a 2xx

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> FakeTelegram:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/_fake/updates", self._control_push)
        app.router.add_post("/_fake/reset", self._control_reset)
        app.router.add_post("/_fake/webhook", self._control_webhook)
        app.router.add_get("/_fake/sent", self._control_sent)
        app.router.add_get("/_fake/stats", self._control_stats)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        app.router.add_route("*", "/bot{token}/{method}", self._api)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self._port)
        await site.start()
        self._site_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        logger.info("fake Telegram API on port %s", self._site_port)
        return self

    async def stop(self) -> None:
        self._new_update.set()  # release long polls
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        for _, lane in self._lanes.values():
            lane.cancel()
        await asyncio.gather(*(lane for _, lane in self._lanes.values()), return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._site_port

    @property
    def url(self) -> str:
        """The server root, as TROLY06_TELEGRAM_API_URL takes it."""
        return f"http://127.0.0.1:{self._site_port}"

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)` (PTB appends the token)."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ---- what tests do ----------------------------------------------------------------------

    def push(self, update: dict[str, Any], *, update_id: int | None = None) -> int:
        """Queue an update (without `update_id`; one is given); returns its update_id.

        `update_id` sends one again with an id already used (Telegram replaying it).
        """
        update = {"update_id": update_id or next(self._update_ids), **update}
        if self.webhook_url and self.webhook_connections > 1:
            self._lane(_update_chat(update)).put_nowait(update)
        elif self.webhook_url:
            self._webhook_queue.put_nowait(update)
            if self._webhook_task is None or self._webhook_task.done():
                self._webhook_task = asyncio.create_task(self._post_webhooks())
        else:
            self._updates.append(update)
            self._new_update.set()
        return int(update["update_id"])

    def add_file(self, file_id: str, data: bytes) -> None:
        """Make `data` downloadable through getFile(file_id)."""
        self.files[file_id] = data

    def calls(self, method: str) -> list[Recorded]:
        """The recorded requests of one method (any case), in order."""
        wanted = method.lower()
        return [r for r in self.requests if r.method.lower() == wanted]

    def sent_to(self, chat_id: int | str) -> list[Sent]:
        return [s for s in self.sent if str(s.chat_id) == str(chat_id)]

    def edits_to(self, chat_id: int | str) -> list[Sent]:
        return [s for s in self.edits if str(s.chat_id) == str(chat_id)]

    def shown_to(self, chat_id: int | str) -> list[Sent]:
        """Messages sent to a chat and edits of them, in order."""
        return [s for s in self.shown if str(s.chat_id) == str(chat_id)]

    def carrier(self, chat_id: int | str, data: str) -> int:
        """The id of the latest message to a chat with a button carrying `data` (1 if none)."""
        for (chat, message_id), message in reversed(self.messages.items()):
            markup = message.get("reply_markup")
            rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
            keys = {b.get("callback_data") for row in rows for b in row}
            if chat == str(chat_id) and data in keys:
                return message_id
        return 1

    def message(self, chat_id: int | str, message_id: int) -> dict[str, Any]:
        """A message as the user sees it now (after edits): text and reply_markup."""
        return self.messages[(str(chat_id), message_id)]

    def duplicates(self) -> dict[tuple[str, str], int]:
        """(chat, text) pairs delivered more than once."""
        seen = Counter((str(s.chat_id), s.text) for s in self.sent)
        return {pair: n for pair, n in seen.items() if n > 1}

    @property
    def pending_updates(self) -> int:
        lanes = sum(queue.qsize() for queue, _ in self._lanes.values())
        return len(self._updates) + self._webhook_queue.qsize() + lanes

    async def wait_for(self, predicate: Callable[[], bool], within_s: float = 10.0) -> None:
        """Wait until `predicate()` holds (checked after every request); TimeoutError if not."""
        async with asyncio.timeout(within_s), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_sent(self, count: int, within_s: float = 10.0) -> list[Sent]:
        """Wait until at least `count` messages were accepted in total; returns them all."""
        await self.wait_for(lambda: len(self.sent) >= count, within_s)
        return self.sent

    async def wait_calls(self, method: str, count: int = 1, within_s: float = 10.0) -> None:
        await self.wait_for(lambda: len(self.calls(method)) >= count, within_s)

    def reset_records(self) -> None:
        self.requests.clear()
        self.sent.clear()
        self.edits.clear()
        self.shown.clear()
        self.messages.clear()
        self.delivered.clear()
        self.counts.clear()
        self.method_counts.clear()

    # ---- the API ----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params, files = await _parse_body(request)
        if request.match_info["token"] != self.token:
            return await self._answer(method, params, files, _error(401, "Unauthorized"))
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            response = _error(404, "Not Found: method not found")
        elif method.lower() in SEND_METHODS:
            if not await self.gate.passes():
                return web.json_response({"ok": False, "error_code": 503}, status=503)
            if self.send_latency_s:
                await asyncio.sleep(self.send_latency_s)
            response = self._limited(params) or handler(params, files)
        else:
            response = handler(params, files)
            if asyncio.iscoroutine(response):
                response = await response
        return await self._answer(method, params, files, response)

    async def _answer(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
        response: tuple[int, dict[str, Any]],
    ) -> web.Response:
        status, body = response
        self.counts["ok" if status == 200 else str(status)] += 1
        self.method_counts[method] += 1
        if self.record and not (status == 200 and method.lower() == "getupdates"):
            self.requests.append(Recorded(method, params, files, status, time.monotonic()))
        async with self._changed:
            self._changed.notify_all()
        return web.json_response(body, status=status)

    def _limited(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """403 for a blocked chat, else 429 when a limit is hit, else None (go ahead)."""
        chat = _chat_key(params.get("chat_id"))
        if self.script:
            return _scripted(self.script.popleft(), self.retry_after)
        if chat in self.blocked:
            return _error(403, BLOCKED_TEXT)
        if self.random_429_share and self._random.random() < self.random_429_share:
            return _too_many(self.retry_after)
        if self.rate_per_s:
            if self._bucket is None or self._bucket.rate != self.rate_per_s:
                self._bucket = _TokenBucket(self.rate_per_s, self.rate_per_s * self.burst_s)
            if not self._bucket.take():
                return _too_many(self.retry_after)
        if self.per_chat_interval_s:
            now = time.monotonic()
            last = self._last_to_chat.get(chat)
            if last is not None and now - last < self.per_chat_interval_s - self.per_chat_slack_s:
                return _too_many(self.retry_after)
            self._last_to_chat[chat] = now
        return None

    def _deliver(
        self,
        method: str,
        params: dict[str, Any],
        files: dict[str, tuple[str, bytes]],
        text: str,
        extra: dict[str, Any] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        chat = _chat_key(params.get("chat_id"))
        if chat in ("", None):
            return _error(400, "Bad Request: chat not found")
        message_id = next(self._message_ids)
        sent = Sent(chat, method, text, params, message_id, files)
        self.sent.append(sent)
        self.shown.append(sent)
        markup = params.get("reply_markup")
        self.messages[(str(chat), message_id)] = {"text": text, "reply_markup": markup}
        self.delivered[chat] += 1
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": self._me(),
            **(extra or {}),
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return _ok(message)

    def _me(self) -> dict[str, Any]:
        head = self.token.split(":", 1)[0]
        return {
            "id": int(head) if head.isdigit() else 1,
            "is_bot": True,
            "first_name": "Trợ lý 06",
            "username": "troly06_bot",
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    def _m_getme(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(self._me())

    async def _m_getupdates(
        self, params: dict[str, Any], files: Any
    ) -> tuple[int, dict[str, Any]]:
        if self.webhook_url:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        while self._updates and self._updates[0]["update_id"] < offset:
            self._updates.popleft()  # confirmed by the offset
        if not self._updates and timeout > 0:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        return _ok(list(itertools.islice(self._updates, limit)))

    def _m_sendmessage(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        text = str(params.get("text", ""))
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._deliver("sendMessage", params, files, text, {"text": text})

    def _m_sendphoto(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        caption = str(params.get("caption", ""))
        photo = [{"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}]
        return self._deliver("sendPhoto", params, files, caption, {"photo": photo})

    def _m_senddocument(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        name = files["document"][0] if "document" in files else "file"
        document = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": name}
        caption = str(params.get("caption", ""))
        return self._deliver("sendDocument", params, files, caption, {"document": document})

    def _m_sendchataction(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_answercallbackquery(
        self, params: dict[str, Any], files: Any
    ) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_editmessagereplymarkup(
        self, params: dict[str, Any], files: Any
    ) -> tuple[int, dict[str, Any]]:
        return self._edit("editMessageReplyMarkup", params, None)

    def _m_editmessagetext(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        text = str(params.get("text", ""))
        if not text.strip():
            return _error(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            return _error(400, "Bad Request: message is too long")
        return self._edit("editMessageText", params, text)

    def _edit(
        self, method: str, params: dict[str, Any], text: str | None
    ) -> tuple[int, dict[str, Any]]:
        """Change a message the bot sent, as Telegram does: unknown or unchanged is a 400."""
        chat = _chat_key(params.get("chat_id"))
        message_id = int(params.get("message_id") or 0)
        found = self.messages.get((str(chat), message_id))
        if found is None:
            return _error(400, "Bad Request: message to edit not found")
        new = {
            "text": found["text"] if text is None else text,
            "reply_markup": params.get("reply_markup"),
        }
        if new == found:
            return _error(400, "Bad Request: message is not modified")
        self.messages[(str(chat), message_id)] = new
        edit = Sent(chat, method, new["text"], params, message_id)
        self.edits.append(edit)
        self.shown.append(edit)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "edit_date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "from": self._me(),
            "text": new["text"],
        }
        if isinstance(new["reply_markup"], dict) and "inline_keyboard" in new["reply_markup"]:
            message["reply_markup"] = new["reply_markup"]
        return _ok(message)

    def _m_deletemessage(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_setmycommands(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_deletemycommands(
        self, params: dict[str, Any], files: Any
    ) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_getmycommands(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        latest = self.calls("setMyCommands")
        return _ok(latest[-1].params.get("commands", []) if latest else [])

    def _m_setwebhook(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        self.webhook_url = str(params.get("url", ""))
        self.webhook_secret = str(params.get("secret_token", ""))
        return _ok(True)

    def _m_deletewebhook(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        self.webhook_url = ""
        self.webhook_secret = ""
        if params.get("drop_pending_updates") is True:
            self._updates.clear()
        return _ok(True)

    def _m_getwebhookinfo(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(
            {
                "url": self.webhook_url,
                "has_custom_certificate": False,
                "pending_update_count": self.pending_updates,
            }
        )

    def _m_getfile(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        file_id = str(params.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        )

    def _m_close(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    def _m_logout(self, params: dict[str, Any], files: Any) -> tuple[int, dict[str, Any]]:
        return _ok(True)

    async def _download(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if request.match_info["token"] != self.token or file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

    async def _post_webhooks(self) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
        async with ClientSession(timeout=ClientTimeout(total=10)) as session:
            while not self._webhook_queue.empty():
                update = self._webhook_queue.get_nowait()
                try:
                    async with session.post(self.webhook_url, json=update, headers=headers) as r:
                        self.counts[f"webhook_{r.status}"] += 1
                        delivered = r.status < 500
                except (OSError, TimeoutError, ClientError):
                    self.counts["webhook_error"] += 1
                    delivered = False
                if not delivered and self.webhook_retry_s:  # the bot is down: again, in order
                    await asyncio.sleep(self.webhook_retry_s)
                    rest = [update]
                    while not self._webhook_queue.empty():
                        rest.append(self._webhook_queue.get_nowait())
                    for item in rest:
                        self._webhook_queue.put_nowait(item)
                async with self._changed:
                    self._changed.notify_all()

    def _lane(self, chat: Any) -> asyncio.Queue[dict[str, Any]]:
        """The queue of the lane that carries this chat's updates (started on first use)."""
        number = hash(str(chat)) % self.webhook_connections
        if number not in self._lanes or self._lanes[number][1].done():
            queue = self._lanes[number][0] if number in self._lanes else asyncio.Queue()
            self._lanes[number] = (queue, asyncio.create_task(self._post_lane(queue)))
        return self._lanes[number][0]

    async def _post_lane(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        """Post one lane's updates in order, each on a new connection, retrying until a 2xx."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret}
        connector = TCPConnector(force_close=True)  # a new connection per call
        async with ClientSession(timeout=ClientTimeout(total=10), connector=connector) as session:
            while True:
                update = await queue.get()
                while True:
                    try:
                        async with session.post(
                            self.webhook_url, json=update, headers=headers
                        ) as r:
                            self.counts[f"webhook_{r.status}"] += 1
                            if r.status < 500:
                                break
                    except (OSError, TimeoutError, ClientError):
                        self.counts["webhook_error"] += 1
                    await asyncio.sleep(self.webhook_retry_s or 0.2)
                async with self._changed:
                    self._changed.notify_all()

    # ---- control API for a separate process --------------------------------------------------

    async def _control_push(self, request: web.Request) -> web.Response:
        """One update, or a list of them."""
        body = await request.json()
        ids = []
        for update in body if isinstance(body, list) else [body]:
            update.pop("update_id", None)
            ids.append(self.push(update))
        return web.json_response({"update_ids": ids})

    async def _control_webhook(self, request: web.Request) -> web.Response:
        """`{"connections": N}`: deliver webhook calls on N lanes at once."""
        self.webhook_connections = max(1, int((await request.json())["connections"]))
        return web.json_response({"ok": True})

    async def _control_reset(self, request: web.Request) -> web.Response:
        self.reset_records()
        self._updates.clear()
        return web.json_response({"ok": True})

    async def _control_sent(self, request: web.Request) -> web.Response:
        rows = [
            {"chat_id": s.chat_id, "method": s.method, "text": s.text, "params": s.params}
            for s in self.sent
        ]
        return web.json_response(rows)

    async def _control_stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "counts": dict(self.counts),
                "sent": len(self.sent),
                "methods": dict(self.method_counts),
                "chats": len(self.delivered),
                "duplicates": len(self.duplicates()),
                "pending_updates": self.pending_updates,
            }
        )


async def _parse_body(request: web.Request) -> tuple[dict[str, Any], dict[str, tuple[str, bytes]]]:
    """Parameters from a JSON, url-encoded or multipart body (PTB sends the last two)."""
    params: dict[str, Any] = dict(request.query)
    files: dict[str, tuple[str, bytes]] = {}
    if request.method != "POST" or not request.can_read_body:
        return {key: _decode(key, value) for key, value in params.items()}, files
    if request.content_type == "application/json":
        body = await request.json()
        params.update(body if isinstance(body, dict) else {})
        return params, files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = (value.filename, value.file.read())
        else:
            params[key] = _decode(key, str(value))
    return params, files


def _decode(key: str, value: str) -> Any:
    if key in STRING_FIELDS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _update_chat(update: dict[str, Any]) -> Any:
    """The chat (or else the sender) an update comes from, None if it has neither."""
    for value in update.values():
        if isinstance(value, dict):
            holder = value.get("message") if isinstance(value.get("message"), dict) else value
            who = holder.get("chat") or value.get("from")
            if isinstance(who, dict):
                return who.get("id")
    return None


def _chat_key(value: Any) -> int | str:
    if isinstance(value, int):
        return value
    text = str(value or "")
    return int(text) if text.lstrip("-").isdigit() else text


def _ok(result: Any) -> tuple[int, dict[str, Any]]:
    return 200, {"ok": True, "result": result}


def _error(code: int, description: str) -> tuple[int, dict[str, Any]]:
    return code, {"ok": False, "error_code": code, "description": description}


def _scripted(status: int, retry_after: int) -> tuple[int, dict[str, Any]]:
    if status == 429:
        return _too_many(retry_after)
    if status == 403:
        return _error(403, BLOCKED_TEXT)
    if status == 400:
        return _error(400, "Bad Request: chat not found")
    return _error(status, "Internal Server Error")


def _too_many(retry_after: int) -> tuple[int, dict[str, Any]]:
    return 429, {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


async def _serve(args: argparse.Namespace) -> None:
    api = FakeTelegram(
        token=args.token,
        port=args.port,
        rate_per_s=args.rate or None,
        per_chat_interval_s=args.per_chat or None,
        record=False,
        first_update_id=args.first_update_id,
    )
    async with api:
        print(f"fake Telegram API: TROLY06_TELEGRAM_API_URL={api.url}", flush=True)  # noqa: T201
        print(f"TROLY06_TELEGRAM_TOKEN={api.token}", flush=True)  # noqa: T201
        await asyncio.Event().wait()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate", type=float, default=0.0, help="global messages per second")
    parser.add_argument("--per-chat", type=float, default=0.0, help="seconds between messages")
    parser.add_argument("--first-update-id", type=int, default=1, help="several fakes, one bot")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
