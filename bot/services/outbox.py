"""Putting proactive messages in the outbox (the sender that drains it is bot/services/sender/).

Every message the bot sends on its own initiative goes through here: one row per recipient
and key, in the caller's transaction, so it is sent if and only if the change commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.keys import new_choice_key
from bot.core.reply import Choice
from bot.storage import conversations
from bot.storage import outbox as store
from bot.storage.conversations import StoredChoice


@dataclass(frozen=True)
class Outgoing:
    """One message to queue: for `user_id`, once per `key`."""

    user_id: int
    key: str
    text: str
    choices: Sequence[Choice] = ()
    not_before: datetime | None = None
    broadcast_id: int | None = None


async def enqueue_many(
    tx: AsyncConnection, messages: Sequence[Outgoing], now: datetime
) -> tuple[list[Outgoing], int]:
    """Queue each message for its user on the channel they used last, in one insert.

    Returns the messages that had a reachable chat, and how many rows were new (a key queued
    before is not queued again).
    """
    where = await store.recipients_of(tx, [m.user_id for m in messages])
    rows: list[dict[str, object]] = []
    keyed_all: list[StoredChoice] = []
    queued: list[Outgoing] = []
    for message in messages:
        recipient = where.get(message.user_id)
        if recipient is None or not recipient.reachable:
            continue
        keyed = [
            StoredChoice(
                new_choice_key(), recipient.identity_id, c.action, c.value, c.label, c.meaning
            )
            for c in message.choices
        ]
        keyed_all.extend(keyed)
        rows.append(
            store.message_row(
                key=message.key,
                recipient=recipient,
                text=message.text,
                now=now,
                not_before=message.not_before or now,
                choices=[[c.label, c.key] for c in keyed],
                broadcast_id=message.broadcast_id,
            )
        )
        queued.append(message)
    new = await store.insert_messages(tx, rows) if rows else 0
    if new and keyed_all:
        await conversations.add_choices(tx, keyed_all, now)
    return queued, new


async def enqueue(
    tx: AsyncConnection,
    *,
    user_id: int,
    key: str,
    text: str,
    now: datetime,
    choices: Sequence[Choice] = (),
    not_before: datetime | None = None,
    broadcast_id: int | None = None,
) -> bool:
    """Queue `text` for `user_id` on the channel they used last.

    Returns False when the key was queued before (nothing new is sent) or the user has no
    reachable chat.
    """
    message = Outgoing(user_id, key, text, tuple(choices), not_before, broadcast_id)
    _, new = await enqueue_many(tx, [message], now)
    return new == 1
