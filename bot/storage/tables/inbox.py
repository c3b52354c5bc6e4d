"""The inbox: every update received, kept until it has been handled and answered."""

from sqlalchemy import JSON, Column, Index, Integer, String, Table, Text, UniqueConstraint, text

from bot.storage.tables import metadata
from bot.storage.types import UtcDateTime

inbox = Table(
    "inbox",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("update_key", String(80), nullable=False),  # Telegram's update_id, Zalo's message id
    Column("chat_key", String(64), nullable=False),  # the chat whose queue it joins ("" unknown)
    Column("user_key", String(64), nullable=False),
    # new -> handled (effects committed, replies kept) -> done; or bad, dropped
    Column("status", String(12), nullable=False),
    Column("notice", String(12), nullable=False, server_default=""),  # "flood": answer that
    Column("payload", Text, nullable=False),  # the update as received (JSON text)
    Column("replies", JSON, nullable=True),  # the answer, kept until it was sent
    Column("error", String(300), nullable=True),
    Column("received_at", UtcDateTime, nullable=False),
    Column("handled_at", UtcDateTime, nullable=True),
    # the worker holding it: its receiver, then the one that handled or took it up (NULL: any)
    Column("worker", String(64), nullable=True),
    UniqueConstraint("channel", "update_key", name="uq_inbox_update"),
    Index("ix_inbox_open", "status", "id"),
    # a chat's rows still new: is a message's turn come (bot/storage/inbox.py take_turn)
    Index(
        "ix_inbox_chat_new",
        "channel",
        "chat_key",
        "id",
        postgresql_where=text("status = 'new'"),
        sqlite_where=text("status = 'new'"),
    ),
)
