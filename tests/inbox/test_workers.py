"""Several workers on one inbox: a row one worker holds and another took up is answered once.

Each worker's start takes up every unfinished row of its channel, those of live workers
too (nothing says which worker holds a row); the row is marked handled only while still new,
in the transaction of its effects, so the second worker's effects are rolled back and it
shows nothing.
"""

from __future__ import annotations

from bot.app import App
from bot.core.inbound import Inbound
from bot.core.inbox import Inbox
from bot.core.reply import Reply
from bot.storage import inbox as store
from tests.inbox.test_queues import Recorder, update


async def test_a_row_two_workers_hold_is_handled_and_answered_once(app: App) -> None:
    first, second = Recorder(), Recorder()
    holding = Inbox(app.db, app.clock, app.dispatcher.handle, first, slots=1)
    await holding.receive([update("c1", 1)])  # queued in its memory, not yet handled
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


async def test_a_chats_earlier_message_on_another_worker_is_handled_first(app: App) -> None:
    handled: list[str] = []

    async def recording(inbound: Inbound) -> list[Reply]:
        replies = await app.dispatcher.handle(inbound)  # AlreadyHandled: not recorded
        handled.append(inbound.text)
        return replies

    first, second = Recorder(), Recorder()
    slow = Inbox(app.db, app.clock, recording, first, slots=1, shared=True)
    quick = Inbox(app.db, app.clock, recording, second, slots=1, shared=True)
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


async def test_workers_share_the_order_on_postgresql_only_by_default(app: App) -> None:
    inbox = Inbox(app.db, app.clock, app.dispatcher.handle, Recorder())
    assert inbox.shared is (not app.db.is_sqlite)
