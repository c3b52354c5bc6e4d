"""Several workers on one inbox: every row is answered once, by one worker.

A worker's start takes up the unfinished rows of workers that are gone (on SQLite, one
process, every row); a live worker's rows, even one it is sending this instant, are left to
it. A row two workers hold anyway (received before its worker started) is marked handled only
while still new, in the transaction of its effects, so the second worker shows nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from bot.core.inbound import Inbound
from bot.core.inbox import Inbox
from bot.core.reply import Reply
from bot.storage import inbox as store
from bot.storage.inbox_workers import gone, lock_name
from tests.inbox.test_queues import Recorder, update


async def test_a_row_two_workers_hold_is_handled_and_answered_once(app: App) -> None:
    first, second = Recorder(), Recorder()
    holding = Inbox(app.db, app.clock, app.dispatcher.handle, first, slots=1)
    # Queued in its memory, not yet handled; not started, this worker does not hold its lock.
    await holding.receive([update("c1", 1)])
    taking_up = Inbox(app.db, app.clock, app.dispatcher.handle, second, slots=1)
    await taking_up.start()  # a worker restarted meanwhile: it takes the row up as left
    await taking_up.wait_idle(10)
    await holding.start()  # the first worker comes to the row it holds
    await holding.wait_idle(10)
    await holding.stop()
    await taking_up.stop()
    assert len(second.shown) >= 1  # answered by the worker that took it up
    assert first.shown == []  # and not again
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 1}


@pytest.mark.engines("postgresql")  # several workers: PostgreSQL only
async def test_a_chats_earlier_message_on_another_worker_is_handled_first(app: App) -> None:
    handled: list[str] = []

    async def recording(inbound: Inbound) -> list[Reply]:
        replies = await app.dispatcher.handle(inbound)  # a row not its turn: not recorded
        handled.append(inbound.text)
        return replies

    first, second = Recorder(), Recorder()
    slow = Inbox(app.db, app.clock, recording, first, slots=1)
    quick = Inbox(app.db, app.clock, recording, second, slots=1)
    await quick.start()
    await slow.receive([update("c1", 1)])  # stored, then this worker is slow to come to it
    await quick.receive([update("c1", 2)])  # the chat's next message reaches the other
    await quick.wait_idle(10)
    await slow.start()
    await slow.wait_idle(10)
    await slow.stop()
    await quick.stop()
    assert handled == ["1", "2"]
    assert first.shown == []  # the slow worker found its row handled: nothing shown twice
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 2}


@pytest.mark.engines("postgresql")
async def test_a_row_not_its_turn_is_refused_before_any_work(app: App) -> None:
    outcomes: list[tuple[str, str]] = []

    async def noting(inbound: Inbound) -> list[Reply]:
        try:
            replies = await app.dispatcher.handle(inbound)
        except (store.EarlierFirst, store.AlreadyHandled) as exc:
            outcomes.append((inbound.text, type(exc).__name__))
            raise
        outcomes.append((inbound.text, "handled"))
        return replies

    slow = Inbox(app.db, app.clock, noting, Recorder(), slots=1)
    quick = Inbox(app.db, app.clock, noting, Recorder(), slots=1)
    quick.turn_wait_s = 0.01
    await quick.start()
    await slow.receive([update("c1", 1)])
    await quick.receive([update("c1", 2)])  # in the end handles the slow worker's "1" first
    await quick.wait_idle(10)
    await slow.start()
    await slow.wait_idle(10)
    await slow.stop()
    await quick.stop()
    assert outcomes == [
        ("2", "EarlierFirst"),  # the chat's "1" is still new: "2" waits a moment
        ("2", "EarlierFirst"),  # still new: the quick worker handles it itself
        ("1", "handled"),
        ("2", "handled"),
        ("1", "AlreadyHandled"),  # the slow worker comes to its row: refused, not redone
    ]


@pytest.mark.engines("postgresql")
async def test_a_row_waits_a_moment_for_the_worker_holding_its_chats_earlier_one(
    app: App,
) -> None:
    outcomes: list[tuple[str, str]] = []

    async def noting(inbound: Inbound) -> list[Reply]:
        try:
            replies = await app.dispatcher.handle(inbound)
        except store.EarlierFirst:
            outcomes.append((inbound.text, "EarlierFirst"))
            raise
        outcomes.append((inbound.text, "handled"))
        return replies

    first, second = Recorder(), Recorder()
    slow = Inbox(app.db, app.clock, noting, first, slots=1)
    quick = Inbox(app.db, app.clock, noting, second, slots=1)
    quick.turn_wait_s = 1.0
    await quick.start()
    await slow.receive([update("c1", 1)])
    await quick.receive([update("c1", 2)])
    async with asyncio.timeout(10):
        while not outcomes:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
    await slow.start()  # comes to its "1" while the quick worker's "2" waits
    await quick.wait_idle(10)
    await slow.stop()
    await quick.stop()
    assert outcomes == [("2", "EarlierFirst"), ("1", "handled"), ("2", "handled")]
    assert [chat for chat, _ in first.shown] == ["c1"]  # each answered by its own worker
    assert [chat for chat, _ in second.shown] == ["c1"]


@pytest.mark.engines("postgresql")
async def test_a_message_waits_for_its_chats_earlier_one_still_new(app: App) -> None:
    async with app.db.write() as tx:
        rows = await store.insert_received(
            tx, "test", [update("c8", 1), update("c8", 2)], app.clock.now()
        )
    later = Inbound(channel="test", chat_id="c8", user_id="c8", text="2", inbox_id=rows[1].id)
    with pytest.raises(store.EarlierFirst):
        await app.dispatcher.handle(later)
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"new": 2}  # nothing was done
    # Once the inbox has seen to the earlier ones, it asks for the message alone.
    ordered = replace(later, inbox_ordered=True)
    assert await app.dispatcher.handle(ordered)
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"new": 1, "handled": 1}


class Stalled(Recorder):
    """A channel whose sends wait until released: its worker is caught mid-send."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = asyncio.Event()
        self.release = asyncio.Event()

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        self.sending.set()
        await self.release.wait()
        await super().show(chat_id, replies, inbound)


async def caught_mid_send(app: App) -> tuple[Inbox, Stalled]:
    """A started worker sending c1's stored replies, with c2's message still new in its queue."""
    stalled = Stalled()
    inbox = Inbox(app.db, app.clock, app.dispatcher.handle, stalled, slots=1)
    await inbox.start()
    await inbox.receive([update("c1", 1)])
    await asyncio.wait_for(stalled.sending.wait(), 10)
    await inbox.receive([update("c2", 1)])  # the only slot is busy: it waits, new
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"handled": 1, "new": 1}
    return inbox, stalled


async def cut(inbox: Inbox) -> None:
    """The server drops the session holding the worker's lock (as when its process dies)."""
    async with inbox.db.write() as tx:  # a bigint advisory key is split in two in pg_locks
        cut = await tx.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_locks"
                " WHERE locktype = 'advisory' AND objsubid = 1"
                " AND (classid::bigint << 32 | objid::bigint) = hashtextextended(:key, 0)"
            ),
            {"key": lock_name(inbox.worker)},
        )
    assert cut == 1


async def kill(inbox: Inbox) -> None:
    """As kill -9 does: the worker stops where it is and the server drops its session."""
    for task in inbox._tasks:
        task.cancel()
    await asyncio.gather(*inbox._tasks, return_exceptions=True)
    await cut(inbox)
    await inbox.presence.leave()  # only closes this side of the connection the server dropped


@pytest.mark.engines("postgresql")
async def test_a_live_workers_rows_are_left_to_it_by_a_starting_worker(app: App) -> None:
    live, stalled = await caught_mid_send(app)
    starting = Recorder()
    other = Inbox(app.db, app.clock, app.dispatcher.handle, starting, slots=1)
    await other.start()  # a worker (re)started while the first is sending c1's replies
    await other.wait_idle(10)
    stalled.release.set()
    await live.wait_idle(10)
    await live.stop()
    await other.stop()
    assert starting.shown == []  # neither the reply being sent nor c2's waiting message
    assert {chat for chat, _ in stalled.shown} == {"c1", "c2"}  # each answered by the first
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 2}


@pytest.mark.engines("postgresql")
async def test_a_dead_workers_rows_are_answered_once_by_the_workers_starting(app: App) -> None:
    dead, stalled = await caught_mid_send(app)
    async with app.db.read() as tx:
        [kept] = [row.replies for row in await store.unfinished(tx, "test") if row.replies]
    await kill(dead)
    readers = [Recorder(), Recorder()]
    workers = [Inbox(app.db, app.clock, app.dispatcher.handle, r, slots=1) for r in readers]
    await asyncio.gather(*(worker.start() for worker in workers))  # both at once
    for worker in workers:
        await worker.wait_idle(10)
        await worker.stop()
    shown = readers[0].shown + readers[1].shown
    assert stalled.shown == []  # killed before its send went out
    assert [text for chat, text in shown if chat == "c1"] == [r.text for r in kept]  # once
    assert len([chat for chat, _ in shown if chat == "c2"]) >= 1  # handled after the kill
    assert [len({chat for chat, _ in r.shown}) for r in readers] in ([2, 0], [0, 2])
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 2}


@pytest.mark.engines("postgresql")
async def test_a_row_handled_for_another_worker_is_left_to_the_worker_sending_it(
    app: App,
) -> None:
    dead, _ = await caught_mid_send(app)  # c2's first message waits, new, in its queue
    helping = Stalled()
    helper = Inbox(app.db, app.clock, app.dispatcher.handle, helping, slots=1)
    await helper.start()
    await helper.receive([update("c2", 2)])  # handles c2's first message first, then sends it
    await asyncio.wait_for(helping.sending.wait(), 10)
    await kill(dead)  # the worker that received c2's first message dies
    starting = Recorder()
    other = Inbox(app.db, app.clock, app.dispatcher.handle, starting, slots=1)
    await other.start()
    await other.wait_idle(10)
    helping.release.set()
    await helper.wait_idle(10)
    await helper.stop()
    await other.stop()
    assert {chat for chat, _ in starting.shown} == {"c1"}  # the dead worker's reply, not c2's
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 3}


@pytest.mark.engines("postgresql")
async def test_a_worker_whose_lock_connection_dropped_takes_its_lock_again(app: App) -> None:
    inbox = Inbox(app.db, app.clock, app.dispatcher.handle, Recorder(), slots=1)
    await inbox.start()
    await cut(inbox)  # a network cut, the database restarted: the worker itself lives on
    async with app.db.write() as tx:
        assert await gone(tx, inbox.worker)
    await inbox.presence.check()  # what it does every few seconds
    async with app.db.write() as tx:
        assert not await gone(tx, inbox.worker)
    await inbox.stop()


async def test_a_stop_past_its_grace_finishes_the_sends_begun_and_leaves_the_rest(
    app: App,
) -> None:
    stopping, stalled = await caught_mid_send(app)  # c1's replies going out, c2's waiting
    stop = asyncio.create_task(stopping.stop(grace_s=0))  # the queue cannot be done in time
    while not stopping._closing:  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    stalled.release.set()
    await stop
    assert {chat for chat, _ in stalled.shown} == {"c1"}  # not cut mid-send: sent, and once
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 1, "new": 1}
    later = Recorder()
    restarted = Inbox(app.db, app.clock, app.dispatcher.handle, later, slots=1)
    await restarted.start()  # c2's message, never begun, is answered after the restart
    await restarted.wait_idle(10)
    await restarted.stop()
    assert {chat for chat, _ in later.shown} == {"c2"}
    async with app.db.read() as tx:
        assert await store.count_by_status(tx, "test") == {"done": 2}


async def test_an_inbox_stopped_and_started_again_handles_messages(app: App) -> None:
    reader = Recorder()
    inbox = Inbox(app.db, app.clock, app.dispatcher.handle, reader, slots=1)
    await inbox.start()
    await inbox.stop(grace_s=0)
    await inbox.start()
    await inbox.receive([update("c1", 1)])
    await inbox.wait_idle(10)
    await inbox.stop()
    assert {chat for chat, _ in reader.shown} == {"c1"}


@pytest.mark.engines("postgresql")  # SQLite has one process: no turns to take
async def test_a_messages_turn_waits_only_for_earlier_rows_of_its_own_known_chat(
    app: App,
) -> None:
    received = [update("c7", 1), update("c6", 1), update("", 1), update("", 2), update("c7", 2)]
    async with app.db.write() as tx:
        rows = await store.insert_received(tx, "test", received, app.clock.now())

    async def turn(tx: AsyncConnection, row: store.Open) -> None:
        await store.take_turn(tx, row.id, f"chat:test:{row.chat_key}", ordered=False)

    async with app.db.write() as tx:
        await turn(tx, rows[1])  # c6's first: c7's earlier row is not its
        await turn(tx, rows[3])  # no known chat: nothing to wait for
        with pytest.raises(store.EarlierFirst):
            await turn(tx, rows[4])  # c7's "1" is still new
        await store.mark_handled(tx, rows[0].id, [], app.clock.now())
        await turn(tx, rows[4])  # its turn now
        with pytest.raises(store.AlreadyHandled):
            await turn(tx, rows[0])


@pytest.mark.engines("postgresql")
async def test_a_row_handled_while_waiting_for_the_chats_lock_is_not_worked_again(
    app: App,
) -> None:
    async with app.db.write() as tx:
        [row] = await store.insert_received(tx, "test", [update("c9", 1)], app.clock.now())
        await store.mark_handled(tx, row.id, [Reply("done by the other worker")], app.clock.now())
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", note)
    inbound = Inbound(channel="test", chat_id="c9", user_id="c9", text="/start", inbox_id=row.id)
    with pytest.raises(store.AlreadyHandled):
        await app.dispatcher.handle(inbound)
    assert not any("chat_identities" in s or "conversations" in s for s in statements)


@pytest.mark.engines("postgresql")
async def test_a_free_chat_lock_is_taken_with_the_turn_check_in_one_statement(app: App) -> None:
    async with app.db.write() as tx:
        rows = await store.insert_received(tx, "test", [update("c3", 1)], app.clock.now())
    statements: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        statements.append(statement)

    async with app.db.write() as tx:
        await tx.execute(text("SELECT 1"))  # the transaction begun
        event.listen(app.db.engine.sync_engine, "before_cursor_execute", note)
        await store.take_turn(tx, rows[0].id, "chat:test:c3", ordered=False)
        event.remove(app.db.engine.sync_engine, "before_cursor_execute", note)
        async with app.db.write() as other:  # held: another worker cannot take it now
            assert not await other.scalar(
                text("SELECT pg_try_advisory_xact_lock(hashtextextended('chat:test:c3', 0))")
            )
    assert len(statements) == 1


@pytest.mark.engines("postgresql")
async def test_a_held_chat_lock_is_waited_for_then_the_turn_checked_afresh(app: App) -> None:
    now = app.clock.now()
    async with app.db.write() as tx:
        first, second = await store.insert_received(
            tx, "test", [update("c4", 1), update("c4", 2)], now
        )

    async def second_turn() -> None:
        async with app.db.write() as tx:
            await store.take_turn(tx, second.id, "chat:test:c4", ordered=False)

    async with app.db.write() as tx:  # another worker is handling c4's first message
        await store.take_turn(tx, first.id, "chat:test:c4", ordered=False)
        waiting = asyncio.create_task(second_turn())
        await asyncio.sleep(0.3)
        assert not waiting.done()  # it waits for the chat's lock
        await store.mark_handled(tx, first.id, [], now)
    await asyncio.wait_for(waiting, 10)  # its turn: the first one is handled now, not new
