"""Conversation state per chat identity, and the choices offered to it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.prepared import Prepared
from bot.storage.sql import hot
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


def conversation_columns() -> tuple[Any, ...]:
    """The columns `conversation_from` reads, first the key (NULL when there is no row)."""
    return (
        conversations.c.identity_id,
        conversations.c.state,
        conversations.c.data,
        conversations.c.menu_keys,
        conversations.c.prompt,
    )


def conversation_from(row: Sequence[Any]) -> ConversationRow:
    """The conversation from `conversation_columns()`; a new one when there was no row."""
    identity, state, data, menu_keys, prompt = row
    if identity is None:
        return ConversationRow()
    keys = [k for k in menu_keys if isinstance(k, str)] if isinstance(menu_keys, list) else []
    return ConversationRow(state, data if isinstance(data, dict) else {}, keys, prompt or "")


# Built once: these run on every message, and building a statement costs more than running it.
_LOAD = Prepared(
    select(*conversation_columns()).where(conversations.c.identity_id == bindparam("identity"))
)
_FIELDS = {
    "state": bindparam("state", type_=conversations.c.state.type),
    "data": bindparam("data", type_=conversations.c.data.type),
    "menu_keys": bindparam("menu_keys", type_=conversations.c.menu_keys.type),
    "updated_at": bindparam("updated_at", type_=conversations.c.updated_at.type),
    "prompt": bindparam("prompt", type_=conversations.c.prompt.type),
}
_UPDATE = Prepared(
    update(conversations)
    .where(conversations.c.identity_id == bindparam("identity"))
    .values(**_FIELDS)
)
_INSERT = Prepared(insert(conversations).values(identity_id=bindparam("identity"), **_FIELDS))
_CHOICE_COLUMNS = (
    choices.c.key,
    choices.c.identity_id,
    choices.c.action,
    choices.c.value,
    choices.c.label,
    choices.c.meaning,
)
_CHOICE_KEYS = (*(c.key for c in _CHOICE_COLUMNS), "created_at")
_ADD_CHOICES = Prepared(choices.insert(), keys=_CHOICE_KEYS)
_FIND_CHOICE = Prepared(select(*_CHOICE_COLUMNS).where(choices.c.key == bindparam("key")))
_FIND_CHOICES = hot(
    select(*_CHOICE_COLUMNS).where(choices.c.key.in_(bindparam("keys", expanding=True)))
)


async def load(tx: AsyncConnection, identity_id: int) -> ConversationRow:
    row = (await _LOAD.run(tx, {"identity": identity_id})).first()
    return ConversationRow() if row is None else conversation_from(row)


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
    if (await _UPDATE.run(tx, params)).rowcount == 0:
        await _INSERT.run(tx, params)


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
        await _ADD_CHOICES.run_many(
            tx,
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
    row = (await _FIND_CHOICE.run(tx, {"key": key})).first()
    return StoredChoice(*row) if row else None


async def find_choices(tx: AsyncConnection, keys: list[str]) -> list[StoredChoice]:
    """The stored choices with these keys, in the order of `keys` (missing ones left out)."""
    rows = await tx.execute(_FIND_CHOICES, {"keys": keys})
    found = {row[0]: StoredChoice(*row) for row in rows}
    return [found[key] for key in keys if key in found]


async def purge_choices(tx: AsyncConnection, before: datetime) -> int:
    result = await tx.execute(delete(choices).where(choices.c.created_at < before))
    return result.rowcount
