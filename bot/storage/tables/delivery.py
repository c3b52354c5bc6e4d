"""The outbox sender's lease: which process may send, so two never send the same rows."""

from sqlalchemy import Column, String, Table

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

outbox_leases = Table(
    "outbox_leases",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("owner", String(160), nullable=False),  # host:pid:nonce of the sending process
    Column("heartbeat_at", UtcDateTime, nullable=False),
)
