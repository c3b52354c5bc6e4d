"""Revoked roles, the audit trail, residents' requests to be forgotten, wrong code tries."""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

role_history = Table(  # a role taken back: the grant as it was, and who took it back
    "role_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("village_id", Integer, nullable=True),
    Column("commune_id", Integer, nullable=True),
    Column("granted_at", UtcDateTime, nullable=False),
    Column("granted_by", Integer, nullable=True),  # users.id; None: the command line
    Column("revoked_at", UtcDateTime, nullable=False),
    Column("revoked_by", Integer, nullable=True),  # users.id; None: the command line
    Column("reason", String(200), nullable=False, server_default=""),
    Index("ix_role_history_user", "user_id"),
)

audit_events = Table(  # downloads, deletions, phone reveals, refused codes: who, what, when
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Column("actor_user_id", Integer, nullable=True),  # None: the command line or a stranger
    Column("action", String(20), nullable=False),
    Column("subject", String(120), nullable=False, server_default=""),  # never a phone
    Column("detail", String(200), nullable=False, server_default=""),
    Index("ix_audit_events_at", "at"),
)

forget_requests = Table(  # "xoá thông tin của tôi": queued for the commune police
    "forget_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("person_id", Integer, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("status", String(10), nullable=False, server_default="open"),  # open | done
    Column("done_at", UtcDateTime, nullable=True),
    Column("done_by", Integer, nullable=True),
)
