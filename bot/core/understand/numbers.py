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
# How many people, said without a number: "mình tui" is one, "hai vợ chồng" two.
PEOPLE = {
    "minh tui": 1,
    "minh toi": 1,
    "minh em": 1,
    "mot minh": 1,
    "1 minh": 1,
    "tui voi vo": 2,
    "toi voi vo": 2,
    "tui voi chong": 2,
    "toi voi chong": 2,
    "vo chong": 2,
    "hai vo chong": 2,
    "2 vo chong": 2,
}
_UNITS = r"(?:mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin)"
# A number said or typed inside a phrase: "12", "hai mươi", "mười lăm", "ba mươi mốt" (the
# tens before the single words they start with), for `spoken_number`.
SPOKEN_NUMBER = (
    r"\d{1,2}|(?:(?:hai|ba|bon|nam|sau|bay|tam|chin) muoi|muoi)(?: "
    + _UNITS
    + r")?|"
    + "|".join(WORDS)
)
_LEADING = re.compile(r"^(?:so |chon |lay )?(\d{1,6}|" + "|".join(WORDS) + r")\b")


def whole_number(text: str, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` at the start of the answer, else None."""
    folded = fold(text).strip(" .!")
    if folded in PEOPLE:
        return PEOPLE[folded] if low <= PEOPLE[folded] <= high else None
    found = _LEADING.match(folded)
    if not found:
        return None
    token = found.group(1)
    value = int(token) if token.isdigit() else WORDS[token]
    return value if low <= value <= high else None


def spoken_number(token: str) -> int:
    """The value of a token matched by SPOKEN_NUMBER: "12", "ba", "hai muoi lam" (25)."""
    if token.isdigit():
        return int(token)
    words = token.split()
    if "muoi" not in words:
        return WORDS[token]
    at = words.index("muoi")
    tens = WORDS[words[0]] if at else 1
    ones = words[at + 1] if len(words) > at + 1 else ""
    return tens * 10 + ({"lam": 5, "mot": 1}.get(ones) or WORDS.get(ones, 0))
