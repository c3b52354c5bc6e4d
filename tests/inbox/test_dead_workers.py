"""A running worker answers what a dead one left, without waiting for a worker to start.

A worker found gone at two looks `adopt_after` apart has its unfinished rows taken up by a live
one, which answers each once; a worker whose lock connection dropped and which took its lock
again in between keeps its rows; a live worker's rows are never taken. PostgreSQL only: on
SQLite there is one process.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from bot.app import App
from bot.core.clock import FixedClock
from bot.core.inbox import Inbox
from bot.core.inbox_peers import ADOPT_AFTER
from bot.storage import inbox as store
from tests.inbox.test_queues import Recorder
from tests.inbox.test_workers import caught_mid_send, cut, kill

pytestmark = pytest.mark.engines("postgresql")

SECOND = timedelta(seconds=1)


def running(app: App, reader: Recorder) -> Inbox:
    """A worker whose own looks for the dead never come during a test: the test looks."""
    inbox = Inbox(app.db, app.clock, app.dispatcher.handle, reader, slots=1)
    inbox.peers.stay_s = 3600
    return inbox


async def started(app: App) -> tuple[Inbox, Recorder]:
    """A running worker (see `running`), started, and what it shows."""
    reader = Recorder()
    inbox = running(app, reader)
    await inbox.start()
    return inbox, reader


async def counts(app: App) -> dict[str, int]:
    async with app.db.read() as tx:
        return await store.count_by_status(tx, "test")


async def stored_replies(app: App) -> list[str]:
    async with app.db.read() as tx:
        [kept] = [row.replies for row in await store.unfinished(tx, "test") if row.replies]
    return [reply.text for reply in kept]


async def test_a_dead_workers_rows_are_answered_once_by_a_running_worker(app: App) -> None:
    reader = Recorder()
    live = Inbox(app.db, app.clock, app.dispatcher.handle, reader, slots=1)
    live.peers.stay_s = 0.05
    live.peers.adopt_after = timedelta(0)  # the first look that finds it gone takes its rows
    await live.start()
    dying, stalled = await caught_mid_send(app)
    kept = await stored_replies(app)
    await asyncio.sleep(0.3)  # several looks while it lives: its rows stay its own
    assert reader.shown == []
    assert await counts(app) == {"handled": 1, "new": 1}
    await kill(dying)
    async with asyncio.timeout(10):
        while await counts(app) != {"done": 2}:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    await live.stop()
    assert stalled.shown == []  # killed before its send went out
    assert [text for chat, text in reader.shown if chat == "c1"] == kept  # sent once, as stored
    assert len([chat for chat, _ in reader.shown if chat == "c2"]) >= 1  # handled after


async def test_a_worker_is_taken_for_dead_only_when_gone_at_two_looks_apart(
    app: App, clock: FixedClock
) -> None:
    live, reader = await started(app)
    dead, _ = await caught_mid_send(app)
    await kill(dead)
    assert await live.peers.adopt() == 0  # first found gone
    clock.advance(ADOPT_AFTER - SECOND)
    assert await live.peers.adopt() == 0
    clock.advance(SECOND)
    assert await live.peers.adopt() == 2
    await live.wait_idle(10)
    await live.stop()
    assert {chat for chat, _ in reader.shown} == {"c1", "c2"}
    assert await counts(app) == {"done": 2}


async def test_a_worker_whose_lock_came_back_between_two_looks_keeps_its_rows(
    app: App, clock: FixedClock
) -> None:
    live, reader = await started(app)
    held, stalled = await caught_mid_send(app)
    await cut(held)  # its lock connection dropped; the worker lives on, sending c1's replies
    assert await live.peers.adopt() == 0  # found gone once
    await held.presence.check()  # takes its lock again, as it does every few seconds
    clock.advance(ADOPT_AFTER + SECOND)
    assert await live.peers.adopt() == 0  # back: nothing taken
    stalled.release.set()
    await held.wait_idle(10)
    await held.stop()
    await live.stop()
    assert reader.shown == []
    assert {chat for chat, _ in stalled.shown} == {"c1", "c2"}
    assert await counts(app) == {"done": 2}


async def test_two_running_workers_looking_at_once_take_a_dead_workers_rows_once(
    app: App,
) -> None:
    readers = [Recorder(), Recorder()]
    workers = [running(app, reader) for reader in readers]
    for worker in workers:
        worker.peers.adopt_after = timedelta(0)
        await worker.start()
    dead, _ = await caught_mid_send(app)
    kept = await stored_replies(app)
    await kill(dead)
    taken = await asyncio.gather(*(worker.peers.adopt() for worker in workers))
    assert sorted(taken) == [0, 2]
    for worker in workers:
        await worker.wait_idle(10)
        await worker.stop()
    shown = readers[0].shown + readers[1].shown
    assert [text for chat, text in shown if chat == "c1"] == kept
    assert await counts(app) == {"done": 2}


async def test_a_stopping_worker_leaves_a_dead_workers_rows_to_the_others(app: App) -> None:
    live, reader = await started(app)
    live.peers.adopt_after = timedelta(0)
    dead, _ = await caught_mid_send(app)
    await kill(dead)
    stopping = asyncio.create_task(live.stop())
    await asyncio.sleep(0)  # the stop has begun
    assert await live.peers.adopt() == 0  # it would not answer them: it is going
    await stopping
    assert reader.shown == []
    assert await counts(app) == {"handled": 1, "new": 1}  # still the dead one's, for the others
