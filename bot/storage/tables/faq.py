"""Questions the FAQ could not answer: kept without any identity, to improve the base."""

from sqlalchemy import Column, Float, Index, Integer, String, Table, Text

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

faq_unanswered = Table(
    "faq_unanswered",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("question", Text, nullable=False),  # long digit runs (phones, ID numbers) masked
    Column("asked_at", UtcDateTime, nullable=False),
    Column("verdict", String(16), nullable=False),  # ask | out_of_scope
    Column("guess", String(40), nullable=True),  # the closest topic, for the admin
    Column("score", Float, nullable=False),
    Index("ix_faq_unanswered_asked", "asked_at"),
)
