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

Exactly once, and the crash window. A row is claimed (`sending`) in one transaction before
it is sent, and marked `sent` right after the platform accepts it: the marker commits as
soon as the previous commit ends, so under load it batches and when quiet it writes within
a millisecond or two. Only one process sends from a database at a time (a lease with a
heartbeat; a dead holder on this host is taken over at once, a silent one after
LEASE_STALE). A process that dies leaves its claims in `sending`; the next holder puts them
back to pending and sends them. Rows claimed but still waiting for their turn were never
sent, so that is exact. The one case that is not: a row the platform accepted in the last
millisecond or two before the process died, before its `sent` was committed. We chose to
send that one again rather than risk losing it, because no platform offers a way to ask
"did this arrive?" and a repeated reminder does less harm than a missing one. The window
is the time between the platform's answer and our commit, for the few rows in flight: a
kill -9 lands in it rarely, and then repeats at most the rows in flight at that moment.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta

from bot.config import Settings
from bot.core.clock import Clock
from bot.services.delivery import Channel, SendResult, SendStatus
from bot.services.quiet_hours import QuietHours
from bot.services.sender.lane import Lane
from bot.services.sender.lease import (
    HEARTBEAT,
    LEASE_NAME,
    LEASE_STALE,
    owner_is_dead,
    process_owner,
)
from bot.services.sender.outcomes import BACKOFF_BASE_S, Marker, backoff
from bot.storage import outbox as store
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

IDLE_POLL_S = 5.0  # look for rows falling due at least this often


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
        self.lanes: dict[str, Lane] = {}
        self._channels: dict[str, Channel] = {c.name: c for c in channels}
        self.marker = Marker(db, clock, self.wake)
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
        if self.holding_lease:
            async with self.db.write() as tx:
                await store.release(tx, [i for lane in lanes for i in lane.claimed_ids()])
                await store.drop_lease(tx, LEASE_NAME, self.owner)
            self.holding_lease = False
        self.lanes.clear()
        self._tasks.clear()

    async def _run(self) -> None:
        while True:
            if await self._take_lease():
                break
            await asyncio.sleep(HEARTBEAT.total_seconds())  # stand by; the holder may die
        self.lanes = {name: Lane(self, channel) for name, channel in self._channels.items()}
        self._tasks = [
            asyncio.create_task(lane.run(), name=f"outbox-{name}")
            for name, lane in self.lanes.items()
        ]
        self._tasks.append(asyncio.create_task(self.marker.loop(), name="outbox-marker"))
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="outbox-lease"))
        await asyncio.gather(*self._tasks)

    async def _take_lease(self) -> bool:
        now = self.clock.now()
        async with self.db.write() as tx:
            taken = await store.take_lease(
                tx, LEASE_NAME, self.owner, now, now - LEASE_STALE, owner_is_dead
            )
            if taken:
                pace = timedelta(seconds=self.settings.outbox_per_chat_interval_s)
                untried, unknown = await store.reclaim_abandoned(tx, now, now + pace)
        if not taken:
            logger.info("outbox: another process is sending; standing by")
            return False
        self.holding_lease = True
        logger.info(
            "outbox: sending (from a previous run: %s rows never tried, %s in flight, sent again)",
            untried,
            unknown,
        )
        return True

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            async with self.db.write() as tx:
                kept = await store.renew_lease(tx, LEASE_NAME, self.owner, self.clock.now())
            if not kept:
                logger.error("outbox: lease lost to another process; stopping")
                self.holding_lease = False
                for task in self._tasks:
                    if task is not asyncio.current_task():
                        task.cancel()
                return

    # ---- what lanes ask of the database ------------------------------------------------------

    async def claim(self, channel: str, limit: int) -> list[OutboxMessage]:
        """Take due rows to send; none during quiet hours, whoever queued them."""
        now = self.clock.now()
        if self.quiet.contains(now):
            return []
        async with self.db.write() as tx:
            return await store.claim_due(tx, channel, now, limit)

    async def seconds_until_due(self, channel: str) -> float | None:
        async with self.db.read() as tx:
            due = await store.next_due_at(tx, [channel])
        if due is None:
            return None
        now = self.clock.now()
        return (self.quiet.next_allowed(max(due, now)) - now).total_seconds()

    async def record(self, lane: Lane, message: OutboxMessage, result: SendResult) -> None:
        """File one outcome and wait until it is committed (a 429 goes back into the lane)."""
        status, out = result.status, self.marker.filed_one()
        if status is SendStatus.SENT:
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
