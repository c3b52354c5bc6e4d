"""Text helpers shared by every flow: folding Vietnamese for comparison."""

from __future__ import annotations

import functools
import re
import unicodedata

_SPACES = re.compile(r"\s+")
_MAX_KEPT = 20_000  # characters remembered by the table; rarer ones are worked out each time


def _bare(char: str) -> str:
    """One character without its marks, by decomposing it (slow; the table caches it)."""
    decomposed = unicodedata.normalize("NFD", char)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


class _BareTable(dict[int, str]):
    """Code point → the character without marks, filled on first sight, for `str.translate`:
    marks are removed character by character, so a table gives the same text as NFD."""

    def __missing__(self, code: int) -> str:
        bare = _bare(chr(code))
        if len(self) < _MAX_KEPT:
            self[code] = bare
        return bare


_TABLE = _BareTable()


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks: "Đăng ký" → "Dang ky"."""
    return text if text.isascii() else text.translate(_TABLE)


def fold(text: str) -> str:
    """Lower-case, without diacritics, single-spaced: for comparing what people type."""
    if len(text) <= _SHORT:  # labels, words, short answers: the same few come again and again
        return _fold_short(text)
    return _fold(text)


def _fold(text: str) -> str:
    return _SPACES.sub(" ", strip_diacritics(text).lower()).strip()


_SHORT = 80
_fold_short = functools.lru_cache(maxsize=8192)(_fold)
