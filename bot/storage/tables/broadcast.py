"""Broadcasts: the notice, who it was meant for (a snapshot), and the replies."""

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

broadcasts = Table(
    "broadcasts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("author_user_id", ForeignKey("users.id"), nullable=False),
    Column("text", Text, nullable=False),
    # {"village_ids": [...], "kind": "all|missing|returning", "date_from": ..., "date_to": ...}
    Column("audience", JSON, nullable=False),
    Column("session_id", Integer, nullable=True),  # the booking session it announces, if any
    Column("with_replies", Boolean, nullable=False, server_default="0"),
    # scheduled | sending | done | cancelled
    Column("status", String(10), nullable=False),
    Column("scheduled_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("finished_at", UtcDateTime, nullable=True),
    # how many replies the author was last told about (the running-count notices)
    Column("replies_notified", Integer, nullable=False, server_default="0"),
    Index("ix_broadcasts_status", "status", "scheduled_at"),
    Index("ix_broadcasts_author", "author_user_id"),
)

broadcast_recipients = Table(
    "broadcast_recipients",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("broadcast_id", ForeignKey("broadcasts.id"), nullable=False),
    Column("person_id", ForeignKey("persons.id"), nullable=False),
    Column("household_id", ForeignKey("households.id"), nullable=False),
    Column("user_id", ForeignKey("users.id"), nullable=True),
    Column("has_chat", Boolean, nullable=False),
    UniqueConstraint("broadcast_id", "person_id"),
    Index("ix_broadcast_recipients_user", "broadcast_id", "user_id"),
)

broadcast_replies = Table(
    "broadcast_replies",
    metadata,
    Column("broadcast_id", ForeignKey("broadcasts.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("answer", String(8), nullable=False),  # coming | cannot
    Column("answered_at", UtcDateTime, nullable=False),
)
