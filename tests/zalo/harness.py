"""The Zalo channel wired to a fake Zalo server and the bot's web server, and a user on it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.app import App
from bot.channels.zalo import Handle, ZaloApi, ZaloChannel
from bot.testing.zalo_api import Call, FakeZaloServer
from bot.web import MediaStore, WebServer, webhook_path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "zalo"
SECRET = "troly06-test-secret"


def fixture(name: str) -> dict[str, Any]:
    """A captured Zalo payload from tests/fixtures/zalo/."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class ZaloHarness:
    app: App
    server: FakeZaloServer
    channel: ZaloChannel
    web: WebServer
    media: MediaStore

    @property
    def webhook_url(self) -> str:
        return self.web.url + webhook_path(self.web.settings)


@contextlib.asynccontextmanager
async def zalo_harness(
    app: App, *, public_media: bool = True, handle: Handle | None = None
) -> AsyncIterator[ZaloHarness]:
    """A fake Zalo, the channel in webhook mode, and the web server serving media.

    `handle` replaces the app's dispatcher (a dispatcher with test routes, say).
    """
    settings = app.settings.model_copy(update={"web_port": 0, "web_listen": "127.0.0.1"})
    async with FakeZaloServer() as server:
        api = ZaloApi(server.token, server.url, backoff_s=0.01, timeout_s=2.0)
        media = MediaStore(app.clock)
        channel = ZaloChannel(
            handle or app.dispatcher.handle,
            api,
            db=app.db,
            clock=app.clock,
            media=media if public_media else None,
            webhook_secret=SECRET,
        )
        web = WebServer(settings, media, channel)
        await web.start()
        await channel.inbox.start()
        media.base_url = web.url
        harness = ZaloHarness(app, server, channel, web, media)
        await channel.set_webhook(harness.webhook_url)
        try:
            yield harness
        finally:
            await channel.inbox.stop()
            await web.stop()
            await api.aclose()


@dataclass
class ZaloUser:
    """One person writing to the bot on Zalo; each call returns the messages that came back."""

    harness: ZaloHarness
    user_id: str = "zalo-user-1"
    name: str = "Nguyễn Văn A"
    last: list[Call] = field(default_factory=list)

    async def say(self, text: str) -> list[str]:
        """Send `text` through the webhook and return the texts the bot sent back."""
        before = len(self.harness.server.sent_to(self.user_id))
        await self.harness.server.say(self.user_id, text, name=self.name)
        await self.harness.channel.drain()
        self.last = self.harness.server.sent_to(self.user_id)[before:]
        return self.texts

    async def pick(self, label: str) -> list[str]:
        """Pick an option of the last numbered list by typing its number."""
        return await self.say(str(self.number_of(label)))

    @property
    def texts(self) -> list[str]:
        return [call.payload["text"] for call in self.last if call.method == "sendMessage"]

    @property
    def text(self) -> str:
        return "\n".join(self.texts)

    def options(self) -> list[str]:
        """The numbered options of the last message that had some ("2. Đặt lịch" → label)."""
        for text in reversed(self.texts):
            found = numbered_options(text)
            if found:
                return found
        return []

    def number_of(self, label: str) -> int:
        options = self.options()
        for number, option in enumerate(options, start=1):
            if label.lower() in option.lower():
                return number
        raise AssertionError(f"no option {label!r} in {options}")


def numbered_options(text: str) -> list[str]:
    """The trailing "1. …", "2. …" lines of a message, as labels."""
    options: list[str] = []
    for line in text.splitlines():
        head, _, rest = line.partition(". ")
        if head == "1" and rest:
            options = [rest]  # a new list starts: only the last one counts
        elif head.isdigit() and int(head) == len(options) + 1 and rest:
            options.append(rest)
        elif options and line.startswith("(") and line.endswith(")"):
            continue  # the line under the list that says how to answer it
        elif options:
            options = []
    return options
