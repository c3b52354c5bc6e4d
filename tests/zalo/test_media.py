"""Media links: served at an unguessable path for a limited time, then gone."""

from __future__ import annotations

from datetime import timedelta

import aiohttp

from bot.core.clock import FixedClock
from bot.core.reply import Attachment
from tests.zalo.harness import ZaloHarness


async def _get(url: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.read(), dict(response.headers)


async def test_a_file_is_served_then_expires(zalo: ZaloHarness, clock: FixedClock) -> None:
    url = zalo.media.publish(
        Attachment("danh sách.xlsx", b"PK\x03\x04", "application/x"), download=True
    )
    status, body, headers = await _get(url)
    assert (status, body) == (200, b"PK\x03\x04")
    assert "attachment" in headers["Content-Disposition"]
    clock.advance(timedelta(hours=25))
    assert (await _get(url))[0] == 404
    assert len(zalo.media) == 0


async def test_a_guessed_path_finds_nothing(zalo: ZaloHarness) -> None:
    zalo.media.publish(Attachment("chart.png", b"png", "image/png"))
    assert (await _get(zalo.web.url + "/media/abc/chart.png"))[0] == 404


async def test_old_items_make_room(zalo: ZaloHarness) -> None:
    zalo.media.max_items = 2
    first = zalo.media.publish(Attachment("1.png", b"1", "image/png"))
    zalo.media.publish(Attachment("2.png", b"2", "image/png"))
    zalo.media.publish(Attachment("3.png", b"3", "image/png"))
    assert (await _get(first))[0] == 404
    assert len(zalo.media) == 2
