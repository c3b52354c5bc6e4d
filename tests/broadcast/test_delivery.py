"""A notice leaves through the real sender and Telegram channel to the fake Bot API.

429s are retried, 403s end up in the report, and a sender process killed with SIGKILL in
the middle of a broadcast, then started again, sends every message exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import signal
import time
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select

from bench import broadcast as bench
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.services import broadcast as service
from bot.services.broadcast import Audience, AudienceKind
from bot.services.sender import Sender
from bot.storage.tables.core import chat_identities, outbox
from bot.testing.telegram_api import FakeTelegram
from tests.broadcast.conftest import Roster

TEXT = "Thứ Năm 3/12, 7h–11h: làm thẻ căn cước và định danh mức độ 2 tại nhà văn hoá thôn."


@pytest.fixture
def roster_channel() -> str:
    return "telegram"


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(per_chat_interval_s=0.5) as api:
        yield api


@pytest.fixture
async def sender(roster: Roster, fake_api: FakeTelegram) -> AsyncIterator[Sender]:
    app = roster.app
    settings = app.settings.model_copy(
        update={"telegram_token": fake_api.token, "telegram_api_url": fake_api.url}
    )
    channel = TelegramChannel(app.dispatcher, settings)
    await channel.outbox_bot.initialize()
    sender = Sender(app.db, app.clock, settings, [channel])
    await sender.start()
    yield sender
    await sender.stop()
    await channel.outbox_bot.shutdown()


async def _compose(roster: Roster) -> int:
    lead = await roster.lead()
    actor = await lead.actor()
    async with roster.app.db.write() as tx:
        created = await service.create(
            tx,
            actor,
            audience=Audience(
                village_ids=[roster.villages["v1"], roster.villages["v2"]], kind=AudienceKind.ALL
            ),
            text=TEXT,
            with_replies=True,
            scheduled_at=roster.app.clock.now(),
            now=roster.app.clock.now(),
        )
    return created.broadcast_id


async def test_429_is_retried_and_403_is_in_the_report(
    roster: Roster, fake_api: FakeTelegram, sender: Sender
) -> None:
    fake_api.blocked.add(1002)  # Bình blocked the bot
    fake_api.script.append(429)  # the first send is told to wait a second
    broadcast_id = await _compose(roster)
    sender.wake()
    await sender.wait_idle(within_s=60)

    assert fake_api.counts["429"] == 1 and fake_api.counts["403"] == 1
    assert sorted(s.chat_id for s in fake_api.sent) == [1001, 1004, 1006]  # each once
    assert all(TEXT in s.text for s in fake_api.sent)
    buttons = fake_api.sent[0].params["reply_markup"]["inline_keyboard"]
    assert [b[0]["text"] for b in buttons] == ["Tôi sẽ đến", "Không đến được"]
    async with roster.app.db.read() as tx:
        unreachable = await tx.scalar(
            select(chat_identities.c.unreachable_at).where(chat_identities.c.chat_id == "1002")
        )
    assert unreachable is not None

    async with roster.app.db.write() as tx:
        assert await service.finish_due(tx, roster.app.clock.now()) == [broadcast_id]
    [report] = [r for r in await roster.outbox_rows() if str(r["key"]).endswith(":report")]
    assert "Đã gửi: 3. Lỗi: 0. Đã chặn bot: 1." in str(report["text"])
    assert "Trần Thị Bình (1983)" in str(report["text"])  # blocked: on the list to visit
    lead = await roster.lead()
    await lead.press_key(report["payload"]["choices"][0][1])  # type: ignore[index]
    document = lead.last[0].document
    assert document is not None
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert ("Trần Thị Bình", "đã chặn bot") in [(r[3], r[6]) for r in rows]


async def _count(settings: Settings, status: str) -> int:
    from bot.storage.db import Database

    db = Database(settings.db_url)
    try:
        async with db.read() as tx:
            return int(await tx.scalar(select(func.count()).where(outbox.c.status == status)) or 0)
    finally:
        await db.close()


async def _until(check, within_s: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + within_s
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_sender_killed_mid_broadcast_resumes_without_duplicates(
    settings: Settings,
) -> None:
    """A real sender process, SIGKILLed with requests in flight, then started again.

    The kill lands while the fake server holds the requests in flight unanswered and every
    accepted one is recorded as sent; the held ones are then dropped, as the dead process
    never heard back. What must hold: claimed and in-flight rows go out again, exactly once.
    """
    recipients = 240
    args = argparse.Namespace(rate=60.0, per_chat=1.0, random_429=0.0, blocked_every=40)
    actor, village_ids = await bench.seed(settings, recipients, 20)
    await bench.compose(settings, actor, village_ids)
    fake = bench.start_fake(args, recipients)
    try:
        proc = bench.start_sender(settings.db_url, fake, args.rate, args.per_chat)
        await _until(lambda: asyncio.to_thread(lambda: fake.stats()["sent"] >= 60))
        fake.post("/_bench/hold")
        held_sent = fake.stats()["sent"]

        async def in_flight_and_recorded() -> bool:
            held = (await asyncio.to_thread(fake.stats))["held"]
            return held > 0 and await _count(settings, "sent") >= held_sent

        await _until(in_flight_and_recorded)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        fake.post("/_bench/drop")
        before = fake.stats()
        assert 60 <= before["sent"] < recipients - 6  # killed in the middle
        assert before["held"] > 0  # with requests in flight

        proc = bench.start_sender(settings.db_url, fake, args.rate, args.per_chat)
        await asyncio.to_thread(proc.wait, 120)
        after = fake.stats()
    finally:
        fake.stop()
    assert after["duplicates"] == 0
    assert after["chats"] == recipients - after["blocked_chats"]  # nothing lost
    assert after["sent"] == after["chats"]
    assert await _count(settings, "sent") == after["sent"]
    assert await _count(settings, "blocked") == after["blocked_chats"]
    assert await _count(settings, "pending") == await _count(settings, "sending") == 0
