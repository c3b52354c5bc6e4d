"""Rows of the outbox: one message to one recipient, sent at most once per key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import insert_ignore
from bot.storage.tables.core import chat_identities, outbox, users


@dataclass(frozen=True)
class Recipient:
    user_id: int
    identity_id: int
    channel: str
    chat_id: str
    reachable: bool


async def recipient_of(tx: AsyncConnection, user_id: int) -> Recipient | None:
    """Where to write to a user: the identity they used last."""
    row = (
        await tx.execute(
            select(
                users.c.id,
                chat_identities.c.id,
                chat_identities.c.channel,
                chat_identities.c.chat_id,
                chat_identities.c.unreachable_at.is_(None),
            )
            .join(chat_identities, chat_identities.c.id == users.c.last_identity_id)
            .where(users.c.id == user_id)
        )
    ).first()
    return Recipient(*row) if row else None


async def insert_messages(tx: AsyncConnection, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, skipping keys already there; returns how many were new."""
    return await insert_ignore(tx, outbox, rows)


def message_row(
    *,
    key: str,
    recipient: Recipient,
    text: str,
    now: datetime,
    not_before: datetime,
    choices: list[list[str]] | None = None,
    broadcast_id: int | None = None,
) -> dict[str, Any]:
    return {
        "key": key[:120],
        "user_id": recipient.user_id,
        "identity_id": recipient.identity_id,
        "channel": recipient.channel,
        "chat_id": recipient.chat_id,
        "text": text,
        "payload": {"choices": choices or []},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": not_before,
        "broadcast_id": broadcast_id,
        "created_at": now,
    }
