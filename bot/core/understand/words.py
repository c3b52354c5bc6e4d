"""Splitting a typed answer into words, keeping the marks, and folding a word without them."""

from __future__ import annotations

import re
import unicodedata

from bot.core.text import fold

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def marked_words(text: str) -> list[str]:
    """The words of `text`, lower-case, with their marks (NFC): "Đúng rồi ạ!" → [đúng, rồi, ạ]."""
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def is_bare(word: str) -> bool:
    """Whether a word carries no Vietnamese marks ("dung", not "đúng" nor "dừng")."""
    return fold(word) == word


def word_in(word: str, marked: frozenset[str], bare: frozenset[str]) -> bool:
    """A word is read with its marks where it has them, else by its folded form."""
    return word in marked if not is_bare(word) else word in bare


def folded_set(words: frozenset[str]) -> frozenset[str]:
    return frozenset(fold(w) for w in words)
