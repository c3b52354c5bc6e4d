"""Quiet hours (local time, default 21:00–05:00): nothing proactive is sent inside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from bot.core.i18n import LOCAL_TZ, to_local


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` (UTC) falls in the quiet hours, local time."""
        clock = to_local(moment).time()
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_allowed(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (UTC)."""
        if not self.contains(moment):
            return moment
        local = to_local(moment)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, tzinfo=LOCAL_TZ).astimezone(UTC)
