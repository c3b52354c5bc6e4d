"""The console channel: the same core in a terminal, or scripted one message a line.

Besides text, a line "#phone 0912345678" shares a phone number (as Telegram's contact button
does) and "#file PATH" sends a document. Choices print as a numbered list; type the number.
Pictures and files are written under ./data/out/ and their paths printed.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from bot.channels.base import SendResult, SendStatus, numbered_choices
from bot.channels.progress import ProgressShown
from bot.core.dispatcher import Dispatcher
from bot.core.i18n import gettext as _
from bot.core.inbound import Inbound, InboundFile, Kind
from bot.core.reply import Reply

CHANNEL = "console"


class ConsoleChannel:
    name = CHANNEL
    text_limit = 100_000

    def __init__(
        self,
        dispatcher: Dispatcher,
        user_id: str,
        out: TextIO = sys.stdout,
        files_dir: Path = Path("data/out"),
    ) -> None:
        self.dispatcher = dispatcher
        self.user_id = user_id
        self.out = out
        self.files_dir = files_dir

    def inbound(self, line: str) -> Inbound:
        """Turn one typed line into an Inbound."""
        base = {
            "channel": CHANNEL,
            "chat_id": self.user_id,
            "user_id": self.user_id,
            "is_group": False,  # a terminal is one person's private chat
        }
        if line.startswith("#phone "):
            return Inbound(**base, kind=Kind.CONTACT, phone=line[7:].strip())
        if line.startswith("#file "):
            path = Path(line[6:].strip())
            if path.is_file():
                return Inbound(
                    **base, kind=Kind.FILE, file=InboundFile(path.name, path.read_bytes())
                )
            return Inbound(**base, kind=Kind.UNSUPPORTED)
        return Inbound(**base, text=line)

    async def say(self, line: str) -> list[Reply]:
        inbound = self.inbound(line)
        if inbound.kind is not Kind.FILE:
            return await self.dispatcher.handle(inbound)
        progress = ProgressShown(self._line)  # a long import prints a line every 20%
        replies = await self.dispatcher.handle(replace(inbound, progress=progress))
        await progress.settled()  # every line before the answer
        return replies

    async def _line(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def render(self, reply: Reply) -> str:
        parts = [numbered_choices(reply)]
        if reply.request_phone:
            parts.append(_("(Type #phone followed by your number to share it.)"))
        for attachment in (reply.photo, reply.document):
            if attachment is not None:
                self.files_dir.mkdir(parents=True, exist_ok=True)
                path = self.files_dir / attachment.filename
                path.write_bytes(attachment.data)
                parts.append(f"[{path}]")
        return "\n".join(part for part in parts if part)

    def show(self, replies: list[Reply]) -> None:
        for reply in replies:
            self.out.write(self.render(reply) + "\n\n")
        self.out.flush()

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        """Proactive messages (reminders, notices) are printed as they are sent."""
        self.out.write(f"[{chat_id}] " + self.render(reply) + "\n\n")
        self.out.flush()
        return SendResult(SendStatus.SENT)

    async def run(self, stdin: TextIO = sys.stdin) -> None:
        """Read lines until end of input; prompt only when a person is typing."""
        interactive = stdin.isatty()
        if interactive:  # a person at the keyboard sees the greeting and the menu at once
            self.show(await self.say("/start"))
        while True:
            if interactive:
                self.out.write("> ")
                self.out.flush()
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                return
            line = line.rstrip("\n")
            if interactive and not line.strip():
                continue
            self.show(await self.say(line))
