"""A chat driver for tests: the console channel's code path, read like a transcript."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from bot.app import App
from bot.channels.console import CHANNEL
from bot.core.inbound import Inbound, InboundFile, Kind
from bot.core.reply import Choice, Reply
from bot.services import identity
from bot.services.identity import Actor, Role

# Quiet hours that never start: for tests and benches that run the sender on the real clock.
ALWAYS_AWAKE = {"quiet_start": time(0, 0), "quiet_end": time(0, 0)}


@dataclass
class ChatDriver:
    """One user talking to the app: `await chat.say("dat lich")` returns the replies."""

    app: App
    user_id: str = "u1"
    channel: str = CHANNEL
    last: list[Reply] = field(default_factory=list)

    def _inbound(self, **fields: object) -> Inbound:
        return Inbound(channel=self.channel, chat_id=self.user_id, user_id=self.user_id, **fields)  # type: ignore[arg-type]

    async def send(self, inbound: Inbound) -> list[Reply]:
        self.last = await self.app.dispatcher.handle(inbound)
        return self.last

    async def say(self, text: str) -> list[Reply]:
        return await self.send(self._inbound(text=text))

    async def press(self, label_or_index: str | int) -> list[Reply]:
        """Press a button of the last replies, by its label (or part of it) or 1-based index."""
        return await self.press_key(self.choice(label_or_index).key)

    async def press_key(self, key: str) -> list[Reply]:
        return await self.send(self._inbound(kind=Kind.CHOICE, choice_key=key))

    async def share_phone(self, phone: str, own: bool = True) -> list[Reply]:
        return await self.send(self._inbound(kind=Kind.CONTACT, phone=phone, contact_is_own=own))

    async def send_file(self, name: str, data: bytes) -> list[Reply]:
        return await self.send(self._inbound(kind=Kind.FILE, file=InboundFile(name, data)))

    def choices(self) -> list[Choice]:
        return [c for reply in self.last for c in reply.choices]

    def choice(self, label_or_index: str | int) -> Choice:
        options = self.choices()
        if isinstance(label_or_index, int):
            return options[label_or_index - 1]
        for option in options:
            if label_or_index.lower() in option.label.lower():
                return option
        raise AssertionError(f"no choice {label_or_index!r} in {[c.label for c in options]}")

    @property
    def text(self) -> str:
        """All text of the last replies, joined."""
        return "\n".join(reply.text for reply in self.last)

    async def actor(self) -> Actor:
        """The user behind this chat (created if new)."""
        async with self.app.db.write() as tx:
            return await identity.resolve(tx, self._inbound(), self.app.clock.now())

    async def grant(
        self,
        role: Role,
        *,
        village_id: int | None = None,
        commune_id: int | None = None,
        province: bool = False,
    ) -> None:
        """Give this chat's user `role` (scoped to a village or commune)."""
        actor = await self.actor()
        async with self.app.db.write() as tx:
            await identity.grant(
                tx,
                actor.user_id,
                role,
                self.app.clock.now(),
                village_id=village_id,
                commune_id=commune_id,
                province=province,
            )


async def forge_choices(app: App, identity_id: int, action: str, value: int | str) -> None:
    """Point an identity's stored options for `action` at another value (an old or forged list)."""
    from bot.storage.tables.core import choices

    async with app.db.write() as tx:
        await tx.execute(
            choices.update()
            .where(choices.c.identity_id == identity_id, choices.c.action == action)
            .values(value=str(value))
        )
