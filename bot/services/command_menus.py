"""Who sees which commands in the platform's "/" menu: staff get their role's commands."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Role
from bot.storage import staff_chats as store


@dataclass(frozen=True)
class StaffChat:
    chat_id: str
    roles: frozenset[Role]
    locale: str | None


async def staff_chats(
    tx: AsyncConnection, channel: str, chat_id: str | None = None
) -> list[StaffChat]:
    """The chats on `channel` whose user holds a role (or that one chat, if it does)."""
    found = await store.staff_chats(tx, channel, chat_id)
    return [
        StaffChat(chat, frozenset(Role(r) for r in held if r in set(Role)), locale)
        for chat, (held, locale) in sorted(found.items())
    ]
