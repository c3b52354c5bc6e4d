"""When reminders go out: the send hour, follow-up days, booking reminder times, quiet hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from bot.config import Settings
from bot.core.i18n import LOCAL_TZ
from bot.services.quiet_hours import QuietHours


@dataclass(frozen=True)
class Policy:
    remind_at: time = time(7, 0)
    followup_days: tuple[int, ...] = (2, 5)
    eve_at: time = time(19, 0)
    before_slot: timedelta = timedelta(hours=2)
    quiet_start: time = time(21, 0)
    quiet_end: time = time(5, 0)
    grace: timedelta = timedelta(hours=12)

    @classmethod
    def from_settings(cls, settings: Settings) -> Policy:
        return cls(
            remind_at=settings.remind_at,
            followup_days=tuple(settings.remind_followup_days),
            eve_at=settings.booking_eve_at,
            before_slot=timedelta(hours=settings.booking_before_h),
            quiet_start=settings.quiet_start,
            quiet_end=settings.quiet_end,
            grace=timedelta(seconds=settings.reminder_grace_s),
        )

    @property
    def quiet(self) -> QuietHours:
        return QuietHours(self.quiet_start, self.quiet_end)

    def is_quiet(self, moment: datetime) -> bool:
        """Whether `moment` (UTC) falls in the quiet hours, local time."""
        return self.quiet.contains(moment)

    def out_of_quiet(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in."""
        return self.quiet.next_allowed(moment)

    def send_time(self, moment: datetime, now: datetime) -> datetime:
        """When a reminder meant for `moment` goes out: not before now, not in quiet hours."""
        return self.out_of_quiet(max(moment, now))


def at_local(day: date, clock: time) -> datetime:
    """A local day and time as an aware UTC datetime."""
    return datetime.combine(day, clock, tzinfo=LOCAL_TZ).astimezone(UTC)


@cache
def default_policy() -> Policy:
    """The policy from the environment's settings (for callers that have no settings)."""
    return Policy.from_settings(Settings())
