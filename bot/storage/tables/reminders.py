"""Reminders: what is due when, and what was sent; return dates of users not on the roster."""

from sqlalchemy import Column, Date, Index, Integer, String, Table

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

# The source of truth for every timed message. Ids only (no foreign keys): a reminder may
# point at a booking, a person or a user; it is checked again when it falls due.
reminders = Table(
    "reminders",
    metadata,
    Column("id", Integer, primary_key=True),
    # return_day | follow_up | booking_eve | booking_soon
    Column("kind", String(16), nullable=False),
    Column("key", String(80), nullable=False, unique=True),  # what it is about, for de-duplication
    Column("user_id", Integer, nullable=True),  # who gets it (else the user linked to person_id)
    Column("person_id", Integer, nullable=True),
    Column("booking_id", Integer, nullable=True),
    Column("due_at", UtcDateTime, nullable=False),  # already moved out of quiet hours
    # scheduled | sent | cancelled | missed | skipped (nobody to send it to)
    Column("status", String(10), nullable=False, server_default="scheduled"),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime, nullable=True),
    Index("ix_reminders_due", "status", "due_at"),
    Index("ix_reminders_person", "person_id", "status"),
    Index("ix_reminders_user", "user_id", "status"),
    Index("ix_reminders_booking", "booking_id", "status"),
)

# "At sea until" for chat users who are not linked to a roster person (linked people use
# persons.status / persons.away_until).
away_users = Table(
    "away_users",
    metadata,
    Column("user_id", Integer, primary_key=True),
    Column("return_on", Date, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
