"""The bot's own web server (aiohttp): the Zalo webhook and the short-lived media links.

Media (bot.media.MediaStore) is served at /media/<token>/<name>, behind TROLY06_PUBLIC_URL.
Webhook calls without the right X-Bot-Api-Secret-Token header are refused with 403 before
their body is read, so they never reach the core.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlparse

from aiohttp import web

from bot.channels.zalo import SECRET_HEADER, Handle, ZaloChannel
from bot.config import Settings
from bot.core.clock import Clock
from bot.media import MediaStore
from bot.supervisor import reuse_port

logger = logging.getLogger(__name__)

DEFAULT_WEBHOOK_PATH = "/zalo/webhook"
ZALO_KEY = web.AppKey("zalo", ZaloChannel)


def webhook_path(settings: Settings) -> str:
    """The local path of the Zalo webhook: the path of TROLY06_ZALO_WEBHOOK_URL."""
    return urlparse(settings.zalo_webhook_url).path or DEFAULT_WEBHOOK_PATH


class WebServer:
    """The aiohttp server on TROLY06_WEB_LISTEN:TROLY06_WEB_PORT (port 0: any free port)."""

    def __init__(
        self, settings: Settings, media: MediaStore, zalo: ZaloChannel | None = None
    ) -> None:
        self.settings = settings
        self.media = media
        self.app = web.Application(client_max_size=256 * 1024)
        self.app.router.add_get("/media/{token}/{name}", self._media)
        self.app.router.add_get("/healthz", self._health)
        if zalo is not None:
            self.app[ZALO_KEY] = zalo
            self.app.router.add_post(webhook_path(settings), self._zalo_webhook)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The local address the server listens on."""
        return f"http://{self.settings.web_listen}:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(
            self._runner,
            self.settings.web_listen,
            self.settings.web_port,
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

    async def _zalo_webhook(self, request: web.Request) -> web.Response:
        zalo = request.app[ZALO_KEY]
        if not zalo.accepts_secret(request.headers.get(SECRET_HEADER, "")):
            logger.warning("zalo webhook call refused: wrong or missing secret")
            raise web.HTTPForbidden()
        try:
            body = await request.json()
        except ValueError:
            raise web.HTTPBadRequest() from None
        accepted = zalo.submit_payload(body)
        return web.json_response({"ok": True, "accepted": accepted})


class ZaloStack:
    """What TROLY06_ZALO_TOKEN and TROLY06_PUBLIC_URL turn on in `troly06 run`.

    The Zalo channel (polling, or the webhook when TROLY06_ZALO_WEBHOOK_URL is set) and the
    web server, which runs when there is a webhook to receive or media to serve.
    """

    def __init__(self, settings: Settings, clock: Clock, handle: Handle) -> None:
        self.settings = settings
        media = MediaStore(clock, settings.public_url) if settings.public_url else None
        self.channel = (
            ZaloChannel.from_settings(settings, handle, media) if settings.zalo_token else None
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
