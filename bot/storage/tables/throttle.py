"""Wrong tries per chat and purpose (linking, joining), to stop guessing."""

from sqlalchemy import Column, Integer, PrimaryKeyConstraint, String, Table

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

throttles = Table(
    "throttles",
    metadata,
    Column("chat", String(96), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("failures", Integer, nullable=False, server_default="0"),
    Column("window_start", UtcDateTime, nullable=False),
    Column("blocked_until", UtcDateTime, nullable=True),
    PrimaryKeyConstraint("chat", "purpose"),
)
