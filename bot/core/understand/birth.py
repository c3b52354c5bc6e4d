"""A birth date as people type it: "12/3/1975", "12-03-75", "năm 1975"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.text import fold

_DMY = re.compile(r"(?<!\d)(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4}|\d{2})(?!\d)")
_WORDS = re.compile(r"(?<!\d)(\d{1,2}) thang (\d{1,2})(?:,)? nam (\d{4}|\d{2})(?!\d)")
_YEAR = re.compile(r"^(?:(?:sinh )?(?:nam|nam sinh)\s*)?(\d{4}|\d{2})$")
OLDEST = 120


@dataclass(frozen=True)
class Born:
    day: date | None = None  # the whole date, when given
    year: int | None = None  # only the year ("năm 1975")


def _full_year(text: str, today: date) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= today.year % 100 else 1900
    return year


def read_birth(text: str, today: date) -> Born | None:
    """The birth date or year in `text`, if it is a real one in the past 120 years."""
    folded = fold(text).strip(" .!")
    folded = re.sub(r"^(?:ngay )?(?:sinh )?(?:ngay )?", "", folded)
    found = _DMY.search(folded) or _WORDS.search(folded)
    if found:
        try:
            day = date(_full_year(found.group(3), today), int(found.group(2)), int(found.group(1)))
        except ValueError:
            return None
        return Born(day=day) if today.year - OLDEST <= day.year and day <= today else None
    only = _YEAR.match(folded)
    if only:
        year = _full_year(only.group(1), today)
        return Born(year=year) if today.year - OLDEST <= year <= today.year else None
    return None
