"""The per-user flood limit: at most N messages in a sliding window are handled.

The first message over the limit gets one "slow down" answer; the rest of the burst is
dropped from handling (still stored, so a replay stays a no-op) until the user's window has
room again. The verdict is taken when a message is received, so a flooder's backlog never
reaches the workers.
"""

from __future__ import annotations

import logging
from collections import deque
from enum import StrEnum

logger = logging.getLogger(__name__)


class Verdict(StrEnum):
    HANDLE = "handle"
    NOTICE = "notice"  # over the limit for the first time in this burst: answer once
    DROP = "drop"


class _User:
    __slots__ = ("dropped", "times", "warned")

    def __init__(self) -> None:
        self.times: deque[float] = deque()
        self.dropped = 0
        self.warned = False


class FloodLimit:
    """`limit` messages per `window_s` seconds per user key (0: no limit)."""

    def __init__(self, limit: int, window_s: float, channel: str = "") -> None:
        self.limit = limit
        self.window_s = window_s
        self.channel = channel
        self._users: dict[str, _User] = {}

    def check(self, user: str, now: float) -> Verdict:
        """The verdict on one more message from `user` at monotonic time `now`."""
        if self.limit <= 0 or not user:
            return Verdict.HANDLE
        state = self._users.get(user)
        if state is None:
            self._forget_quiet(now)
            state = self._users[user] = _User()
        while state.times and state.times[0] <= now - self.window_s:
            state.times.popleft()
        if len(state.times) < self.limit:
            state.times.append(now)
            if state.warned:
                logger.warning(
                    "flood: %s user %s burst over; %s messages were not handled",
                    self.channel,
                    user,
                    state.dropped,
                )
                state.warned, state.dropped = False, 0
            return Verdict.HANDLE
        if not state.warned:
            state.warned = True
            logger.warning(
                "flood: %s user %s sent over %s messages in %.0f s; the rest of the burst "
                "is not handled",
                self.channel,
                user,
                self.limit,
                self.window_s,
            )
            return Verdict.NOTICE
        state.dropped += 1
        return Verdict.DROP

    def _forget_quiet(self, now: float) -> None:
        """Drop users with nothing in their window, now and then, so memory stays small."""
        if len(self._users) < 4096:
            return
        self._users = {
            key: state
            for key, state in self._users.items()
            if state.warned or (state.times and state.times[-1] > now - self.window_s)
        }
