"""Reading people from what was typed: a part of a name, a booking number.

A typed name fits a full name when each typed word starts a word of the name: with its marks
when typed with them, folded otherwise ("an" fits "Nguyễn Văn An", not "Văn"; "thi binh"
fits "Trần Thị Bình").
"""

from __future__ import annotations

import re

from bot.core.text import fold
from bot.core.understand.words import is_bare, marked_words

_BOOKING_NUMBER = re.compile(r"^\s*(?:#|so|ma|ma so|lich|lich hen)?\s*#?\s*(\d{1,9})\s*$")


def name_words(text: str) -> list[str]:
    """The words of a typed name, lower-case, with their marks."""
    return marked_words(text)


def fits_name(typed: str, full_name: str) -> bool:
    """Whether every word typed starts a word of `full_name` (at least one word typed)."""
    wanted = name_words(typed)
    if not wanted:
        return False
    words = name_words(full_name)
    return all(any(_starts(w, word) for word in words) for w in wanted)


def _starts(typed: str, word: str) -> bool:
    other = fold(word) if is_bare(typed) else word
    return other.startswith(typed)


def booking_number(text: str) -> int | None:
    """A booking number typed alone: "12", "#12", "số 12", "mã 12"."""
    found = _BOOKING_NUMBER.match(fold(text))
    return int(found.group(1)) if found else None
