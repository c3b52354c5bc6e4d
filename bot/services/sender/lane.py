"""One channel's lane: its claimed rows, pacing (a global rate, one message per chat per
interval), 429 pauses, and the sends in flight."""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections import deque
from typing import Protocol

from bot.config import Settings
from bot.core.reply import Choice, Reply
from bot.services.delivery import Channel, SendResult, SendStatus
from bot.services.sender.outcomes import Marker
from bot.storage.outbox import OutboxMessage

logger = logging.getLogger(__name__)

MIN_CHECK_S = 0.01  # wake-ups closer together than this share one look at the table
DENSE_429_SHARE = 0.2
MAX_INFLIGHT = 64
BUSY_CHATS_WAIT_S = 0.2  # rows due whose chats are busy elsewhere: look again after this
INFLIGHT_SHARE_S = 0.1  # sends in flight at once: this many seconds' worth of the rate


class Sender(Protocol):
    """What a lane asks of the sender that runs it (runner.py)."""

    settings: Settings
    marker: Marker
    idle_poll_s: float

    async def claim(self, channel: str, limit: int) -> list[OutboxMessage]: ...

    async def seconds_until_due(self, channel: str) -> float | None: ...

    async def record(self, lane: Lane, message: OutboxMessage, result: SendResult) -> None: ...


class Lane:
    """One channel's queue, pacing and in-flight sends."""

    def __init__(self, sender: Sender, channel: Channel) -> None:
        settings = sender.settings
        self.sender = sender
        self.channel = channel
        self.name = channel.name
        self.full_rate = float(getattr(channel, "rate_per_s", 0) or settings.outbox_rate_per_s)
        self.per_chat_s = settings.outbox_per_chat_interval_s
        self.share(1)
        self.tokens = 1.0
        self.stamp = time.monotonic()
        self.heap: list[tuple[float, int, OutboxMessage]] = []
        self.seq = itertools.count()
        self.chat_free_at: dict[str, float] = {}
        self.last_request_at: dict[str, float] = {}  # when the last request to a chat went out
        self.paused_until = 0.0
        self.recent: deque[tuple[float, bool]] = deque()  # (when, was it a 429)
        self.inflight: set[asyncio.Task[None]] = set()
        # A slot is held from the in-flight mark until the outcome is committed: a crash can
        # leave at most this many rows whose outcome is unknown (and so sent again).
        self.slots = asyncio.Semaphore(
            min(MAX_INFLIGHT, max(4, int(self.rate * INFLIGHT_SHARE_S)))
        )
        self.woken = asyncio.Event()
        self.woken.set()
        self.last_check = 0.0
        self.nothing_due = False

    def share(self, workers: int) -> None:
        """Send this worker's share of the channel's rate (the workers split it evenly)."""
        self.rate = self.full_rate / max(1, workers)
        self.batch = max(20, int(self.rate * 2))
        self.capacity = max(1.0, min(self.rate * 0.1, 5.0))  # a small burst absorbs jitter
        if hasattr(self, "tokens"):
            self.tokens = min(self.tokens, self.capacity)

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
            if self.nothing_due:  # due rows, but their chats are another worker's for now
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.woken.wait(), BUSY_CHATS_WAIT_S)
            self.nothing_due = False
            return
        poll = self.sender.idle_poll_s
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.woken.wait(), min(wait or poll, poll))
        self.nothing_due = False

    def _forget_free_chats(self, now: float) -> None:
        if len(self.chat_free_at) > 4 * self.batch:
            self.chat_free_at = {c: t for c, t in self.chat_free_at.items() if t > now}
        if len(self.last_request_at) > 4 * self.batch:
            since = now - self.per_chat_s
            self.last_request_at = {c: t for c, t in self.last_request_at.items() if t > since}

    # ---- one send ---------------------------------------------------------------------------

    async def _send(self, message: OutboxMessage) -> None:
        try:
            try:
                if not message.text.strip():
                    result = SendResult(SendStatus.FAILED, error="empty text")
                elif not await self.sender.marker.take_off(message.id):
                    result = SendResult(SendStatus.RETRY, error="not marked in flight")
                else:
                    await self._keep_chat_interval(message.chat_id)
                    result = await self.channel.deliver(message.chat_id, _reply_of(message))
            except Exception as exc:  # a bug in a channel must not lose the row
                logger.exception("outbox %s: deliver raised for row %s", self.name, message.id)
                result = SendResult(SendStatus.RETRY, error=type(exc).__name__)
            self._note(result)
            await self.sender.record(self, message, result)
        finally:
            self.slots.release()

    async def _keep_chat_interval(self, chat: str) -> None:
        """Count the chat's interval from its last request, not from when rows were picked.

        A slow in-flight commit for one message and a quick one for the next could otherwise
        bring two requests to one chat closer than the interval.
        """
        wait = self.last_request_at.get(chat, -self.per_chat_s) + self.per_chat_s
        wait -= time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        now = time.monotonic()
        self.last_request_at[chat] = now
        self.chat_free_at[chat] = max(self.chat_free_at.get(chat, 0.0), now + self.per_chat_s)

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
