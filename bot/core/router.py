"""How a flow declares what it handles: commands, picked choices, states, free text, menu items.

Each module in handlers/ makes one `Router` and registers its handlers on it; bot/app.py lists
the routers in priority order. A handler is an async function taking the `Context`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.context import Context

Handler = Callable[["Context"], Awaitable[None]]
# May answer a message typed in the middle of a flow without leaving it; True if it answered.
AsideHandler = Callable[["Context"], Awaitable[bool]]
TextPredicate = Callable[[str], bool]  # gets the folded text


class Trigger(StrEnum):
    COMMAND = "command"
    ACTION = "action"
    STATE = "state"
    TEXT = "text"
    CONTACT = "contact"
    FILE = "file"


@dataclass(frozen=True)
class Route:
    trigger: Trigger
    key: str
    handler: Handler
    roles: frozenset[str] = frozenset()  # role names (the identity service's Role values)
    states: frozenset[str] | None = None
    predicate: TextPredicate | None = None
    description: object = ""  # a lazy string, shown in the platform's command menu
    public: bool = False  # also answered in group chats (public information only)

    def allows(self, held: frozenset[str]) -> bool:
        return not self.roles or bool(self.roles & held)


@dataclass(frozen=True)
class MenuItem:
    label: object  # a lazy string, translated when the menu is shown
    action: str
    roles: frozenset[str] = frozenset()  # role names (the identity service's Role values)
    order: int = 50


class Router:
    """The registrations of one flow."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.routes: list[Route] = []
        self.menu_items: list[MenuItem] = []
        self.asides: list[AsideHandler] = []

    def _add(self, route: Route) -> Handler:
        self.routes.append(route)
        return route.handler

    def command(
        self,
        *names: str,
        roles: Iterable[str] = (),
        description: object = "",
        public: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Run on `/name` (any of `names`); `public` ones are answered in groups too."""

        def register(fn: Handler) -> Handler:
            for name in names:
                self._add(
                    Route(
                        Trigger.COMMAND,
                        name,
                        fn,
                        frozenset(roles),
                        None,
                        None,
                        description,
                        public,
                    )
                )
            return fn

        return register

    def action(
        self,
        name: str,
        *,
        roles: Iterable[str] = (),
        states: Iterable[str] | None = None,
        public: bool = False,
    ) -> Callable[[Handler], Handler]:
        """Run when a choice with this action is picked; with `states`, only in those states."""

        def register(fn: Handler) -> Handler:
            allowed = frozenset(states) if states is not None else None
            route = Route(Trigger.ACTION, name, fn, frozenset(roles), allowed, public=public)
            return self._add(route)

        return register

    def state(self, *states: str, roles: Iterable[str] = ()) -> Callable[[Handler], Handler]:
        """Run on text while the conversation is in one of `states`."""

        def register(fn: Handler) -> Handler:
            for state in states:
                self._add(Route(Trigger.STATE, state, fn, frozenset(roles)))
            return fn

        return register

    def text(
        self, predicate: TextPredicate, *, roles: Iterable[str] = (), public: bool = False
    ) -> Callable[[Handler], Handler]:
        """Run on free text (outside any state) whose folded form satisfies `predicate`."""

        def register(fn: Handler) -> Handler:
            route = Route(Trigger.TEXT, "", fn, frozenset(roles), None, predicate, public=public)
            return self._add(route)

        return register

    def aside(self) -> Callable[[AsideHandler], AsideHandler]:
        """Offer to answer text typed in the middle of a flow (a question) without leaving it.

        The handler replies and returns True, or returns False having replied nothing; the
        core then asks the interrupted step again, with the flow's data kept.
        """

        def register(fn: AsideHandler) -> AsideHandler:
            self.asides.append(fn)
            return fn

        return register

    def contact(self) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            return self._add(Route(Trigger.CONTACT, "", fn))

        return register

    def file(self, *, roles: Iterable[str] = ()) -> Callable[[Handler], Handler]:
        def register(fn: Handler) -> Handler:
            return self._add(Route(Trigger.FILE, "", fn, frozenset(roles)))

        return register

    def menu(
        self, label: object, action: str, *, roles: Iterable[str] = (), order: int = 50
    ) -> None:
        """Add an entry to the main menu of the users holding one of `roles` (all if empty)."""
        self.menu_items.append(MenuItem(label, action, frozenset(roles), order))
