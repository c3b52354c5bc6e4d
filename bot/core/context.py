"""What a handler gets: the message, who sent it, the open transaction, and the conversation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.config import Settings
from bot.core.actor import Actor
from bot.core.clock import Clock
from bot.core.inbound import Inbound
from bot.core.reply import Attachment, Choice, Reply
from bot.core.text import fold
from bot.storage.conversations import ConversationRow
from bot.storage.db import Database

M = TypeVar("M", bound=BaseModel)


class FlowReset(Exception):
    """The stored flow data no longer loads; the core restarts the conversation."""


@dataclass(frozen=True)
class Later:
    """Slow work a handler leaves for outside the transaction (see `Context.defer`)."""

    work: Callable[[Database], Awaitable[Any]]
    then: Callable[[Context, Any], Awaitable[None]]


@dataclass
class Context:
    inbound: Inbound
    actor: Actor
    tx: AsyncConnection
    clock: Clock
    settings: Settings
    convo: ConversationRow
    menu_for: Callable[[Actor], tuple[Choice, ...]]
    # Whether a choice with this action, picked now, would start its flow for this actor.
    offerable: Callable[[Actor, str], bool] = lambda _actor, _action: False
    choice: Choice | None = None
    replies: list[Reply] = field(default_factory=list)
    reasked: bool = False  # the core asked the step again: keep the stored prompt as it was
    later: Later | None = None  # slow work to run once this transaction has committed

    @property
    def text(self) -> str:
        return self.inbound.text.strip()

    @property
    def folded(self) -> str:
        return fold(self.inbound.text)

    @property
    def state(self) -> str | None:
        return self.convo.state

    def now(self) -> datetime:
        return self.clock.now()

    def reply(
        self,
        text: str = "",
        *,
        choices: tuple[Choice, ...] | list[Choice] = (),
        photo: Attachment | None = None,
        document: Attachment | None = None,
        request_phone: bool = False,
    ) -> None:
        self.replies.append(Reply(text, tuple(choices), photo, document, request_phone))

    def offers(self, action: str) -> bool:
        """Whether the bot has a flow started by `action` that this user may start now."""
        return self.offerable(self.actor, action)

    def main_menu(self, text: str) -> None:
        """Reply with `text` and the main menu of the user's roles (no menu in a group)."""
        self.reply(text, choices=() if self.inbound.is_group else self.menu_for(self.actor))

    def go(self, state: str, data: BaseModel | dict[str, Any] | None = None) -> None:
        """Move the conversation to `state`, storing the flow's data with it."""
        self.convo.state = state
        if isinstance(data, BaseModel):
            self.convo.data = data.model_dump(mode="json")
        elif data is not None:
            self.convo.data = dict(data)

    def defer(
        self,
        work: Callable[[Database], Awaitable[Any]],
        then: Callable[[Context, Any], Awaitable[None]],
    ) -> None:
        """Run `work` after this transaction commits, outside any, then `then(ctx, its result)`
        in a new transaction; the message counts as answered only when that one commits.

        For slow work (reading a big file): others write meanwhile, and this chat's next
        message still waits its turn. `work` may open its own short transactions on the db.
        """
        self.later = Later(work, then)

    def end(self) -> None:
        """Leave any flow."""
        self.convo.state = None
        self.convo.data = {}

    def load(self, model: type[M]) -> M:
        """The flow's stored data, validated; raises FlowReset if it does not load."""
        try:
            return model.model_validate(self.convo.data)
        except ValidationError as exc:
            raise FlowReset(model.__name__) from exc
