"""The bot's own web server (aiohttp): the webhooks and the short-lived media links.

Media (bot.media.MediaStore) is served at /media/<token>/<name>, behind TROLY06_PUBLIC_URL.
A webhook call is checked in this order: the secret header, compared in constant time (403
without it, before the body is read: the connection is closed, nothing is buffered); the
size (413 over the cap, read no further); the update written to the inbox; then 200, so the
platform sends again whatever we could not store.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlparse

from aiohttp import web

from bot.channels.zalo import SECRET_HEADER, Handle, ZaloChannel
from bot.config import Settings
from bot.core.clock import Clock
from bot.media import MediaStore
from bot.storage.db import Database
from bot.supervisor import reuse_port

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/zalo/webhook"
ZALO_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class WebhookRoute:
    """A platform's webhook: where, which secret header, and who stores the body.

    `receive` gets the raw body and returns False when it is not an update at all (400).
    """

    path: str
    header: str
    secret: str
    receive: Callable[[bytes], Awaitable[bool]]
    max_bytes: int


def _refuse(response: web.HTTPException) -> web.HTTPException:
    """A refusal that ends the connection (what is left of the body is read and dropped)."""
    response.force_close()
    return response


def secret_matches(given: str, secret: str) -> bool:
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


async def read_capped(request: web.Request, limit: int) -> bytes:
    """The body, at most `limit` bytes (413 beyond, read no further)."""
    if request.content_length is not None and request.content_length > limit:
        raise _refuse(web.HTTPRequestEntityTooLarge(limit, request.content_length))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise _refuse(web.HTTPRequestEntityTooLarge(limit, size))
        chunks.append(chunk)
    return b"".join(chunks)


def webhook_path(settings: Settings) -> str:
    """The local path of the Zalo webhook: the path of TROLY06_ZALO_WEBHOOK_URL."""
    return urlparse(settings.zalo_webhook_url).path or DEFAULT_WEBHOOK_PATH


class WebServer:
    """The aiohttp server on TROLY06_WEB_LISTEN:TROLY06_WEB_PORT (port 0: any free port)."""

    def __init__(
        self,
        settings: Settings | None,
        media: MediaStore | None,
        zalo: ZaloChannel | None = None,
        *,
        webhooks: Sequence[WebhookRoute] = (),
        listen: str | None = None,
        port: int | None = None,
    ) -> None:
        self.settings = settings
        self.listen = listen or (settings.web_listen if settings else "127.0.0.1")
        self.wanted_port = port if port is not None else (settings.web_port if settings else 0)
        self.media = media
        self.app = web.Application(client_max_size=ZALO_MAX_BYTES)
        self.app.router.add_get("/healthz", self._health)
        if media is not None:
            self.app.router.add_get("/media/{token}/{name}", self._media)
        routes = list(webhooks)
        if zalo is not None:
            assert settings is not None
            routes.append(
                WebhookRoute(
                    webhook_path(settings),
                    SECRET_HEADER,
                    zalo.webhook_secret,
                    _zalo_receiver(zalo),
                    ZALO_MAX_BYTES,
                )
            )
        for route in routes:
            self.app.router.add_post(route.path, _webhook_handler(route))
        self._runner: web.AppRunner | None = None
        self.port = 0

    @classmethod
    def for_webhook(cls, route: WebhookRoute, listen: str, port: int) -> WebServer:
        """A server for one webhook only (the Telegram channel's, on its own port)."""
        return cls(None, None, webhooks=[route], listen=listen, port=port)

    @property
    def url(self) -> str:
        """The local address the server listens on."""
        return f"http://{self.listen}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            self.listen,
            self.wanted_port,
            reuse_port=reuse_port(),  # several workers share the port; the kernel spreads calls
        )
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        logger.info("web server listening on port %s", self.port)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def _media(self, request: web.Request) -> web.Response:
        assert self.media is not None
        item = await self.media.take(request.match_info["token"])  # a file: once, logged
        if item is None:
            raise web.HTTPNotFound()
        headers = {"Cache-Control": "private, no-store"}
        if item.download:
            headers["Content-Disposition"] = (
                f"attachment; filename*=UTF-8''{quote(item.attachment.filename)}"
            )
        return web.Response(
            body=item.attachment.data, content_type=item.attachment.mime_type, headers=headers
        )


def _webhook_handler(
    route: WebhookRoute,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(request: web.Request) -> web.Response:
        if not secret_matches(request.headers.get(route.header, ""), route.secret):
            logger.warning("webhook call to %s refused: wrong or missing secret", route.path)
            raise _refuse(web.HTTPForbidden())
        body = await read_capped(request, route.max_bytes)
        if not await route.receive(body):  # stored before we say 200
            raise web.HTTPBadRequest()
        return web.json_response({"ok": True})

    return handler


def _zalo_receiver(zalo: ZaloChannel) -> Callable[[bytes], Awaitable[bool]]:
    async def receive(body: bytes) -> bool:
        try:
            payload = json.loads(body)
        except ValueError:
            return False
        await zalo.receive(payload)
        return True

    return receive


class ZaloStack:
    """What TROLY06_ZALO_TOKEN and TROLY06_PUBLIC_URL turn on in `troly06 run`.

    The Zalo channel (polling, or the webhook when TROLY06_ZALO_WEBHOOK_URL is set) and the
    web server, which runs when there is a webhook to receive or media to serve.
    """

    def __init__(self, settings: Settings, clock: Clock, handle: Handle, db: Database) -> None:
        self.settings = settings
        media = MediaStore(clock, settings.public_url) if settings.public_url else None
        self.channel = (
            ZaloChannel.from_settings(settings, handle, db, clock, media)
            if settings.zalo_token
            else None
        )
        webhook = self.channel if settings.zalo_webhook_url else None
        self.web: WebServer | None = None
        if media is not None or webhook is not None:
            self.web = WebServer(
                settings, media if media is not None else MediaStore(clock), webhook
            )

    async def start(self) -> None:
        if self.web is not None:
            await self.web.start()
        if self.channel is not None:
            await self.channel.start(webhook_url=self.settings.zalo_webhook_url)

    async def stop(self) -> None:
        if self.channel is not None:
            await self.channel.stop()
        if self.web is not None:
            await self.web.stop()
