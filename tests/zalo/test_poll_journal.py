"""getUpdates has no offset: a poll's answer is journaled as it arrives, so a crash before the
inbox commit loses nothing; the webhook answers only once the update is stored."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.channels.zalo import ZaloApi, ZaloChannel
from bot.channels.zalo_journal import PollJournal, journal_path
from bot.storage import inbox as store
from bot.testing.zalo_api import SECRET_HEADER, FakeZaloServer
from tests.zalo.harness import SECRET, ZaloHarness, zalo_harness


async def _statuses(app: App) -> dict[str, int]:
    async with app.db.read() as tx:
        return await store.count_by_status(tx, "zalo")


def _channel(app: App, server: FakeZaloServer, journal: Path) -> ZaloChannel:
    api = ZaloApi(server.token, server.url, backoff_s=0.01, timeout_s=2.0)
    return ZaloChannel(app.dispatcher.handle, api, db=app.db, journal=PollJournal(journal))


async def test_a_crash_between_the_poll_answer_and_the_commit_loses_nothing(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "zalo-poll.journal"
    async with FakeZaloServer(poll_wait_s=0.2) as server:
        first = _channel(app, server, journal)
        fetched = asyncio.Event()

        async def killed_before_the_commit(updates):  # type: ignore[no-untyped-def]
            fetched.set()
            await asyncio.Event().wait()  # the process dies here: nothing is committed

        monkeypatch.setattr(first.inbox, "receive", killed_before_the_commit)
        await first.start()
        await server.say("u9", "/help")
        await asyncio.wait_for(fetched.wait(), 10)
        assert first._poller is not None
        first._poller.cancel()  # kill -9: no stop, no store; only the journal is left
        await asyncio.gather(first._poller, return_exceptions=True)
        await first.inbox.stop(grace_s=0)
        await first.api.aclose()
        assert await _statuses(app) == {}  # the answer was taken, and not stored
        assert server.calls_of("getUpdates")  # Zalo will not send it again

        restarted = _channel(app, server, journal)
        await restarted.start()
        try:
            for _ in range(500):
                if server.texts_to("u9"):
                    break
                await asyncio.sleep(0.02)
            await restarted.drain(10)
        finally:
            await restarted.stop()
    assert len(server.texts_to("u9")) == 1 and "/menu" in server.texts_to("u9")[0]
    assert await _statuses(app) == {"done": 1}
    assert journal.read_bytes() == b""  # emptied once stored


async def test_the_journal_is_emptied_after_each_stored_poll_and_replays_are_no_ops(
    app: App, tmp_path: Path
) -> None:
    journal = tmp_path / "zalo-poll.journal"
    async with FakeZaloServer(poll_wait_s=0.2) as server:
        polled = server.update("u10", "/help")
        PollJournal(journal).write(polled)  # a previous run fetched it, and stored it too
        channel = _channel(app, server, journal)
        await channel.start()
        try:
            await server.say("u11", "/help")
            for _ in range(500):
                if server.texts_to("u10") and server.texts_to("u11"):
                    break
                await asyncio.sleep(0.02)
            await channel.drain(10)
            again = _channel(app, server, journal)
            again.journal.write(polled)  # type: ignore[union-attr]
            await again._take_up_journal()  # stored already: a no-op
            await channel.drain(10)
        finally:
            await channel.stop()
    assert len(server.texts_to("u10")) == 1 and len(server.texts_to("u11")) == 1
    assert journal.read_bytes() == b""


def test_a_line_cut_short_by_the_kill_is_skipped(tmp_path: Path) -> None:
    journal = PollJournal(tmp_path / "j")
    journal.write({"message": {"message_id": "1"}})
    journal.close()
    with (tmp_path / "j").open("ab") as file:
        file.write(b'{"message": {"mess')  # killed in the middle of a write
    assert journal.left() == [{"message": {"message_id": "1"}}]


def test_the_journal_sits_beside_the_sqlite_database() -> None:
    assert journal_path("", "sqlite+aiosqlite:///./data/t.db") == Path("data/zalo-poll.journal")
    assert journal_path("", "postgresql+asyncpg://u@h/db") == Path("data/zalo-poll.journal")
    assert journal_path("/var/j", "sqlite+aiosqlite:///x.db") == Path("/var/j")


async def test_the_webhook_answers_only_after_the_update_is_stored(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store that fails is a 500 (Zalo posts it again), never a 200 for a lost update."""
    async with zalo_harness(app) as zalo:
        harness: ZaloHarness = zalo
        refused = 0
        store_it = harness.channel.inbox.receive

        async def database_down_once(updates):  # type: ignore[no-untyped-def]
            nonlocal refused
            if not refused:
                refused += 1
                raise OSError("database is locked")
            return await store_it(updates)

        monkeypatch.setattr(harness.channel.inbox, "receive", database_down_once)
        body = json.dumps(harness.server.update("u12", "/help"))
        statuses = []
        async with aiohttp.ClientSession() as session:
            for _ in range(2):
                async with session.post(
                    harness.webhook_url, data=body, headers={SECRET_HEADER: SECRET}
                ) as response:
                    statuses.append(response.status)
        await harness.channel.drain(10)
        assert statuses == [500, 200]
        assert len(harness.server.texts_to("u12")) == 1
