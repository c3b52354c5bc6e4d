"""A fake Zalo Bot Platform API on 127.0.0.1, for tests, benchmarks and local trials.

It answers `POST /bot<token>/<method>` like bot-api.zaloplatforms.com does (the
`{ok, result}` / `{ok: false, error_code, description}` envelope), records every request,
enforces the 2,000-character text limit, and plays the user's side: `say()` queues an
update for `getUpdates`, or posts it to the webhook (with its secret header) once one is set.
Knobs: `fail_next()` answers the next calls of a method with an HTTP error, `stall_next()`
holds them longer than the client waits (a timeout).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.testing.gate import SendGate

logger = logging.getLogger(__name__)

TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
EVENT_TEXT = "message.text.received"
EVENT_IMAGE = "message.image.received"
EVENT_STICKER = "message.sticker.received"


@dataclass(frozen=True)
class Call:
    """One request the bot made."""

    method: str
    payload: dict[str, Any]


@dataclass
class Fetched:
    """What the fake got when it fetched a photo URL, as Zalo's servers would."""

    url: str
    status: int
    body: bytes
    content_type: str


@dataclass
class _Knob:
    status: int = 0
    stall_s: float = 0.0
    count: int = 0


@dataclass
class FakeZaloServer:
    """The fake; use `async with FakeZaloServer() as zalo:` and point the bot at `zalo.url`."""

    token: str = field(default_factory=lambda: f"1234567890:{secrets.token_hex(8)}")
    poll_wait_s: float = 2.0  # longest a getUpdates waits for an update before a 408
    fetch_photos: bool = True
    calls: list[Call] = field(default_factory=list)
    fetched: list[Fetched] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_statuses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._knobs: dict[str, _Knob] = defaultdict(_Knob)
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0
        self.gate = SendGate()  # the crash tests hold send requests and drop them

    # -- life cycle -------------------------------------------------------------------

    async def start(self) -> FakeZaloServer:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeZaloServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """The API address, for TROLY06_ZALO_API_URL."""
        return f"http://127.0.0.1:{self.port}"

    # -- knobs --------------------------------------------------------------------------

    def fail_next(self, method: str, status: int = 502, count: int = 1) -> None:
        """Answer the next `count` calls of `method` with HTTP `status`."""
        self._knobs[method] = _Knob(status=status, count=count)

    def stall_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Hold the next `count` calls of `method` for `seconds`, then answer 504."""
        self._knobs[method] = _Knob(status=504, stall_s=seconds, count=count)

    # -- the user's side ----------------------------------------------------------------

    def update(
        self,
        user_id: str,
        text: str = "",
        *,
        event: str = EVENT_TEXT,
        name: str = "Nguyễn Văn A",
        chat_type: str = "PRIVATE",
    ) -> dict[str, Any]:
        """An update as Zalo sends it (the shape of tests/fixtures/zalo/update_text.json)."""
        message: dict[str, Any] = {
            "from": {"id": user_id, "display_name": name, "is_bot": False},
            "chat": {"id": user_id, "chat_type": chat_type},
            "message_id": secrets.token_hex(10),
            "date": 1796086800000 + next(self._ids),
        }
        if event == EVENT_TEXT:
            message["text"] = text
        elif event == EVENT_IMAGE:
            message["photo_url"] = "https://zalo.example/photo.jpg"
            message["caption"] = text
        elif event == EVENT_STICKER:
            message["sticker"] = "0e078a2fb66a5f34067b"
            message["url"] = "https://zalo.example/sticker.webp"
        return {"event_name": event, "message": message}

    async def say(self, user_id: str, text: str, **kwargs: Any) -> None:
        """The user writes `text`: queued for getUpdates, or posted to the webhook."""
        await self.push(self.update(user_id, text, **kwargs))

    async def push(self, update: dict[str, Any]) -> None:
        if not self.webhook_url:
            await self._updates.put(update)
            return
        assert self._session is not None
        async with self._session.post(
            self.webhook_url,
            json={"ok": True, "result": update},
            headers={SECRET_HEADER: self.webhook_secret},
        ) as response:
            self.webhook_statuses.append(response.status)

    # -- what the bot did -----------------------------------------------------------------

    def calls_of(self, method: str) -> list[dict[str, Any]]:
        return [call.payload for call in self.calls if call.method == method]

    def texts_to(self, chat_id: str) -> list[str]:
        """The texts sent to a chat with sendMessage, in order."""
        return [p["text"] for p in self.calls_of("sendMessage") if p.get("chat_id") == chat_id]

    def sent_to(self, chat_id: str) -> list[Call]:
        """Every message (text or photo) sent to a chat, in order."""
        return [
            call
            for call in self.calls
            if call.method in ("sendMessage", "sendPhoto")
            and call.payload.get("chat_id") == chat_id
        ]

    def reset_calls(self) -> None:
        self.calls.clear()

    # -- the API ------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        try:
            payload = await request.json() if request.can_read_body else {}
        except ValueError:
            return _error(400, "Bad Request: body is not JSON")
        if not isinstance(payload, dict):
            return _error(400, "Bad Request: body is not an object")
        knob = self._knobs.get(method)
        if knob is not None and knob.count > 0:
            knob.count -= 1
            self.calls.append(Call(f"!{method}", payload))  # refused, recorded apart
            if knob.stall_s:
                await asyncio.sleep(knob.stall_s)
            return _error(knob.status, "Internal Server Error")
        if method in ("sendMessage", "sendPhoto") and not await self.gate.passes():
            return _error(503, "Service Unavailable")
        handler = self._methods().get(method)
        if handler is None:
            return _error(404, f"Not Found: method {method}")
        if method != "getUpdates":
            self.calls.append(Call(method, payload))
        return await handler(payload)

    def _methods(self) -> dict[str, Callable[[dict[str, Any]], Awaitable[web.Response]]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
        }

    async def _get_me(self, payload: dict[str, Any]) -> web.Response:
        bot_id = self.token.split(":", 1)[0]
        return _ok(
            {
                "id": bot_id,
                "account_name": "bot.troly06",
                "account_type": "BASIC",
                "can_join_groups": False,
            }
        )

    async def _get_updates(self, payload: dict[str, Any]) -> web.Response:
        if self.webhook_url:
            return _error(400, "Bad Request: webhook is active, call deleteWebhook first")
        try:
            asked = float(payload.get("timeout", 30))
        except (TypeError, ValueError):
            return _error(400, "Bad Request: timeout")
        try:
            update = await asyncio.wait_for(self._updates.get(), min(asked, self.poll_wait_s))
        except TimeoutError:
            return _error(408, "Request timeout")
        self.calls.append(Call("getUpdates", payload))
        return _ok(update)

    async def _set_webhook(self, payload: dict[str, Any]) -> web.Response:
        url, secret = payload.get("url"), payload.get("secret_token")
        if not isinstance(url, str) or not url.startswith(("https://", "http://127.0.0.1")):
            return _error(400, "Bad Request: url must be HTTPS")
        if not isinstance(secret, str) or not 8 <= len(secret) <= 256:
            return _error(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return _ok({"url": url, "updated_at": 1796086800000})

    async def _delete_webhook(self, payload: dict[str, Any]) -> web.Response:
        self.webhook_url = self.webhook_secret = ""
        return _ok({"url": "", "updated_at": 1796086800000})

    async def _get_webhook_info(self, payload: dict[str, Any]) -> web.Response:
        return _ok({"url": self.webhook_url, "updated_at": 1796086800000})

    async def _send_message(self, payload: dict[str, Any]) -> web.Response:
        text = payload.get("text")
        if not payload.get("chat_id"):
            return _error(400, "Bad Request: chat_id is required")
        if not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
            return _error(400, "Bad Request: text must be 1-2000 characters")
        return self._sent()

    async def _send_photo(self, payload: dict[str, Any]) -> web.Response:
        photo, caption = payload.get("photo"), payload.get("caption")
        if not payload.get("chat_id") or not isinstance(photo, str) or not photo:
            return _error(400, "Bad Request: chat_id and photo are required")
        if caption is not None and (not isinstance(caption, str) or len(caption) > TEXT_LIMIT):
            return _error(400, "Bad Request: caption must be 1-2000 characters")
        if self.fetch_photos and photo.startswith("http://127.0.0.1"):
            await self._fetch(photo)
        return self._sent()

    async def _send_chat_action(self, payload: dict[str, Any]) -> web.Response:
        if payload.get("action") not in ("typing", "upload_photo"):
            return _error(400, "Bad Request: action")
        return web.json_response({"ok": True})

    async def _fetch(self, url: str) -> None:
        assert self._session is not None
        async with self._session.get(url) as response:
            self.fetched.append(
                Fetched(url, response.status, await response.read(), response.content_type)
            )

    def _sent(self) -> web.Response:
        return _ok({"message_id": secrets.token_hex(10), "date": 1796086800000})


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str) -> web.Response:
    return web.json_response(
        {"ok": False, "error_code": status, "description": description}, status=status
    )
