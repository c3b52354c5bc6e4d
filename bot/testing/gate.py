"""The fakes' send gate: hold send requests unanswered, then let them go on or drop them."""

from __future__ import annotations

import asyncio


class SendGate:
    """While held, send requests wait unanswered and unrecorded; `release(drop=True)` then
    has the fake refuse them (as if they never arrived: the crash tests kill the bot meanwhile).
    """

    def __init__(self) -> None:
        self._held: asyncio.Event | None = None
        self._drop = False
        self.holding = 0  # send requests held right now

    def hold(self) -> None:
        """From now on, hold send requests without answering or recording them."""
        if self._held is None:
            self._held = asyncio.Event()
            self._drop = False

    def release(self, *, drop: bool = False) -> None:
        """Let held sends go on (recorded as usual), or with `drop` refuse them unrecorded."""
        if self._held is not None:
            self._drop = drop
            self._held.set()
            self._held = None

    async def passes(self) -> bool:
        """Wait while held; False when the request is to be refused unrecorded."""
        if self._held is None:
            return True
        held = self._held
        self.holding += 1
        await held.wait()
        self.holding -= 1
        return not self._drop
