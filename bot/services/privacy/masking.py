"""Masking phone and ID numbers in free text, whatever separates their digits."""

from __future__ import annotations

import re

# Nine digits or more (old ID cards have 9, phones 10 or 11 with 84, chip cards 12), each
# digit after the first allowed up to three separators before it: spaces, dots, commas,
# slashes, underscores, dashes, brackets, a plus ("+84 (91) 234-5678", "0912_345_678").
_SEPARATOR = r"[\s.,/\\_()\[\]+\-\u2010-\u2015\u00b7]{0,3}"
_LONG_NUMBER = re.compile(r"[+(]?\d(?:" + _SEPARATOR + r"\d){8,}\)?")
MASK = "***"


def mask_numbers(text: str) -> str:
    """Hide phone and ID numbers: "sdt (091)2345678" → "sdt ***"; short numbers stay."""
    return _LONG_NUMBER.sub(MASK, text)
