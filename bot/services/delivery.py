"""What the outbox sender needs of a channel: deliver one reply, and say how it went.

The channels implement this (bot/channels/base.py re-exports it); the sender is given them,
so the services never import a channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.core.reply import Reply


class SendStatus(StrEnum):
    SENT = "sent"
    RETRY = "retry"  # transient: try again later (after `retry_after` seconds if given)
    BLOCKED = "blocked"  # the user blocked the bot or left: stop writing to them
    FAILED = "failed"  # permanent for this message


@dataclass(frozen=True)
class SendResult:
    status: SendStatus
    retry_after: float = 0.0
    error: str = ""


class Channel(Protocol):
    """A platform the bot talks on."""

    name: str
    text_limit: int

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        """Send one reply (split as needed) to a chat; used for proactive messages."""
        ...
