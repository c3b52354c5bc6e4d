"""Putting proactive messages in the outbox (the sender that drains it is bot/services/sender.py).

Every message the bot sends on its own initiative goes through here: one row per recipient
and key, in the caller's transaction, so it is sent if and only if the change commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.dispatcher import new_choice_key
from bot.core.reply import Choice
from bot.storage import conversations
from bot.storage import outbox as store
from bot.storage.conversations import StoredChoice


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
    recipient = await store.recipient_of(tx, user_id)
    if recipient is None or not recipient.reachable:
        return False
    keyed = [
        StoredChoice(new_choice_key(), recipient.identity_id, c.action, c.value, c.label)
        for c in choices
    ]
    row = store.message_row(
        key=key,
        recipient=recipient,
        text=text,
        now=now,
        not_before=not_before or now,
        choices=[[c.label, c.key] for c in keyed],
        broadcast_id=broadcast_id,
    )
    if not await store.insert_messages(tx, [row]):
        return False
    await conversations.add_choices(tx, keyed, now)
    return True
