"""Whether a message typed in the middle of a flow reads as a question ("mang theo gì vậy?")."""

from __future__ import annotations

import re

from bot.core.text import fold

_ASKING = re.compile(
    r"\b(?:gi|j|sao|the nao|nhu nao|ra sao|bao nhieu|bao lau|bao gio|o dau|cho nao|khi nao"
    r"|may gio|co can|can gi|phai khong|duoc khong|dc khong|khong a|ko a|hok|chua a"
    r"|lam sao|tai sao|vi sao|nhu the nao)\b"
)


def is_question(text: str) -> bool:
    """A question mark, or a question word of everyday Vietnamese, with or without marks."""
    return "?" in text or bool(_ASKING.search(fold(text)))
