"""Text helpers shared by every flow: folding Vietnamese for comparison."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese tone and vowel marks: "Đăng ký" → "Dang ky"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def fold(text: str) -> str:
    """Lower-case, without diacritics, single-spaced: for comparing what people type."""
    return _SPACES.sub(" ", strip_diacritics(text).lower()).strip()
