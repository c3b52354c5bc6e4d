"""A long job's progress in the chat: a line every 20% where a message cannot be edited, or one
message edited as the share grows (Telegram)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

LINE_STEP = 0.2  # a new line every 20% (Zalo, the console)
EDIT_STEP = 0.1  # one message edited every 10% (Telegram)


class ProgressShown:
    """The `Inbound.progress` of a channel: shows the text each time the share passes a step.

    Safe to call from a worker thread: what to show is handed to the event loop, and shown
    in order, one after the other. A failure to show is logged and changes nothing else.
    """

    def __init__(
        self,
        show: Callable[[str], Awaitable[None]],
        step: float = LINE_STEP,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.show = show
        self.step = step
        self.loop = loop or asyncio.get_running_loop()
        self.steps_shown = 0
        self._last: asyncio.Task[None] | None = None

    def __call__(self, share: float, text: str) -> None:
        """`text` has "{percent}" where the step's share goes (20, 40, ... 100)."""
        steps = int(min(max(share, 0.0), 1.0) / self.step + 1e-9)
        for step in range(self.steps_shown + 1, steps + 1):  # each step passed, in order
            percent = round(step * self.step * 100)
            self.loop.call_soon_threadsafe(self._queue, text.format(percent=percent))
        self.steps_shown = max(self.steps_shown, steps)

    def _queue(self, text: str) -> None:
        self._last = self.loop.create_task(self._show_after(self._last, text))

    async def _show_after(self, previous: asyncio.Task[None] | None, text: str) -> None:
        if previous is not None:
            await asyncio.gather(previous, return_exceptions=True)
        try:
            await self.show(text)
        except Exception as exc:  # progress is a courtesy: never fail the job for it
            logger.info("progress not shown: %s", type(exc).__name__)

    async def settled(self) -> None:
        """Wait until everything asked so far is shown (tests, and before the final answer)."""
        await asyncio.sleep(0)  # let call_soon_threadsafe callbacks run
        if self._last is not None:
            await asyncio.gather(self._last, return_exceptions=True)
