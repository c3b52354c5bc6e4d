"""Booking: sessions at collection points, slots, bookings, the waiting list, home visits.

The modules: rules (words and limits), sessions (open/move/cancel, finding them),
reservations (book/cancel/reschedule), waitlist (offers with a time limit), checkin, and
home_visits. Every function takes the caller's open transaction.
"""

from bot.services.booking.rules import BookError, Outcome, Service, SessionError
from bot.services.booking.sessions import next_open_slots
from bot.services.booking.waitlist import expire_offers
from bot.storage.booking import Booking, Session, Slot  # the records the flows show

__all__ = [
    "BookError",
    "Booking",
    "Outcome",
    "Service",
    "Session",
    "SessionError",
    "Slot",
    "expire_offers",
    "next_open_slots",
]
