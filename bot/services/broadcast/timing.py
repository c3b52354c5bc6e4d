"""When a notice goes out: times and date ranges as people type them, quiet hours."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.core.i18n import LOCAL_TZ, to_local
from bot.core.text import fold
from bot.services.quiet_hours import QuietHours

logger = logging.getLogger(__name__)

MAX_AHEAD = timedelta(days=60)  # how far ahead a notice may be scheduled
MAX_RANGE = timedelta(days=62)  # the longest "coming in between" window


class WhenError(StrEnum):
    BAD = "bad"
    PAST = "past"
    TOO_FAR = "too_far"


_TIME = re.compile(r"\b(\d{1,2})\s*(?:h|g|gio|:)\s*(\d{2})?(?!\d)")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")
_AFTERNOON = ("chieu", "toi", "pm")


def _date_from(match: re.Match[str], today: date) -> date | None:
    """A typed day: "5/12" (this year, or next if that was long ago) or "5/12/2027"."""
    day, month, year = int(match[1]), int(match[2]), match[3]
    full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else today.year
    try:
        found = date(full_year, month, day)
    except ValueError:
        return None
    if not year and found < today - timedelta(days=180):
        found = found.replace(year=today.year + 1)
    return found


def parse_when(text: str, now: datetime) -> datetime | WhenError:
    """When to send: "17h", "18:30 5/12", "mai 7h30", "7h toi"; returned in UTC."""
    folded = fold(text)
    found = _TIME.search(folded)
    if found is None:
        return WhenError.BAD
    hour, minute = int(found[1]), int(found[2] or 0)
    rest = f"{folded[: found.start()]} {folded[found.end() :]}"
    if hour < 12 and any(word in rest.split() for word in _AFTERNOON):
        hour += 12
    if hour > 23 or minute > 59:
        return WhenError.BAD
    local = to_local(now)
    typed_day = _DATE.search(rest)
    if typed_day is not None:
        day = _date_from(typed_day, local.date())
        if day is None:
            return WhenError.BAD
    elif "ngay kia" in rest:
        day = local.date() + timedelta(days=2)
    elif "mai" in rest.split():
        day = local.date() + timedelta(days=1)
    else:
        day = local.date()
    moment = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)
    if typed_day is None and moment <= local and "nay" not in rest.split():
        moment += timedelta(days=1)  # "17h" said after five means tomorrow
    if moment <= local:
        return WhenError.PAST
    if moment - local > MAX_AHEAD:
        return WhenError.TOO_FAR
    return moment.astimezone(UTC)


class RangeError(StrEnum):
    BAD = "bad"
    PAST = "past"
    TOO_LONG = "too_long"


def parse_range(text: str, today: date) -> tuple[date, date] | RangeError:
    """Two days ("3/12 - 10/12", "tu 3/12 den 10/12") or one; in order."""
    days = [_date_from(m, today) for m in _DATE.finditer(fold(text))]
    if not days or len(days) > 2 or None in days:
        return RangeError.BAD
    first, last = min(days), max(days)  # type: ignore[type-var]
    assert first is not None and last is not None
    if last < today:
        return RangeError.PAST
    if last - first > MAX_RANGE:
        return RangeError.TOO_LONG
    return first, last


def out_of_quiet_hours(moment: datetime, start: time, end: time) -> tuple[datetime, bool]:
    """`moment`, or the end of the quiet hours if it falls inside them; and whether it moved."""
    allowed = QuietHours(start, end).next_allowed(moment)
    return allowed, allowed != moment
