"""Pictures and files shown by link: kept in memory for a while at an unguessable path.

Zalo takes pictures by URL only, so a chart or a file the bot wants to show is published
here and served by the bot's web server (bot/web.py) under TROLY06_PUBLIC_URL. Where there
is no public address, a sentence says what could not be shown.

A file (an export, a list) is personal data: its link works once, within FILE_TTL, and each
download is reported to `on_download` with the chat the link was sent to (the audit log).
Pictures live MEDIA_TTL: Zalo's servers fetch them, perhaps more than once.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from bot.core.clock import Clock
from bot.core.i18n import gettext as _
from bot.core.reply import Attachment

MEDIA_TTL = timedelta(hours=24)
FILE_TTL = timedelta(hours=1)
MEDIA_MAX_ITEMS = 256


@dataclass(frozen=True)
class _Item:
    attachment: Attachment
    expires_at: datetime
    download: bool
    recipient: str = ""  # "zalo:<chat id>": who the link was sent to


OnDownload = Callable[[_Item], Awaitable[None]]


class MediaStore:
    """Bytes served for a limited time at `<base_url>/media/<token>/<filename>`."""

    def __init__(
        self,
        clock: Clock,
        base_url: str = "",
        ttl: timedelta = MEDIA_TTL,
        max_items: int = MEDIA_MAX_ITEMS,
    ) -> None:
        self.clock = clock
        self.base_url = base_url.rstrip("/")
        self.ttl = ttl
        self.max_items = max_items
        self._items: OrderedDict[str, _Item] = OrderedDict()
        self.on_download: OnDownload | None = None

    def publish(
        self, attachment: Attachment, *, download: bool = False, recipient: str = ""
    ) -> str:
        """Keep the attachment and return its public URL: a file once within FILE_TTL, a
        picture for `ttl`."""
        self._forget_expired()
        while len(self._items) >= self.max_items:
            self._items.popitem(last=False)
        token = secrets.token_urlsafe(24)
        ttl = min(self.ttl, FILE_TTL) if download else self.ttl
        self._items[token] = _Item(attachment, self.clock.now() + ttl, download, recipient)
        return f"{self.base_url}/media/{token}/{quote(attachment.filename)}"

    async def take(self, token: str) -> _Item | None:
        """The item to serve: a file is removed as it is taken (single use) and reported."""
        item = self.get(token)
        if item is not None and item.download:
            self._items.pop(token, None)
            if self.on_download is not None:
                await self.on_download(item)
        return item

    def get(self, token: str) -> _Item | None:
        item = self._items.get(token)
        if item is None or item.expires_at <= self.clock.now():
            self._items.pop(token, None)
            return None
        return item

    def _forget_expired(self) -> None:
        now = self.clock.now()
        for token in [t for t, item in self._items.items() if item.expires_at <= now]:
            del self._items[token]

    def __len__(self) -> int:
        return len(self._items)


def picture_not_shown() -> str:
    return _("(There is a picture with this answer, but it cannot be shown here.)")


def file_link(name: str, url: str) -> str:
    return _("File {name}: {url}").format(name=name, url=url)


def file_not_sent(name: str) -> str:
    return _(
        "(The file {name} cannot be sent on Zalo. Open the bot on Telegram, "
        "or ask the commune police for it.)"
    ).format(name=name)
