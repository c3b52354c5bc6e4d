"""Who a message is from, as far as the core needs to know: its own protocols, met by services."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.inbound import Inbound
from bot.storage.conversations import ConversationRow


class Actor(Protocol):
    """The sender of the message being handled: the core reads only these three things.

    Handlers get the full actor the identity service made (its grants, villages and person).
    """

    @property
    def identity_id(self) -> int: ...

    @property
    def locale(self) -> str | None: ...

    @property
    def roles(self) -> frozenset[str]: ...


class Identities(Protocol):
    """Where the core gets the actor from (bot/services/identity.py, given by bot/app.py)."""

    async def resolve(self, tx: AsyncConnection, inbound: Inbound, now: datetime) -> Actor: ...

    async def resolve_chat(
        self, tx: AsyncConnection, inbound: Inbound, now: datetime
    ) -> tuple[Actor, ConversationRow]:
        """The actor and its stored conversation (a new one if none), in one statement."""
        ...

    async def locale_of(
        self, tx: AsyncConnection, channel: str, external_id: str
    ) -> str | None: ...
