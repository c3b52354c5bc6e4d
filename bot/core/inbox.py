"""The inbox worker: updates stored before they are confirmed, handled in order per chat.

A channel hands `receive` the updates it got; they are written to the inbox table (one
transaction per batch) before `receive` returns, and only then does the channel confirm them
to the platform (the next getUpdates offset, or the webhook's 200). A replayed update id is a
no-op. Each chat has its own queue; the chats with work wait in one line and each of the
`slots` workers takes the next chat, handles one of its messages and puts the chat back at
the end of the line, so one chat's backlog never holds more than one slot. The dispatcher
marks a row `handled` in the transaction of its effects, with the replies; the worker sends
them and marks the row `done`. On start, rows a previous run left `new` are handled and rows
left `handled` are answered from the stored replies.

Several workers (PostgreSQL): each holds a session advisory lock named by its id while it lives
(bot/storage/inbox_workers.py) and each row names the worker holding it: its receiver, then the
worker that handled it. A starting worker takes up only the rows of workers that are gone (their
lock went with their connection, even after kill -9) and the rows it takes now name it, so a row a
live worker is handling or sending is answered by that worker alone; a running worker takes up
those of a worker gone for a while (bot/core/inbox_peers.py), so they need no start. The
dispatcher's per-chat advisory lock keeps one message of a chat at a time across workers, and a row
is marked handled only while still new, so a row two workers hold is handled and answered once.
Order: the statement that takes that lock (the first after it, when another worker held it) finds
the row still new and looks for an earlier row of its chat still new (another worker received it
and has not come to it; bot/storage/inbox.py take_turn); if there is one, nothing is done: the
row goes back to its chat's queue for a moment (`TURN_WAIT_S`), as that worker is likely coming to
them; found there again, the worker handles the chat's earlier rows itself, then the row
(the other worker finds them handled and drops them). A platform sends a chat's next update only
after the last one was stored, so the earlier ones are always visible. Not kept: a worker whose
lock connection dropped while it lives (the database restarted, a network cut) is taken for gone
until it takes the lock again (within `STAY_S`): a worker starting meanwhile takes up its rows, and
a row it is sending then may be sent twice (running workers wait longer: `ADOPT_AFTER`); so is a
reply accepted by the platform in the very instant its worker is killed (the crash guarantee).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.flood import FloodLimit, Verdict
from bot.core.i18n import _, use_locale
from bot.core.inbound import Inbound
from bot.core.inbox_peers import Peers
from bot.core.reply import Reply
from bot.storage import inbox as store
from bot.storage.db import Database
from bot.storage.inbox import Open, Received
from bot.storage.inbox_workers import Presence, new_worker_id

logger = logging.getLogger(__name__)

Handle = Callable[[Inbound], Awaitable[list[Reply]]]
KEEP_FINISHED = timedelta(days=2)  # platforms replay within a day
RECENT = 4096  # rows finished here remembered, so another worker's earlier row is not redone
TURN_WAIT_S = 0.2  # a row whose chat's earlier rows are another worker's waits this long once


class NotYet(Exception):
    """Not the row's turn: another worker holds its chat's earlier rows; try it again later."""


class Unreadable(Exception):
    """The update could not be read (malformed, or a shape this version does not know)."""


class Reader(Protocol):
    """What the inbox needs of a channel."""

    name: str

    async def read(self, payload: Any) -> Inbound | Reply | None:
        """The update as an Inbound; a Reply to send at once; None to ignore it.

        Raises Unreadable when the update cannot be read at all.
        """
        ...

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        """Send replies to a chat, in order (logs and swallows platform errors).

        `inbound` is the message answered; for replies resumed after a restart, the button
        press read again when one of them edits or is a notice, else None.
        """
        ...

    def working(self, chat_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        """What the channel shows while the core works ("typing"), or nothing."""
        ...


def flood_text() -> str:
    return _("You are sending too fast, please wait a moment.")


class Inbox:
    """One channel's inbox: intake, fair per-chat queues, workers, and the done marks."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        handle: Handle,
        reader: Reader,
        *,
        slots: int = 4,
        flood: FloodLimit | None = None,
        locale: str = "vi",
    ) -> None:
        self.db = db
        self.clock = clock
        self.handle = handle
        self.reader = reader
        self.channel = reader.name
        self.slots = max(1, slots)
        self.flood = flood or FloodLimit(0, 1.0)
        self.locale = locale
        self._chats: dict[str, deque[Open]] = {}
        self._line: asyncio.Queue[str] = asyncio.Queue()
        self._busy = 0
        self._finished: list[int] = []
        # Rows finished here lately: a snapshot read may still see them new.
        self._recent: deque[int] = deque(maxlen=RECENT)
        self._settled: set[int] = set()
        # Rows that waited once for another worker to handle their chat's earlier rows.
        self._waited: set[int] = set()
        self.turn_wait_s = TURN_WAIT_S
        self._finish_wanted = asyncio.Event()
        self._marking = False
        self._closing = False  # stopping: no message is begun any more
        self._tasks: list[asyncio.Task[None]] = []
        # Who this worker is, for the rows it holds; its lock says it lives (PostgreSQL).
        self.worker = new_worker_id()
        self.presence = Presence(db, self.worker)
        self.peers = Peers(db, clock, self.channel, self.presence, self._take)

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Take up what workers now gone left, then start the workers."""
        self._closing = False
        self.peers.adopting = True
        await self.presence.enter()  # first: others starting now leave this worker's rows
        async with self.db.write() as tx:
            left = await store.take_up(tx, self.channel, self.worker)
            await store.purge_finished(tx, self.clock.now() - KEEP_FINISHED)
        if left:
            logger.info(
                "inbox %s: %s messages resumed from a previous run", self.channel, len(left)
            )
        self._take(left)
        self._tasks = [
            asyncio.create_task(self._work(), name=f"inbox-{self.channel}-{n}")
            for n in range(self.slots)
        ]
        self._tasks.append(asyncio.create_task(self._mark_loop(), name=f"inbox-{self.channel}"))
        if not self.db.is_sqlite:
            self._tasks.append(
                asyncio.create_task(self.peers.keep(), name=f"inbox-{self.channel}-peers")
            )

    async def stop(self, grace_s: float = 10.0, finish_s: float = 5.0) -> None:
        """Finish what is queued (up to `grace_s`), write the done marks, stop the workers.

        When the queue is not done by then, its rows not begun stay for the next start, and
        the messages being handled are finished (up to `finish_s` more): cut mid-send, a reply
        the platform took would go out again from the worker that takes the row up.
        """
        self.peers.adopting = False  # a dead worker's rows taken now would wait for this one
        with contextlib.suppress(TimeoutError):
            await self.wait_idle(grace_s)
        self._closing = True
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(finish_s):
                while self._busy:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        try:
            await self._write_done()
        finally:
            await self.presence.leave()  # what is left unfinished is others' to take up

    async def wait_idle(self, within_s: float = 30.0) -> None:
        """Wait until nothing is queued, being handled or left to mark (TimeoutError after)."""
        async with asyncio.timeout(within_s):
            while self._chats or self._busy or self._finished or self._marking:  # noqa: ASYNC110
                await asyncio.sleep(0.01)

    @property
    def queued(self) -> int:
        return sum(len(q) for q in self._chats.values())

    # ---- intake -----------------------------------------------------------------------------

    async def receive(self, updates: Sequence[Received]) -> int:
        """Store updates (replays skipped) and queue the new ones; returns how many were new.

        When this returns, the updates are durable: the channel may confirm them.
        """
        if not updates:
            return 0
        now = time.monotonic()
        rows = []
        for item in updates:
            verdict = self.flood.check(item.user_key, now)
            if verdict is Verdict.DROP:
                item = replace(item, status=store.DROPPED)
            elif verdict is Verdict.NOTICE:
                item = replace(item, notice=store.FLOOD)
            rows.append(item)
        # Up to ROWS_PER_STATEMENT updates are one INSERT: committed alone, all or none.
        many = len(rows) > store.ROWS_PER_STATEMENT
        async with self.db.write() if many else self.db.single() as tx:
            fresh = await store.insert_received(
                tx, self.channel, rows, self.clock.now(), self.worker
            )
        for row in fresh:
            if row.status == store.NEW:
                self._enqueue(row)
        return len(fresh)

    def _take(self, rows: Sequence[Open]) -> None:
        """Queue rows taken up from a previous run or a dead worker."""
        queued = {row.id for queue in self._chats.values() for row in queue}
        for row in rows:
            if row.id not in queued:  # received before start: already in its queue
                self._enqueue(row)

    def _enqueue(self, row: Open) -> None:
        queue = self._chats.get(row.chat_key)
        if queue is None:
            self._chats[row.chat_key] = deque([row])
            self._line.put_nowait(row.chat_key)
        else:
            queue.append(row)  # the chat is in the line, or a worker will put it back

    # ---- the workers ------------------------------------------------------------------------

    async def _work(self) -> None:
        store.WORKER.set(self.worker)  # this task's: rows it handles are marked as this worker's
        while True:
            chat = await self._line.get()
            if self._closing:
                self._line.put_nowait(chat)  # its rows stay new, for the next start
                return
            queue = self._chats[chat]
            row = queue.popleft()
            self._busy += 1
            waiting = False
            try:
                await self._one(row)
            except NotYet:
                queue.appendleft(row)
                waiting = True
            except Exception:
                logger.exception("inbox %s: row %s not finished", self.channel, row.id)
            finally:
                self._busy -= 1
                if waiting:  # back in the line a little later: the other worker's turn first
                    asyncio.get_running_loop().call_later(
                        self.turn_wait_s, self._line.put_nowait, chat
                    )
                elif queue:
                    self._line.put_nowait(chat)  # its next message waits for its next turn
                else:
                    del self._chats[chat]

    async def _one(self, row: Open) -> None:
        inbound: Inbound | None = None
        if row.status == store.HANDLED:
            replies: Sequence[Reply] = row.replies
            inbound = await self._pressed(row)
        elif row.notice == store.FLOOD:
            with use_locale(self.locale):
                replies = [Reply(flood_text())]
        else:
            got = await self._read(row)
            if got is None:
                return
            if isinstance(got, Reply):
                replies = [got]
            else:
                inbound = replace(got, inbox_id=row.id)
                handled = await self._in_order(row, inbound)
                if handled is None:
                    return  # another worker handled it, and answers it
                replies = handled
        if replies and row.chat_key:
            await self.reader.show(row.chat_key, replies, inbound)
        self._done(row.id)

    async def _in_order(self, row: Open, inbound: Inbound) -> list[Reply] | None:
        """The message's replies, after its chat's earlier rows; None when another worker
        handled it (with the earlier ones, or after taking it up)."""
        try:
            try:
                replies: list[Reply] | None = await self._handle(inbound)
            except store.EarlierFirst:  # another worker received the chat's earlier rows
                if row.id not in self._waited:  # it is likely coming to them: wait a turn
                    self._waited.add(row.id)
                    raise NotYet(row.id) from None
                replies = None
                if await self._earlier_first(row):  # still there: handle them here
                    replies = await self._handle(replace(inbound, inbox_ordered=True))
        except store.AlreadyHandled:
            logger.info("inbox %s: row %s handled by another worker", self.channel, row.id)
            replies = None
        self._waited.discard(row.id)
        return replies

    async def _handle(self, inbound: Inbound) -> list[Reply]:
        async with self.reader.working(inbound.chat_id):
            return await self.handle(inbound)

    async def _earlier_first(self, row: Open) -> bool:
        """Handle the chat's earlier rows that another worker received and has not handled;
        False when `row` itself is no longer new (not read again, nor handled in vain)."""
        async with self.db.read() as tx:
            pending = await store.new_up_to(tx, self.channel, row)
        if all(other.id != row.id for other in pending):
            return False
        for other in pending:
            if other.id == row.id or other.id in self._settled:
                continue
            self._waited.add(other.id)  # handled here now, not waited for again
            try:
                await self._one(other)
            except Exception:
                logger.exception("inbox %s: row %s not finished", self.channel, other.id)
            finally:
                self._waited.discard(other.id)  # whichever way _one left it
        return True

    async def _pressed(self, row: Open) -> Inbound | None:
        """For resumed replies that answer a button press (an edit, a notice): the press."""
        if not any(r.edit or r.notice for r in row.replies):
            return None  # nothing to edit or answer: the replies are just sent
        try:
            got = await self.reader.read(json.loads(row.payload))
        except (Unreadable, ValueError):
            return None
        return got if isinstance(got, Inbound) else None

    async def _read(self, row: Open) -> Inbound | Reply | None:
        """The row's update, or None after marking it bad or done."""
        try:
            payload = json.loads(row.payload)
            got = await self.reader.read(payload)
        except (Unreadable, ValueError) as exc:
            cause = exc.__cause__ or exc
            error = f"{type(cause).__name__}: {cause}"[:300]
            logger.warning(
                "inbox %s: row %s unreadable, skipped: %s",
                self.channel,
                row.id,
                type(cause).__name__,
            )
            async with self.db.write() as tx:
                await store.mark_bad(tx, row.id, error, self.clock.now())
            return None
        if got is None:
            self._done(row.id)
        return got

    # ---- done marks, written together -------------------------------------------------------

    def _done(self, row_id: int) -> None:
        self._finished.append(row_id)
        if len(self._recent) == RECENT:
            self._settled.discard(self._recent[0])
        self._recent.append(row_id)
        self._settled.add(row_id)
        self._finish_wanted.set()

    async def _mark_loop(self) -> None:
        while True:
            await self._finish_wanted.wait()
            try:
                await self._write_done()
            except Exception:  # the database is busy or gone: keep the marks, try again
                logger.exception("inbox %s: could not write done marks; retrying", self.channel)
                await asyncio.sleep(0.5)

    async def _write_done(self) -> None:
        self._finish_wanted.clear()
        ids, self._finished = self._finished, []
        if not ids:
            return
        self._marking = True
        try:
            async with self.db.single() as tx:  # PostgreSQL: one statement, no BEGIN/COMMIT
                await store.mark_done(tx, ids)
        except BaseException:
            self._finished[:0] = ids
            self._finish_wanted.set()
            raise
        finally:
            self._marking = False


@contextlib.asynccontextmanager
async def nothing_shown(chat_id: str) -> AsyncIterator[None]:
    """For channels that show nothing while the core works."""
    yield
