"""What every channel provides, and the fallbacks they share."""

from __future__ import annotations

from bot.core.reply import Reply
from bot.core.understand.texts import how_to_answer
from bot.services.delivery import Channel, SendResult, SendStatus

__all__ = ["Channel", "SendResult", "SendStatus", "numbered_choices", "split_text"]


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, on line breaks where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single line longer than the limit: cut at a space
            cut = line.rfind(" ", 0, limit)
            cut = cut if cut > limit // 2 else limit
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:cut].rstrip())
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


def numbered_choices(reply: Reply) -> str:
    """The reply's text with its choices as a numbered list (for channels without buttons)."""
    lines = [reply.text] if reply.text else []
    lines += [f"{i}. {choice.label}" for i, choice in enumerate(reply.choices, start=1)]
    if reply.choices:
        lines.append(how_to_answer())
    return "\n".join(lines)
