"""Conversation state per chat identity, and the choices offered to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import choices, conversations

PROMPT_CHARS = 3000


@dataclass
class ConversationRow:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    menu_keys: list[str] = field(default_factory=list)
    prompt: str = ""


@dataclass(frozen=True)
class StoredChoice:
    key: str
    identity_id: int
    action: str
    value: str
    label: str
    meaning: str = ""


# Built once: these run on every message, and building a statement costs more than running it.
_LOAD = select(
    conversations.c.state,
    conversations.c.data,
    conversations.c.menu_keys,
    conversations.c.prompt,
).where(conversations.c.identity_id == bindparam("identity"))
_FIELDS = {
    "state": bindparam("state", type_=conversations.c.state.type),
    "data": bindparam("data", type_=conversations.c.data.type),
    "menu_keys": bindparam("menu_keys", type_=conversations.c.menu_keys.type),
    "updated_at": bindparam("updated_at", type_=conversations.c.updated_at.type),
    "prompt": bindparam("prompt", type_=conversations.c.prompt.type),
}
_UPDATE = (
    update(conversations)
    .where(conversations.c.identity_id == bindparam("identity"))
    .values(**_FIELDS)
)
_INSERT = insert(conversations).values(identity_id=bindparam("identity"), **_FIELDS)


async def load(tx: AsyncConnection, identity_id: int) -> ConversationRow:
    row = (await tx.execute(_LOAD, {"identity": identity_id})).first()
    if row is None:
        return ConversationRow()
    data = row.data if isinstance(row.data, dict) else {}
    keys = (
        [k for k in row.menu_keys if isinstance(k, str)] if isinstance(row.menu_keys, list) else []
    )
    return ConversationRow(row.state, data, keys, row.prompt or "")


async def save(
    tx: AsyncConnection, identity_id: int, convo: ConversationRow, now: datetime
) -> None:
    """Store the conversation (callers hold the identity's lock, so update-then-insert is safe)."""
    params = {
        "identity": identity_id,
        "state": convo.state,
        "data": convo.data,
        "menu_keys": convo.menu_keys,
        "updated_at": now,
        "prompt": convo.prompt[:PROMPT_CHARS],
    }
    if (await tx.execute(_UPDATE, params)).rowcount == 0:
        await tx.execute(_INSERT, params)


async def set_menu(tx: AsyncConnection, identity_id: int, keys: list[str], now: datetime) -> None:
    """Make `keys` the list a typed number picks from (used when a proactive message lands)."""
    result = await tx.execute(
        update(conversations)
        .where(conversations.c.identity_id == identity_id)
        .values(menu_keys=keys, updated_at=now)
    )
    if result.rowcount == 0:
        await save(tx, identity_id, ConversationRow(menu_keys=keys), now)


async def add_choices(tx: AsyncConnection, items: list[StoredChoice], now: datetime) -> None:
    if items:
        await tx.execute(
            choices.insert(),
            [
                {
                    "key": c.key,
                    "identity_id": c.identity_id,
                    "action": c.action,
                    "value": c.value,
                    "label": c.label[:200],
                    "created_at": now,
                    "meaning": c.meaning[:64],
                }
                for c in items
            ],
        )


async def find_choice(tx: AsyncConnection, key: str) -> StoredChoice | None:
    row = (
        await tx.execute(
            select(
                choices.c.key,
                choices.c.identity_id,
                choices.c.action,
                choices.c.value,
                choices.c.label,
                choices.c.meaning,
            ).where(choices.c.key == key)
        )
    ).first()
    return StoredChoice(*row) if row else None


async def find_choices(tx: AsyncConnection, keys: list[str]) -> list[StoredChoice]:
    """The stored choices with these keys, in the order of `keys` (missing ones left out)."""
    rows = await tx.execute(
        select(
            choices.c.key,
            choices.c.identity_id,
            choices.c.action,
            choices.c.value,
            choices.c.label,
            choices.c.meaning,
        ).where(choices.c.key.in_(keys))
    )
    found = {row[0]: StoredChoice(*row) for row in rows}
    return [found[key] for key in keys if key in found]


async def purge_choices(tx: AsyncConnection, before: datetime) -> int:
    result = await tx.execute(delete(choices).where(choices.c.created_at < before))
    return result.rowcount
