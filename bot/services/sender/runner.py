"""The outbox sender: drains due rows to their channels, under each channel's limits.

One lane per channel (lane.py) claims due rows in batches, paces them (a global rate per
channel and one message per chat per interval), sends up to the rate concurrently, and hands
each outcome to one marker task (outcomes.py), which writes every outcome gathered so far in
one transaction.

Quiet hours (TROLY06_QUIET_START/END): nothing is claimed inside them, whoever queued the
row, so a notice queued at night or a long broadcast crossing 21:00 waits for the morning;
the few rows already claimed (about two seconds' worth) still go.

Outcomes: sent; 429 (the row waits `retry_after` and so does its chat; when 429s become
dense, over a fifth of the last second's sends, the whole channel pauses for `retry_after`);
a transient error (retried with exponential backoff, given up after `outbox_max_attempts`
claims); 403 (row `blocked`, chat marked unreachable until the user writes again); a
permanent error (row `failed`). A sent message with choices makes them the user's current
numbered list.

Exactly once, and the crash window. A row is claimed (`sending`, naming its worker) in one
transaction; just before its request goes out it is committed `inflight` (the sends starting
together share one commit), and `sent` right after the platform accepts it; the send keeps
its slot until that is committed, so at most the lane's slots are ever unknown.

Several workers (`troly06 run --workers N`) all send: each has its own lease row with a
heartbeat, claims take turns and skip rows locked by others (FOR UPDATE SKIP LOCKED on
PostgreSQL), a chat held by one worker (a row claimed or in flight there, or a message sent
within the chat's interval) is left to it by the others, and each sends its share of the
channel's rate (the rate divided by the workers alive). A worker that dies (its process gone
on this host, or silent for LEASE_STALE) is dropped by the others at their next heartbeat:
its `sending` rows go back as they were (never tried: exact); of its `inflight` ones, those
its sent journal (journal.py, written the instant a send is accepted) names are settled as
sent, and the rest, whose outcome is unknown, are sent again after a chat's interval. We
chose to send those again rather than risk losing them, because no platform offers a way to
ask "did this arrive?" and a repeated reminder does less harm than a missing one. What is
left is a request the platform accepted whose answer had not reached us: a few milliseconds.
The journals are local files, so a worker dead on another host is settled only when a worker
on its host starts again; until then its rows are sent again as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import Settings
from bot.core.clock import Clock
from bot.services.delivery import Channel, SendResult, SendStatus
from bot.services.quiet_hours import QuietHours
from bot.services.sender.journal import SentJournal, journal_dir
from bot.services.sender.lane import Lane
from bot.services.sender.lease import (
    HEARTBEAT,
    LEASE_STALE,
    lease_name,
    owner_is_dead,
    process_owner,
)
from bot.services.sender.outcomes import BACKOFF_BASE_S, Marker, backoff, set_menus
from bot.storage import outbox as store
from bot.storage import outbox_leases as leases
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

IDLE_POLL_S = 5.0  # look for rows falling due at least this often


@dataclass
class Abandoned:
    """What dead workers left: rows never tried, in flight (unknown, sent again), in flight
    but accepted by the platform (settled as sent), and the journal files read."""

    untried: int = 0
    unknown: int = 0
    settled: int = 0
    files: list[Path] = field(default_factory=list)


class Sender:
    """Sends the outbox. `start()` it once per process; `wake()` it after a commit."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        channels: Iterable[Channel] = (),
        *,
        backoff_base_s: float = BACKOFF_BASE_S,
        idle_poll_s: float = IDLE_POLL_S,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.quiet = QuietHours(settings.quiet_start, settings.quiet_end)
        self.backoff_base_s = backoff_base_s
        self.idle_poll_s = idle_poll_s
        self.owner = process_owner()
        self.lease_name = lease_name()
        self.workers = 1  # sending workers alive (this one included), seen at the heartbeat
        self.lanes: dict[str, Lane] = {}
        self._channels: dict[str, Channel] = {c.name: c for c in channels}
        self.journal = SentJournal(
            journal_dir(settings), self.owner, fsync=settings.outbox_journal_fsync
        )
        self.marker = Marker(db, clock, self.wake, self.journal)
        self._tasks: list[asyncio.Task[None]] = []
        self._main: asyncio.Task[None] | None = None
        self.holding_lease = False

    def add_channel(self, channel: Channel) -> None:
        """Send this channel's rows too (before `start`)."""
        self._channels[channel.name] = channel

    @property
    def channels(self) -> Mapping[str, Channel]:
        return self._channels

    def wake(self) -> None:
        """Look for new rows now (the dispatcher calls this after every commit)."""
        for lane in self.lanes.values():
            lane.woken.set()

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self._main = asyncio.create_task(self._run(), name="outbox-sender")

    async def stop(self, grace_s: float = 10.0) -> None:
        """Stop claiming, let in-flight sends finish, write their outcomes, release the rest."""
        if self._main is not None:
            self._main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._main
        lanes = list(self.lanes.values())
        for task in self._tasks:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._tasks, return_exceptions=True)
        inflight = [t for lane in lanes for t in lane.inflight]
        if inflight:  # they wait for their marks and outcomes to be written: keep writing
            writer = asyncio.create_task(self.marker.loop(), name="outbox-marker-last")
            await asyncio.wait(inflight, timeout=grace_s)  # unfinished ones stay `inflight`
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await writer
        await self.marker.write()
        self.journal.close()  # every journaled outcome is committed now
        if self.holding_lease:
            async with self.db.write() as tx:
                await store.release(tx, [i for lane in lanes for i in lane.claimed_ids()])
                await leases.leave(tx, self.lease_name, self.owner)
            self.holding_lease = False
        self.lanes.clear()
        self._tasks.clear()

    async def _run(self) -> None:
        await self._join()
        self.lanes = {name: Lane(self, channel) for name, channel in self._channels.items()}
        self._share_rate()
        self._tasks = [
            asyncio.create_task(lane.run(), name=f"outbox-{name}")
            for name, lane in self.lanes.items()
        ]
        self._tasks.append(asyncio.create_task(self.marker.loop(), name="outbox-marker"))
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="outbox-lease"))
        await asyncio.gather(*self._tasks)

    async def _join(self) -> None:
        """Become one of the sending workers, and take back what dead ones left."""
        now = self.clock.now()
        async with self.db.write() as tx:
            await leases.join(tx, self.lease_name, self.owner, now)
            left = await self._take_back(tx, now)
        self.journal.remove(left.files)
        self.holding_lease = True
        logger.info(
            "outbox: sending, %s worker(s) (left by dead ones: %s rows never tried, "
            "%s in flight: %s of them accepted by the platform, the rest sent again)",
            self.workers,
            left.untried,
            left.unknown + left.settled,
            left.settled,
        )

    async def _take_back(self, tx: AsyncConnection, now: datetime) -> Abandoned:
        """Rows of dead workers: those their journals name as accepted are sent, the rest
        go back (remove `files` once committed)."""
        live = await leases.live_owners(tx, now - LEASE_STALE, owner_is_dead)
        self.workers = max(1, len(live))
        journaled = self.journal.left_by(live)
        settled = await store.settle_accepted(tx, journaled.sent, live)
        await set_menus(tx, settled, now)
        pace = timedelta(seconds=self.settings.outbox_per_chat_interval_s)
        untried, unknown = await store.reclaim_abandoned(tx, live, now + pace)
        return Abandoned(untried, unknown, len(settled), journaled.files)

    def _share_rate(self) -> None:
        """Each worker sends its share of a channel's rate, so together they keep the limit."""
        for lane in self.lanes.values():
            lane.share(self.workers)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            now = self.clock.now()
            left = Abandoned()
            async with self.db.write() as tx:
                kept = await leases.renew(tx, self.lease_name, self.owner, now)
                if kept:
                    left = await self._take_back(tx, now)
            self.journal.remove(left.files)
            if not kept:
                logger.error("outbox: taken for dead by the other workers; stopping")
                self.holding_lease = False
                for task in self._tasks:
                    if task is not asyncio.current_task():
                        task.cancel()
                return
            self._share_rate()
            if left.untried or left.unknown or left.settled:
                logger.warning(
                    "outbox: a worker died: %s rows never tried, %s in flight (sent again), "
                    "%s accepted by the platform (settled as sent)",
                    left.untried,
                    left.unknown,
                    left.settled,
                )
                self.wake()

    # ---- what lanes ask of the database ------------------------------------------------------

    async def claim(self, channel: str, limit: int) -> list[OutboxMessage]:
        """Take due rows to send; none during quiet hours, whoever queued them."""
        now = self.clock.now()
        if self.quiet.contains(now):
            return []
        free_before = now - timedelta(seconds=self.settings.outbox_per_chat_interval_s)
        async with self.db.write() as tx:
            workers = await leases.count_live(tx, now - LEASE_STALE)
            claimed = await store.claim_due(
                tx, channel, now, limit, owner=self.owner, chat_free_before=free_before
            )
        if max(1, workers) != self.workers:  # a worker joined or left: share the rate anew
            self.workers = max(1, workers)
            self._share_rate()
        return claimed

    async def seconds_until_due(self, channel: str) -> float | None:
        async with self.db.read() as tx:
            due = await store.next_due_at(tx, [channel])
        if due is None:
            return None
        now = self.clock.now()
        return (self.quiet.next_allowed(max(due, now)) - now).total_seconds()

    async def record(self, lane: Lane, message: OutboxMessage, result: SendResult) -> None:
        """File one outcome and wait until it is committed (a 429 goes back into the lane).

        An accepted send is journaled first, in the same step as its filing (no await between).
        """
        status, out = result.status, self.marker.filed_one()
        if status is SendStatus.SENT:
            self.journal.sent(message.id, self.clock.now())
            out.sent.append(message)
        elif status is SendStatus.RETRY and result.retry_after > 0:
            out.refused.append(message.id)
            lane.hold_back(message, result.retry_after)
        elif status is SendStatus.RETRY and message.attempts < self.settings.outbox_max_attempts:
            delay = timedelta(seconds=backoff(message.attempts, self.backoff_base_s))
            out.retry.append((message.id, self.clock.now() + delay, result.error))
        elif status is SendStatus.BLOCKED:
            out.blocked.append(message)
        else:
            out.failed.append((message.id, result.error or "failed"))
            logger.warning("outbox %s: row %s failed: %s", lane.name, message.id, result.error)
        await self.marker.written()

    # ---- for tests and benchmarks ------------------------------------------------------------

    async def wait_idle(self, within_s: float = 30.0, horizon_s: float = 60.0) -> None:
        """Wait until nothing is queued, in flight, unwritten, or due within `horizon_s`.

        Raises TimeoutError after `within_s`.
        """
        async with asyncio.timeout(within_s):
            while True:
                seen = self.marker.filed
                quiet = not any(lane.busy for lane in self.lanes.values())
                if self.lanes and quiet and self.marker.idle:
                    waits = [await self.seconds_until_due(name) for name in self.lanes]
                    later = all(w is None or w > horizon_s for w in waits)
                    # A whole claim, send and retry can pass during these reads: then look again.
                    if later and await self._none_sending() and self.marker.filed == seen:
                        return
                await asyncio.sleep(0.02)

    async def _none_sending(self) -> bool:
        async with self.db.read() as tx:
            counts = await store.count_by_status(tx)
        return not counts.get(store.SENDING) and not counts.get(store.INFLIGHT)
