"""One message in, replies out, in one transaction (over 400 lines: the dispatch order, whole).

Order of dispatch: input checks; commands (and the cancel/menu words); a picked choice
(button key, or a typed answer read by bot/core/understand: a number, the option's words, a
yes, a date, a time); the conversation's state; free-text routes in router order; a fallback.
Inside a flow, an answer that fits nothing never leaves it: a question gets its answer from
an aside (the FAQ), then the step is asked again with its options. The whole message is one
transaction: if a handler fails, everything it did and the conversation's change are rolled
back, and the user gets one clear sentence. Slow work a handler defers (`Context.defer`) runs
after the commit, outside any transaction, and is finished in a new one.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from bot.config import Settings
from bot.core.actor import Actor, Identities
from bot.core.clock import Clock
from bot.core.context import Context, FlowReset
from bot.core.i18n import _, to_local, use_locale
from bot.core.inbound import Inbound, Kind
from bot.core.locks import KeyedLocks
from bot.core.offered import attach_keys
from bot.core.reply import Choice, Reply
from bot.core.router import AsideHandler, MenuItem, Route, Router, Trigger
from bot.core.text import fold
from bot.core.understand import options, texts
from bot.core.understand.cancel import is_cancel
from bot.core.understand.question import is_question
from bot.storage import conversations, inbox
from bot.storage.conversations import ConversationRow, StoredChoice
from bot.storage.db import Database, lock_for_transaction

logger = logging.getLogger(__name__)

MENU_WORDS = frozenset({"menu", "danh muc", "bat dau", "start"})
CHOICE_TTL = timedelta(days=30)


def failure_text() -> str:
    return _("Sorry, something went wrong. Nothing was changed; please try again.")


def private_only_text() -> str:
    """The one answer a group gets for anything that is not public information."""
    return _("Please message the bot privately.")


def _snapshot(convo: ConversationRow) -> ConversationRow:
    """A copy to tell whether the message changed the conversation (data is JSON: small)."""
    data = copy.deepcopy(convo.data) if convo.data else {}
    return ConversationRow(convo.state, data, list(convo.menu_keys), convo.prompt)


class Dispatcher:
    """Routes each `Inbound` to the first handler that applies."""

    def __init__(
        self,
        routers: Sequence[Router],
        db: Database,
        clock: Clock,
        settings: Settings,
        on_commit: Callable[[], None] | None = None,
        *,
        identities: Identities,
    ) -> None:
        self.db = db
        self.identities = identities
        self.clock = clock
        self.settings = settings
        self._on_commit: list[Callable[[], None]] = [on_commit] if on_commit else []
        self._locks = KeyedLocks()
        self.routers = list(routers)
        self._commands: dict[str, Route] = {}
        self._actions: dict[str, Route] = {}
        self._states: dict[str, Route] = {}
        self._by_trigger: dict[Trigger, list[Route]] = {t: [] for t in Trigger}
        for route in (r for router in routers for r in router.routes):
            table = {
                Trigger.COMMAND: self._commands,
                Trigger.ACTION: self._actions,
                Trigger.STATE: self._states,
            }.get(route.trigger)
            if table is not None:
                table.setdefault(route.key, route)  # first registration wins
            self._by_trigger[route.trigger].append(route)
        self._asides: list[AsideHandler] = [a for router in routers for a in router.asides]
        self._menu: list[MenuItem] = sorted(
            (item for router in routers for item in router.menu_items), key=lambda i: i.order
        )

    def add_on_commit(self, callback: Callable[[], None]) -> None:
        """Call `callback` after every committed message (wakes the sender, the scheduler)."""
        self._on_commit.append(callback)

    def menu_for(self, actor: Actor) -> tuple[Choice, ...]:
        """The main menu of the actor's roles: their role's work first, then what all can do."""
        held = actor.roles
        mine = [item for item in self._menu if not item.roles or item.roles & held]
        mine.sort(key=lambda item: (not item.roles, item.order))
        return tuple(Choice(str(item.label), item.action) for item in mine)

    def offerable(self, actor: Actor, action: str) -> bool:
        """Whether a choice with `action` would start a flow for `actor` outside any step."""
        route = self._actions.get(action)
        return route is not None and route.states is None and route.allows(actor.roles)

    def commands(self) -> list[Route]:
        """Command routes that carry a description, for the platform's command menu."""
        return [r for r in self._by_trigger[Trigger.COMMAND] if str(r.description)]

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """Handle one message; never raises.

        A failing handler rolls the whole transaction back: the conversation and the data
        stay as they were, and the user gets one clear sentence.
        """
        async with self._locks.hold((inbound.channel, inbound.chat_id, inbound.user_id)):
            try:
                try:
                    replies = await self._in_transaction(inbound, self._route)
                except FlowReset as exc:
                    logger.info("flow data reset: user=%s model=%s", inbound.user_id, exc)
                    replies = await self._in_transaction(inbound, self._restart)
            except (inbox.AlreadyHandled, inbox.EarlierFirst):
                raise  # another worker's turn first: nothing was done here, nothing to show
            except Exception:
                logger.exception(
                    "message failed: channel=%s user=%s kind=%s",
                    inbound.channel,
                    inbound.user_id,
                    inbound.kind,
                )
                return [await self._failure_reply(inbound)]
            for callback in self._on_commit:
                callback()
            return replies

    async def _in_transaction(
        self,
        inbound: Inbound,
        step: Callable[[Context], Awaitable[None]],
        earlier: Sequence[Reply] = (),
    ) -> list[Reply]:
        """Run `step` on the message in one write transaction; save the conversation with it.

        Work the handler deferred (`Context.defer`) runs after the commit, outside any
        transaction, and is finished in a new one, which marks the message answered.
        """
        async with self.db.write() as tx:
            # One message of a chat at a time across workers too (the lock above is per process).
            chat_lock = f"chat:{inbound.channel}:{inbound.chat_id}"
            if inbound.inbox_id is not None and not self.db.is_sqlite:
                # Another worker may have handled it while we waited for the chat's lock, or
                # hold the chat's earlier messages (SQLite: one process, no other worker).
                await inbox.take_turn(
                    tx, inbound.inbox_id, chat_lock, ordered=inbound.inbox_ordered
                )
            else:
                await lock_for_transaction(tx, chat_lock)
            actor, convo = await self.identities.resolve_chat(tx, inbound, self.clock.now())
            with use_locale(actor.locale or self.settings.default_locale):
                loaded = _snapshot(convo)
                ctx = Context(
                    inbound=inbound,
                    actor=actor,
                    tx=tx,
                    clock=self.clock,
                    settings=self.settings,
                    convo=convo,
                    menu_for=self.menu_for,
                    offerable=self.offerable,
                )
                await step(ctx)
                replies = [*earlier, *await attach_keys(ctx, self.clock.now())]
                if convo != loaded:
                    await conversations.save(tx, actor.identity_id, convo, self.clock.now())
                if inbound.inbox_id is not None and ctx.later is None:  # with its effects
                    await inbox.mark_handled(tx, inbound.inbox_id, replies, self.clock.now())
        if ctx.later is None:
            return replies
        result, then = await ctx.later.work(self.db), ctx.later.then
        return await self._in_transaction(inbound, lambda c: then(c, result), replies)

    @staticmethod
    async def _restart(ctx: Context) -> None:
        ctx.end()
        ctx.main_menu(_("That conversation had expired, so we start again."))

    async def _failure_reply(self, inbound: Inbound) -> Reply:
        locale = self.settings.default_locale
        try:
            async with self.db.read() as tx:
                locale = (
                    await self.identities.locale_of(tx, inbound.channel, inbound.user_id) or locale
                )
        except Exception:
            logger.exception("could not read the locale: user=%s", inbound.user_id)
        with use_locale(locale):
            return Reply(failure_text())

    async def _route(self, ctx: Context) -> None:
        inbound = ctx.inbound
        if inbound.is_group:
            await self._route_group(ctx)
        elif inbound.kind is Kind.CHOICE:
            await self._pick(ctx, await conversations.find_choice(ctx.tx, inbound.choice_key))
        elif inbound.kind is Kind.CONTACT:
            await self._first(ctx, self._by_trigger[Trigger.CONTACT])
        elif inbound.kind is Kind.FILE:
            await self._first(ctx, self._by_trigger[Trigger.FILE])
        elif inbound.kind is Kind.TEXT:
            await self._route_text(ctx)
        else:
            ctx.reply(_("I can only read text messages. Please type your question, or /menu."))
            await self._reask_in_flow(ctx)

    async def _route_text(self, ctx: Context) -> None:
        text = ctx.text
        if not text:
            ctx.reply(
                _("The message is empty. Type your question, or /menu to see what I can do.")
            )
            await self._reask_in_flow(ctx)
            return
        if len(text) > self.settings.max_text_length:
            ctx.reply(
                _(
                    "That message is too long ({length} characters). Please keep it under {limit}."
                ).format(length=len(text), limit=self.settings.max_text_length)
            )
            await self._reask_in_flow(ctx)
            return
        command = ctx.inbound.command or self._word_command(text)
        if command:
            await self._command(ctx, command)
            return
        listed = await self._listed(ctx)
        found = self._typed_pick(ctx, listed)
        if isinstance(found, options.Picked):
            await self._pick(ctx, listed[found.index])
            return
        if isinstance(found, options.Several) and ctx.state:
            ctx.reasked = True
            ctx.reply(
                texts.which_one(),
                choices=[
                    Choice(c.label, c.action, c.value, "", c.meaning)
                    for c in (listed[i] for i in found.indices)
                ],
            )
            return
        if isinstance(found, options.OutOfRange):
            self._reask(
                ctx,
                listed,
                texts.pick_a_number(found.count),
            )
            return
        state_route = self._states.get(ctx.state or "")
        if state_route is not None and state_route.allows(ctx.actor.roles):
            if is_question(text) and await self._aside(ctx):
                self._reask(ctx, listed, "")
                return
            await state_route.handler(ctx)
            return
        if ctx.state and listed:
            # A step that waits for one of its options: answer a question, then ask again.
            answered = await self._aside(ctx)
            self._reask(ctx, listed, "" if answered else texts.did_not_understand())
            return
        if ctx.state:
            ctx.end()  # a state nobody handles any more (or not for this role)
        folded = ctx.folded
        for route in self._by_trigger[Trigger.TEXT]:
            if route.allows(ctx.actor.roles) and route.predicate and route.predicate(folded):
                await route.handler(ctx)
                return
        ctx.main_menu(_("Sorry, I did not understand. Pick from the menu, or ask a question."))

    async def _route_group(self, ctx: Context) -> None:
        """A group chat: public routes only (the FAQ, /help); anything else, one sentence.

        The member's private conversation is neither read nor changed here.
        """
        route = await self._group_route(ctx)
        if route is None or not route.public or not route.allows(ctx.actor.roles):
            ctx.reply(private_only_text())
            return
        await route.handler(ctx)

    async def _group_route(self, ctx: Context) -> Route | None:
        inbound = ctx.inbound
        if inbound.kind is Kind.CHOICE:
            stored = await conversations.find_choice(ctx.tx, inbound.choice_key)
            if stored is None or stored.identity_id != ctx.actor.identity_id:
                return None
            route = self._actions.get(stored.action)
            if route is not None and route.states is None:
                ctx.choice = Choice(stored.label, stored.action, stored.value, stored.key)
                return route
            return None
        if inbound.kind is not Kind.TEXT or not ctx.text:
            return None
        if len(ctx.text) > self.settings.max_text_length:
            return None
        if inbound.command:
            return self._commands.get(inbound.command)
        folded = ctx.folded
        for route in self._by_trigger[Trigger.TEXT]:
            if route.allows(ctx.actor.roles) and route.predicate and route.predicate(folded):
                return route
        return None

    @staticmethod
    def _word_command(text: str) -> str:
        if is_cancel(text):
            return "cancel"
        if fold(text).strip(" .!") in MENU_WORDS:
            return "menu"
        return ""

    async def _command(self, ctx: Context, name: str) -> None:
        route = self._commands.get(name)
        if route is None:
            ctx.reply(
                _("I do not know the command /{name}. Type /help to see the commands.").format(
                    name=name[:32]
                )
            )
        elif not route.allows(ctx.actor.roles):
            ctx.reply(_("You do not have permission to use this."))
        else:
            await route.handler(ctx)

    async def _listed(self, ctx: Context) -> list[StoredChoice]:
        """The options of the last list shown, in order (empty if any has expired)."""
        keys = ctx.convo.menu_keys
        if not keys:
            return []
        listed = await conversations.find_choices(ctx.tx, keys)
        return listed if len(listed) == len(keys) else []

    @staticmethod
    def _typed_pick(ctx: Context, listed: list[StoredChoice]) -> options.Pick:
        """Which listed option the typed text picks (bot/core/understand/options.py)."""
        if not listed:
            return options.NoMatch()
        return options.pick(
            ctx.text,
            [options.Option(c.label, c.meaning) for c in listed],
            to_local(ctx.now()).date(),
            strict=ctx.state is None,
        )

    async def _aside(self, ctx: Context) -> bool:
        for aside in self._asides:
            if await aside(ctx):
                return True
        return False

    async def _reask_in_flow(self, ctx: Context) -> None:
        """After refusing a message in the middle of a flow, ask the step again."""
        if ctx.state:
            self._reask(ctx, await self._listed(ctx), "")

    def _reask(self, ctx: Context, listed: list[StoredChoice], why: str) -> None:
        """The same step again: why, the question last asked, and its options.

        The options keep their actions, values and meanings; only their keys are new.
        """
        question = ctx.convo.prompt if ctx.state else ""
        lines = [line for line in (why, question) if line]
        if not listed and not question:
            return
        ctx.reasked = True
        ctx.reply(
            "\n\n".join(lines),
            choices=[Choice(c.label, c.action, c.value, "", c.meaning) for c in listed],
        )

    async def _pick(self, ctx: Context, stored: StoredChoice | None) -> None:
        route = self._actions.get(stored.action) if stored else None
        fresh = (
            stored is not None
            and route is not None
            and stored.identity_id == ctx.actor.identity_id
            and (route.states is None or ctx.state in route.states)
        )
        if not fresh or stored is None or route is None:
            if ctx.inbound.kind is Kind.CHOICE:  # a stale button: a word, no copy of a menu
                ctx.replies.append(Reply(_("This button has expired."), notice=True))
                return
            listed = await self._listed(ctx) if ctx.state else []
            if listed:
                self._reask(ctx, listed, texts.not_an_option())  # keep the flow's draft
                return
            ctx.reply(
                _("This button has expired. Here is the current menu."),
                choices=ctx.menu_for(ctx.actor),
            )
            return
        if not route.allows(ctx.actor.roles):
            ctx.reply(_("You do not have permission to use this."))
            return
        ctx.choice = Choice(stored.label, stored.action, stored.value, stored.key, stored.meaning)
        await route.handler(ctx)

    async def _first(self, ctx: Context, routes: list[Route]) -> None:
        for route in routes:
            if route.allows(ctx.actor.roles):
                await route.handler(ctx)
                return
        ctx.reply(_("I cannot use that here. Type /menu to see what I can do."))

    async def purge_old_choices(self) -> int:
        async with self.db.write() as tx:
            return await conversations.purge_choices(tx, self.clock.now() - CHOICE_TTL)
