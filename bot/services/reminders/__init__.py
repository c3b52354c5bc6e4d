"""Reminders: return-to-shore dates, booking reminders and the team leads' digest.

The reminders table is the source of truth; reminders/ (the APScheduler side) only decides
when to call `run_due`. Every function takes the caller's open transaction.
"""

from bot.services.reminders.digest import arrivals_today, send_digests
from bot.services.reminders.firing import Fired, outbox_key, run_due
from bot.services.reminders.planning import (
    BoatError,
    BoatSet,
    Kind,
    booking_changed,
    find_boat,
    normalize_registration,
    set_away,
    set_boat_return,
)
from bot.services.reminders.policy import Policy, at_local, default_policy
from bot.storage.reminders import next_due_at

__all__ = [
    "BoatError",
    "BoatSet",
    "Fired",
    "Kind",
    "Policy",
    "arrivals_today",
    "at_local",
    "booking_changed",
    "default_policy",
    "find_boat",
    "next_due_at",
    "normalize_registration",
    "outbox_key",
    "run_due",
    "send_digests",
    "set_away",
    "set_boat_return",
]
