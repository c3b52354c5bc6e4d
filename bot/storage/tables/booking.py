"""Booking: collection points, sessions and their slots, bookings, waitlist, home visits."""

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

collection_points = Table(
    "collection_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("commune_id", ForeignKey("communes.id"), nullable=False),
    Column("village_id", ForeignKey("villages.id"), nullable=True),  # None: serves the commune
    Column("name", String(120), nullable=False),
    Column("address", String(200), nullable=False, server_default=""),
    Column("is_island", Boolean, nullable=False, server_default="0"),
    Index("ux_points_name", "commune_id", "name", unique=True),
)

booking_sessions = Table(
    "booking_sessions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("point_id", ForeignKey("collection_points.id"), nullable=False),
    Column("day", Date, nullable=False),  # local date, for listing
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("machines", Integer, nullable=False),
    Column("minutes_per_person", Integer, nullable=False),
    Column("slot_minutes", Integer, nullable=False),
    Column("is_mobile", Boolean, nullable=False, server_default="0"),
    Column("cutoff_at", UtcDateTime, nullable=False),  # no new booking after this
    Column("status", String(10), nullable=False, server_default="open"),  # open | cancelled
    Column("created_by", ForeignKey("users.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_sessions_start", "status", "starts_at"),
)

booking_slots = Table(
    "booking_slots",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("booking_sessions.id"), nullable=False),
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("capacity", Integer, nullable=False),
    # places taken by confirmed bookings and by waitlist offers still open
    Column("taken", Integer, nullable=False, server_default="0"),
    Index("ix_slots_session", "session_id", "starts_at"),
)

bookings = Table(
    "bookings",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("slot_id", ForeignKey("booking_slots.id"), nullable=False),
    Column("session_id", ForeignKey("booking_sessions.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),  # who booked
    Column("service", String(16), nullable=False),  # id_card | eid_level2 | both | activation_help
    Column("people", Integer, nullable=False),
    # confirmed | cancelled | arrived | no_show
    Column("status", String(10), nullable=False, server_default="confirmed"),
    Column("outcome", String(16), nullable=True),  # what was done at check-in
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("checked_in_by", ForeignKey("users.id"), nullable=True),
    # added by 0003b_booking_guests: names typed for people not on the roster, ", "-separated
    Column("guest_names", String(500), nullable=False, server_default=""),
    Index("ix_bookings_user", "user_id", "status"),
    Index("ix_bookings_session", "session_id", "status"),
)

# Who a booking is for, when the booker is linked to the roster: one row per person.
booking_members = Table(
    "booking_members",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("booking_id", ForeignKey("bookings.id"), nullable=False),
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    Column("service", String(16), nullable=False),
    Column("active", Boolean, nullable=False, server_default="1"),
    Index("ix_members_booking", "booking_id"),
    Index(
        "ux_members_active",
        "person_id",
        "service",
        unique=True,
        sqlite_where=text("active = 1"),
        postgresql_where=text("active"),
    ),
)

waitlist_entries = Table(
    "waitlist_entries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("session_id", ForeignKey("booking_sessions.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("service", String(16), nullable=False),
    Column("people", Integer, nullable=False),
    Column("person_ids", String(200), nullable=False, server_default=""),  # "12,13"
    # waiting | offered | accepted | expired | declined | cancelled
    Column("status", String(10), nullable=False, server_default="waiting"),
    Column("offered_slot_id", ForeignKey("booking_slots.id"), nullable=True),
    Column("offer_expires_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Index("ix_waitlist_session", "session_id", "status", "id"),
    Index("ix_waitlist_offers", "status", "offer_expires_at"),
)

home_visits = Table(
    "home_visits",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),  # who asked
    Column("person_id", ForeignKey("persons.id"), nullable=True),
    Column("person_name", String(120), nullable=False),
    Column("kind", String(10), nullable=False),  # visit | transport
    Column("reason", String(10), nullable=False),  # elderly | sick | disabled | other
    Column("address", String(200), nullable=False),
    Column("phone", String(15), nullable=False),
    Column("preferred_time", String(100), nullable=False, server_default=""),
    Column("village_id", ForeignKey("villages.id"), nullable=False),
    Column("status", String(10), nullable=False, server_default="open"),  # open | assigned | done
    Column("round_session_id", ForeignKey("booking_sessions.id"), nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Index("ix_home_visits_village", "village_id", "status"),
)
