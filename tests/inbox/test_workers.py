"""Several workers on one inbox: a row one worker holds and another took up is answered once.

Each worker's start takes up every unfinished row of its channel, those of live workers
too (nothing says which worker holds a row); the row is marked handled only while still new,
in the transaction of its effects, so the second worker's effects are rolled back and it
shows nothing.
"""

from __future__ import annotations

from bot.app import App
from bot.core.inbox import Inbox
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
