"""What a channel hands the core: one message from one user, in platform-neutral terms."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What the user sent."""

    TEXT = "text"
    CHOICE = "choice"  # a button press carrying an opaque choice key
    CONTACT = "contact"  # a shared phone number
    FILE = "file"  # a document (e.g. a roster sent by an admin)
    UNSUPPORTED = "unsupported"  # stickers, photos, voice...


@dataclass(frozen=True)
class InboundFile:
    """A document the user sent, already downloaded by the channel."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Inbound:
    """One message from one user on one channel.

    `raw` keeps the platform payload for debugging only; handlers never read it.
    """

    channel: str
    chat_id: str
    user_id: str
    kind: Kind = Kind.TEXT
    text: str = ""
    choice_key: str = ""
    phone: str = ""
    contact_is_own: bool = True
    file: InboundFile | None = None
    display_name: str = ""
    language_code: str = ""
    is_group: bool = False  # a group chat: the core gives it public information only
    raw: Any = field(default=None, compare=False, repr=False)
    # The inbox row this message came from: the dispatcher marks it handled in its transaction.
    inbox_id: int | None = field(default=None, compare=False)
    # The inbox handled the chat's earlier rows first: the dispatcher need not look for them.
    inbox_ordered: bool = field(default=False, compare=False)
    # Where the channel shows a long job's progress while it runs: (share done 0..1, a text
    # with "{percent}" to fill); may be called from any thread. None: the channel shows none.
    progress: Callable[[float, str], None] | None = field(default=None, compare=False, repr=False)

    @property
    def command(self) -> str:
        """The command name without slash or bot name ("start" for "/start@bot x"), or ""."""
        if self.kind is not Kind.TEXT or not self.text.startswith("/"):
            return ""
        head = self.text[1:].split(maxsplit=1)[0] if len(self.text) > 1 else ""
        return head.split("@", 1)[0].lower()

    @property
    def args(self) -> str:
        """What follows the command ("CODE" for "/start CODE")."""
        if not self.command:
            return ""
        parts = self.text.split(maxsplit=1)
        return parts[1].strip() if len(parts) > 1 else ""
