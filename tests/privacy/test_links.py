"""Point 9: a file link works once and for one hour, and each download is logged with who."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from bot.core.clock import FixedClock
from bot.core.reply import Attachment, Reply
from bot.services.privacy.downloads import download_logger
from bot.storage import audit as audit_store
from tests.driver import ChatDriver
from tests.zalo.harness import ZaloHarness


async def _get(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        await response.read()
        return response.status


async def test_an_export_link_works_once_and_is_logged(zalo: ZaloHarness) -> None:
    zalo.media.on_download = download_logger(zalo.app.db, zalo.app.clock)
    head = ChatDriver(zalo.app, "zalo-head", "zalo")
    user_id = (await head.actor()).user_id
    await zalo.channel.send("zalo-head", Reply("", document=Attachment("ds.xlsx", b"PK", "x/y")))
    url = zalo.server.texts_to("zalo-head")[-1].split(": ", 1)[1].strip()
    assert await _get(url) == 200
    assert await _get(url) == 404  # single use
    async with zalo.app.db.read() as tx:
        events = [e for e in await audit_store.audit(tx) if e.action == "download"]
    assert [(e.actor_user_id, e.subject, e.detail) for e in events] == [
        (user_id, "file:ds.xlsx", "zalo:zalo-head")
    ]


async def test_an_unopened_export_link_dies_after_an_hour(
    zalo: ZaloHarness, clock: FixedClock
) -> None:
    url = zalo.media.publish(Attachment("ds.csv", b"a", "text/csv"), download=True)
    picture = zalo.media.publish(Attachment("chart.png", b"png", "image/png"))
    clock.advance(timedelta(minutes=61))
    assert await _get(url) == 404
    assert await _get(picture) == 200 and await _get(picture) == 200  # pictures: Zalo refetches
