"""The outbox sender: drains due rows to their channels, under each channel's limits.

One lane per channel claims due rows in batches, paces them (a global rate per channel and
one message per chat per interval), sends up to the rate concurrently, and hands each
outcome to one marker task, which writes every outcome gathered so far in one transaction.

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
import heapq
import itertools
import logging
import os
import random
import secrets
import socket
import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psutil

from bot.channels.base import Channel, SendResult, SendStatus
from bot.config import Settings
from bot.core.clock import Clock
from bot.core.reply import Choice, Reply
from bot.services.quiet_hours import QuietHours
from bot.storage import conversations
from bot.storage import outbox as store
from bot.storage.db import Database
from bot.storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

LEASE_NAME = "outbox"
HEARTBEAT = timedelta(seconds=5)
LEASE_STALE = timedelta(seconds=30)
IDLE_POLL_S = 5.0  # look for rows falling due at least this often
MIN_CHECK_S = 0.01  # wake-ups closer together than this share one look at the table
BACKOFF_BASE_S = 2.0
BACKOFF_CAP_S = 600.0
DENSE_429_SHARE = 0.2
MAX_INFLIGHT = 64


def backoff(attempts: int, base_s: float = BACKOFF_BASE_S) -> float:
    """Seconds to wait after the `attempts`-th failure: doubling, capped, with some jitter."""
    delay = min(base_s * 2 ** max(attempts - 1, 0), BACKOFF_CAP_S)
    return delay * random.uniform(0.8, 1.2)


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """Whether the process that holds a lease is gone (only knowable on this host)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        return psutil.Process(int(pid_text)).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@dataclass
class _Outcomes:
    """Outcomes waiting for the marker to write them."""

    sent: list[OutboxMessage] = field(default_factory=list)
    retry: list[tuple[int, datetime, str]] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    blocked: list[OutboxMessage] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sent or self.retry or self.failed or self.blocked)


class _Lane:
    """One channel's queue, pacing and in-flight sends."""

    def __init__(self, sender: Sender, channel: Channel) -> None:
        settings = sender.settings
        self.sender = sender
        self.channel = channel
        self.name = channel.name
        self.rate = float(getattr(channel, "rate_per_s", 0) or settings.outbox_rate_per_s)
        self.per_chat_s = settings.outbox_per_chat_interval_s
        self.batch = max(20, int(self.rate * 2))
        self.capacity = max(1.0, min(self.rate * 0.1, 5.0))  # a small burst absorbs jitter
        self.tokens = 1.0
        self.stamp = time.monotonic()
        self.heap: list[tuple[float, int, OutboxMessage]] = []
        self.seq = itertools.count()
        self.chat_free_at: dict[str, float] = {}
        self.paused_until = 0.0
        self.recent: deque[tuple[float, bool]] = deque()  # (when, was it a 429)
        self.inflight: set[asyncio.Task[None]] = set()
        self.slots = asyncio.Semaphore(min(MAX_INFLIGHT, max(4, int(self.rate))))
        self.woken = asyncio.Event()
        self.woken.set()
        self.last_check = 0.0
        self.nothing_due = False

    # ---- the loop ---------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            if len(self.heap) < self.batch // 2 and (self.woken.is_set() or not self.nothing_due):
                await self._claim()
            if not self.heap:
                await self._idle()
                continue
            wait = self._wait_for_head()
            if wait > 0:
                await self._sleep(wait)
                continue
            _, _, message = heapq.heappop(self.heap)
            await self.slots.acquire()
            self._take_token()
            self.chat_free_at[message.chat_id] = time.monotonic() + self.per_chat_s
            task = asyncio.create_task(self._send(message))
            self.inflight.add(task)
            task.add_done_callback(self.inflight.discard)

    def _wait_for_head(self) -> float:
        """Seconds until the first row may go (0: now); rows whose chat is busy move back."""
        now = time.monotonic()
        while True:
            ready_at, _, message = self.heap[0]
            chat_free = self.chat_free_at.get(message.chat_id, 0.0)
            if chat_free <= ready_at:
                break
            heapq.heapreplace(self.heap, (chat_free, next(self.seq), message))
        start = max(ready_at, self.paused_until, self._token_at(now))
        return max(0.0, start - now)

    def _token_at(self, now: float) -> float:
        """When the next token is there (`now` if it is), after refilling the bucket."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return now if self.tokens >= 1.0 else now + (1.0 - self.tokens) / self.rate

    def _take_token(self) -> None:
        self._token_at(time.monotonic())
        self.tokens -= 1.0

    async def _sleep(self, seconds: float) -> None:
        await asyncio.sleep(min(seconds, 0.5))

    async def _claim(self) -> None:
        since = time.monotonic() - self.last_check
        if since < MIN_CHECK_S:
            await asyncio.sleep(MIN_CHECK_S - since)
        self.woken.clear()
        self.last_check = time.monotonic()
        claimed = await self.sender.claim(self.name, self.batch - len(self.heap))
        now = time.monotonic()
        for message in claimed:
            heapq.heappush(self.heap, (now, next(self.seq), message))
        self.nothing_due = not claimed
        self._forget_free_chats(now)

    async def _idle(self) -> None:
        """Wait for a wake-up, or for the next row to fall due."""
        wait = await self.sender.seconds_until_due(self.name)
        if wait is not None and wait <= 0:
            self.nothing_due = False
            return
        poll = self.sender.idle_poll_s
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.woken.wait(), min(wait or poll, poll))
        self.nothing_due = False

    def _forget_free_chats(self, now: float) -> None:
        if len(self.chat_free_at) > 4 * self.batch:
            self.chat_free_at = {c: t for c, t in self.chat_free_at.items() if t > now}

    # ---- one send ---------------------------------------------------------------------------

    async def _send(self, message: OutboxMessage) -> None:
        try:
            if message.text.strip():
                result = await self.channel.deliver(message.chat_id, _reply_of(message))
            else:
                result = SendResult(SendStatus.FAILED, error="empty text")
        except Exception as exc:  # a bug in a channel must not lose the row
            logger.exception("outbox %s: deliver raised for row %s", self.name, message.id)
            result = SendResult(SendStatus.RETRY, error=type(exc).__name__)
        finally:
            self.slots.release()
        self._note(result)
        self.sender.record(self, message, result)

    def _note(self, result: SendResult) -> None:
        """Keep a second of outcomes; pause the channel when 429s become dense.

        A message refused (429, 403) was not delivered, so it gives its place in the rate back:
        the limits count messages delivered, and blocked users would otherwise slow the rest.
        """
        now = time.monotonic()
        too_many = result.status is SendStatus.RETRY and result.retry_after > 0
        if too_many or result.status is SendStatus.BLOCKED:
            self._token_at(now)
            self.tokens = min(self.capacity, self.tokens + 1.0)
        self.recent.append((now, too_many))
        while self.recent and self.recent[0][0] < now - 1.0:
            self.recent.popleft()
        if not too_many:
            return
        hits = sum(1 for _, hit in self.recent if hit)
        if hits >= 3 and hits >= DENSE_429_SHARE * len(self.recent):
            until = now + result.retry_after
            if until > self.paused_until:
                logger.warning("outbox %s: paused %.0f s (429s)", self.name, result.retry_after)
                self.paused_until = until

    def hold_back(self, message: OutboxMessage, seconds: float) -> None:
        """A 429: the row and its chat wait `seconds`; the row stays claimed."""
        ready = time.monotonic() + seconds
        self.chat_free_at[message.chat_id] = max(self.chat_free_at.get(message.chat_id, 0), ready)
        heapq.heappush(self.heap, (ready, next(self.seq), message))
        self.woken.set()

    def claimed_ids(self) -> list[int]:
        return [message.id for _, _, message in self.heap]

    @property
    def busy(self) -> bool:
        return bool(self.heap or self.inflight)


def _reply_of(message: OutboxMessage) -> Reply:
    return Reply(
        message.text, choices=tuple(Choice(label, "", "", key) for label, key in message.choices)
    )


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
        self.lanes: dict[str, _Lane] = {}
        self._channels: dict[str, Channel] = {c.name: c for c in channels}
        self._outcomes = _Outcomes()
        self._recorded = 0  # outcomes filed so far (wait_idle checks none came meanwhile)
        self._outcomes_ready = asyncio.Event()
        self._writing = False
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
        if inflight:
            await asyncio.wait(inflight, timeout=grace_s)  # unfinished ones stay `sending`
        await self._write_outcomes()
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
        self.lanes = {name: _Lane(self, channel) for name, channel in self._channels.items()}
        self._tasks = [
            asyncio.create_task(lane.run(), name=f"outbox-{name}")
            for name, lane in self.lanes.items()
        ]
        self._tasks.append(asyncio.create_task(self._mark_loop(), name="outbox-marker"))
        self._tasks.append(asyncio.create_task(self._heartbeat(), name="outbox-lease"))
        await asyncio.gather(*self._tasks)

    async def _take_lease(self) -> bool:
        now = self.clock.now()
        async with self.db.write() as tx:
            taken = await store.take_lease(
                tx, LEASE_NAME, self.owner, now, now - LEASE_STALE, owner_is_dead
            )
            if taken:
                resumed = await store.reclaim_abandoned(tx)
        if not taken:
            logger.info("outbox: another process is sending; standing by")
            return False
        self.holding_lease = True
        logger.info("outbox: sending (%s rows resumed from a previous run)", resumed)
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

    def record(self, lane: _Lane, message: OutboxMessage, result: SendResult) -> None:
        """File one outcome for the marker (a 429 goes back into the lane instead)."""
        status, out = result.status, self._outcomes
        self._recorded += 1
        if status is SendStatus.SENT:
            out.sent.append(message)
        elif status is SendStatus.RETRY and result.retry_after > 0:
            lane.hold_back(message, result.retry_after)
            return
        elif status is SendStatus.RETRY and message.attempts < self.settings.outbox_max_attempts:
            delay = timedelta(seconds=backoff(message.attempts, self.backoff_base_s))
            out.retry.append((message.id, self.clock.now() + delay, result.error))
        elif status is SendStatus.BLOCKED:
            out.blocked.append(message)
        else:
            out.failed.append((message.id, result.error or "failed"))
            logger.warning("outbox %s: row %s failed: %s", lane.name, message.id, result.error)
        self._outcomes_ready.set()

    async def _mark_loop(self) -> None:
        while True:
            await self._outcomes_ready.wait()
            try:
                await self._write_outcomes()
            except Exception:  # the database is busy or gone: keep the outcomes, try again
                logger.exception("outbox: could not write outcomes; retrying")
                await asyncio.sleep(0.5)

    async def _write_outcomes(self) -> None:
        self._outcomes_ready.clear()
        batch, self._outcomes = self._outcomes, _Outcomes()
        if not batch:
            return
        self._writing = True
        try:
            await self._apply(batch)
        except BaseException:
            self._merge_back(batch)
            raise
        finally:
            self._writing = False
        retried = bool(batch.retry)
        if retried:
            self.wake()

    def _merge_back(self, batch: _Outcomes) -> None:
        out = self._outcomes
        out.sent[:0], out.retry[:0] = batch.sent, batch.retry
        out.failed[:0], out.blocked[:0] = batch.failed, batch.blocked
        self._outcomes_ready.set()

    async def _apply(self, batch: _Outcomes) -> None:
        now = self.clock.now()
        async with self.db.write() as tx:
            await store.mark_sent(tx, [m.id for m in batch.sent], now)
            for message in batch.sent:
                if message.choices:
                    keys = [key for _, key in message.choices]
                    await conversations.set_menu(tx, message.identity_id, keys, now)
            await store.mark_retry(tx, batch.retry)
            await store.mark_failed(tx, batch.failed)
            await store.mark_blocked(
                tx, [m.id for m in batch.blocked], (m.identity_id for m in batch.blocked), now
            )

    # ---- for tests and benchmarks ------------------------------------------------------------

    async def wait_idle(self, within_s: float = 30.0, horizon_s: float = 60.0) -> None:
        """Wait until nothing is queued, in flight, unwritten, or due within `horizon_s`.

        Raises TimeoutError after `within_s`.
        """
        async with asyncio.timeout(within_s):
            while True:
                seen = self._recorded
                quiet = not any(lane.busy for lane in self.lanes.values())
                if self.lanes and quiet and not self._outcomes and not self._writing:
                    waits = [await self.seconds_until_due(name) for name in self.lanes]
                    later = all(w is None or w > horizon_s for w in waits)
                    # A whole claim, send and retry can pass during these reads: then look again.
                    if later and await self._none_sending() and self._recorded == seen:
                        return
                await asyncio.sleep(0.02)

    async def _none_sending(self) -> bool:
        async with self.db.read() as tx:
            return (await store.count_by_status(tx)).get(store.SENDING, 0) == 0
