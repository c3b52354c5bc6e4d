"""Roster tables: the export log, and the index that keeps roster queries fast at scale."""

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, String, Table

from bot.storage.tables import metadata
from bot.storage.tables.core import persons
from bot.storage.types import UtcDateTime

# Every count and every missing list reads only these columns, so SQLite answers from the
# index alone (a covering index) instead of visiting 1.2 million table rows.
ix_persons_progress = Index(
    "ix_persons_progress",
    persons.c.household_id,
    persons.c.status,
    persons.c.has_id_card,
    persons.c.has_eid_level2,
    persons.c.birth_year,
)

# The same columns by village (persons.village_id, kept by a trigger): a village's or a
# commune's counts and missing list read one index range, on either engine.
ix_persons_village = Index(
    "ix_persons_village",
    persons.c.village_id,
    persons.c.status,
    persons.c.has_id_card,
    persons.c.has_eid_level2,
    persons.c.birth_year,
    persons.c.household_id,
)

roster_exports = Table(
    "roster_exports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", ForeignKey("users.id"), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("village_ids", JSON, nullable=False),  # the scope exported
    Column("subset", String(10), nullable=False),  # "missing" | "all"
    Column("format", String(5), nullable=False),  # "xlsx" | "csv"
    Column("rows", Integer, nullable=False),
    Index("ix_roster_exports_created", "created_at"),
)

# A roster file sent in the chat, kept until its preview is confirmed (one per user).
roster_uploads = Table(
    "roster_uploads",
    metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("filename", String(200), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)
