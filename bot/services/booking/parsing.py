"""Reading dates and times the way Vietnamese team leads type them: "12/7", "7h", "19h30"."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from bot.core.text import fold

_DATE = re.compile(r"^(?:ngay\s+)?(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{2,4}))?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(
    r"^(\d{1,2})\s*(?:h|g|gio|:)?\s*(\d{1,2})?\s*(?:phut|p)?\s*(sang|trua|chieu|toi|dem)?$"
)
_RELATIVE = {"hom nay": 0, "nay": 0, "ngay mai": 1, "mai": 1, "ngay kia": 2, "mai kia": 2}


def parse_day(text: str, today: date) -> date | None:
    """A date from "12/7", "12/7/2027", "12-07-27", "2027-07-12", "hôm nay" or "mai".

    Without a year, the next such date from `today` on (this year or the next). Returns
    None for anything that is not a real date; the caller decides about past dates.
    """
    folded = fold(text)
    if folded in _RELATIVE:
        return today + timedelta(days=_RELATIVE[folded])
    iso = _ISO.match(folded)
    if iso:
        return _make(int(iso[1]), int(iso[2]), int(iso[3]))
    found = _DATE.match(folded)
    if not found:
        return None
    day, month, year_text = int(found[1]), int(found[2]), found[3]
    if year_text:
        year = int(year_text)
        return _make(year + 2000 if year < 100 else year, month, day)
    this_year = _make(today.year, month, day)
    if this_year is None or this_year >= today:
        return this_year
    return _make(today.year + 1, month, day)


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    """A time of day from "7h", "7:30", "19h30", "7 giờ 30", "7h tối" or "07:00"."""
    found = _TIME.match(fold(text))
    if not found:
        return None
    hour, minute = int(found[1]), int(found[2] or 0)
    if found[3] in ("chieu", "toi", "dem") and 1 <= hour < 12:
        hour += 12
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_int(text: str, low: int, high: int) -> int | None:
    """A whole number between `low` and `high` ("3", "3 máy", "10 phút"), else None."""
    found = re.match(r"^(\d{1,4})\b", fold(text))
    if not found:
        return None
    value = int(found[1])
    return value if low <= value <= high else None
