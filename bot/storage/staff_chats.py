"""The chats of people who hold a role, for their per-chat command menus."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import chat_identities, roles, users


async def staff_chats(
    tx: AsyncConnection, channel: str, chat_id: str | None = None
) -> dict[str, tuple[set[str], str | None]]:
    """{chat id: (roles held, the user's language)} on `channel` (or for one chat)."""
    query = (
        select(chat_identities.c.chat_id, roles.c.role, users.c.locale)
        .join(roles, roles.c.user_id == chat_identities.c.user_id)
        .join(users, users.c.id == chat_identities.c.user_id)
        .where(chat_identities.c.channel == channel)
    )
    if chat_id is not None:
        query = query.where(chat_identities.c.chat_id == chat_id)
    found: dict[str, tuple[set[str], str | None]] = {}
    for chat, role, locale in await tx.execute(query):
        found.setdefault(chat, (set(), locale))[0].add(role)
    return found
