"""The marker: one task writes what the lanes file, in as few transactions as the database
allows (it commits as soon as the previous commit ends, so under load it batches and when
quiet it writes within a millisecond or two).

What it writes, in one transaction per round: rows whose request is about to go out
(`inflight`: after a crash only they may have arrived), rows a 429 refused (back to
`sending`: known not to have arrived), and the outcomes (sent, retry, failed, blocked). A
lane waits for the round that carries its row's outcome before it frees the send's slot, so
at any instant at most the lane's slots are rows whose outcome a crash would leave unknown,
and of those the sent journal (journal.py) names the ones the platform had accepted. Once a
round is committed, the journal files it covered are removed."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.clock import Clock
from bot.services.sender.journal import SentJournal
from bot.storage import conversations
from bot.storage import outbox as store
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0


def backoff(attempts: int, base_s: float = BACKOFF_BASE_S) -> float:
    """Seconds to wait after the `attempts`-th failure: doubling, capped, with some jitter."""
    delay = min(base_s * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    return delay * random.uniform(0.8, 1.2)


async def set_menus(tx: AsyncConnection, sent: list[OutboxMessage], now: datetime) -> None:
    """A sent message with choices makes them its user's current numbered list."""
    for message in sent:
        if message.choices:
            keys = [key for _, key in message.choices]
            await conversations.set_menu(tx, message.identity_id, keys, now)


@dataclass
class Outcomes:
    """Outcomes waiting for the marker to write them."""

    sent: list[OutboxMessage] = field(default_factory=list)
    retry: list[tuple[int, datetime, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    blocked: list[OutboxMessage] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)  # a 429: not arrived, waits in the lane
    written: list[asyncio.Future[None]] = field(default_factory=list)  # lanes waiting on these

    def __bool__(self) -> bool:
        return bool(self.sent or self.retry or self.failed or self.blocked or self.refused)

    def put_back(self, batch: Outcomes) -> None:
        """A batch that could not be written goes first again."""
        self.sent[:0], self.retry[:0] = batch.sent, batch.retry
        self.failed[:0], self.blocked[:0] = batch.failed, batch.blocked
        self.refused[:0], self.written[:0] = batch.refused, batch.written


class Marker:
    """Writes filed outcomes; `after_retry` is called when rows went back to pending."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        after_retry: Callable[[], None],
        journal: SentJournal | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.after_retry = after_retry
        self.journal = journal or SentJournal(None, "")
        self.pending = Outcomes()
        self.taking_off: list[tuple[int, asyncio.Future[bool]]] = []
        self.filed = 0  # outcomes filed so far (wait_idle checks none came meanwhile)
        self.ready = asyncio.Event()
        self.writing = False

    def filed_one(self) -> Outcomes:
        """Where to put one outcome (the caller then calls `written`)."""
        self.filed += 1
        return self.pending

    def written(self) -> asyncio.Future[None]:
        """A future done once what was filed so far is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.written.append(done)
        self.ready.set()
        return done

    async def take_off(self, row_id: int) -> bool:
        """Commit that this row's request goes out now (with the rows starting with it).

        False: it could not be written, so the request must not go out now.
        """
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self.taking_off.append((row_id, done))
        self.ready.set()
        return await done

    @property
    def idle(self) -> bool:
        return not self.pending and not self.taking_off and not self.writing

    async def loop(self) -> None:
        while True:
            await self.ready.wait()
            try:
                await self.write()
            except Exception:  # the database is busy or gone: keep the outcomes, try again
                logger.exception("outbox: could not write outcomes; retrying")
                await asyncio.sleep(0.5)

    async def write(self) -> None:
        self.ready.clear()
        batch, self.pending = self.pending, Outcomes()
        taking_off, self.taking_off = self.taking_off, []
        journaled = self.journal.checkpoint()  # every journal line so far is in this batch
        if not batch and not taking_off:
            for done in batch.written:
                done.done() or done.set_result(None)
            return
        self.writing = True
        try:
            await self._apply(batch, [row_id for row_id, _ in taking_off])
        except BaseException:
            self.pending.put_back(batch)
            self.ready.set()
            for _, going in taking_off:  # not marked: those requests do not go out now
                going.done() or going.set_result(False)
            raise
        finally:
            self.writing = False
        self.journal.committed(journaled)
        for _, going in taking_off:
            going.done() or going.set_result(True)
        for done in batch.written:
            done.done() or done.set_result(None)
        if batch.retry:
            self.after_retry()

    async def _apply(self, batch: Outcomes, taking_off: list[int]) -> None:
        now = self.clock.now()
        async with self.db.write() as tx:
            await store.mark_inflight(tx, taking_off)
            await store.mark_refused(tx, batch.refused)
            await store.mark_sent(tx, [m.id for m in batch.sent], now)
            await set_menus(tx, batch.sent, now)
            await store.mark_retry(tx, batch.retry)
            await store.mark_failed(tx, batch.failed)
            await store.mark_blocked(
                tx, [m.id for m in batch.blocked], (m.identity_id for m in batch.blocked), now
            )
