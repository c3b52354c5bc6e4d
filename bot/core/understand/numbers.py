"""Whole numbers typed as answers: "3", "3 máy", "ba người", "10 phút"."""

from __future__ import annotations

import re

from bot.core.text import fold

WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
_LEADING = re.compile(r"^(?:so |chon |lay )?(\d{1,6}|" + "|".join(WORDS) + r")\b")


def whole_number(text: str, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` at the start of the answer, else None."""
    found = _LEADING.match(fold(text).strip())
    if not found:
        return None
    token = found.group(1)
    value = int(token) if token.isdigit() else WORDS[token]
    return value if low <= value <= high else None
