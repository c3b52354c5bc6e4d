"""One-time codes that link a second chat app to the same user."""

from sqlalchemy import Column, ForeignKey, Index, String, Table

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

link_codes = Table(
    "link_codes",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),  # who asked for the code
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime, nullable=True),
    Column("used_by_identity", ForeignKey("chat_identities.id"), nullable=True),
    Index("ix_link_codes_user", "user_id"),
)
