"""Reading the dates people type ("12/7", "mai", "thứ 6 tuần sau", "rằm", "15 âm") into a day.

Durations ("20 ngày", "chừng nửa tháng") count from today; festival words ("tết", "ra giêng")
are lunar days; a day already gone ("hôm qua") is refused as past. Pure functions: the caller
passes today's local date. Lunar dates follow the Vietnamese
calendar (new moons computed at UTC+7) through the `lunar_vn` library. A phrase gives one
day (`Found`), several possible days to ask back about (`Ambiguous`), or a reason it is
refused (`Refused`: not a date, in the past, more than a year ahead).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lunar_vn import LunarDate

from bot.core.text import fold
from bot.core.understand.dates.lunar import LunarMonth, lunar_months, lunar_of
from bot.core.understand.dates.months import safe_date
from bot.core.understand.dates.rules import match

__all__ = [
    "Ambiguous",
    "Found",
    "LunarMonth",
    "Parsed",
    "Problem",
    "Refused",
    "day",
    "find_in_text",
    "lunar_months",
    "lunar_of",
    "mentions_date",
    "parse",
]


class Problem(StrEnum):
    NOT_A_DATE = "not_a_date"
    PAST = "past"
    TOO_FAR = "too_far"


@dataclass(frozen=True)
class Found:
    day: date
    lunar: LunarDate | None = None  # set when the phrase was a lunar date


@dataclass(frozen=True)
class Ambiguous:
    candidates: tuple[date, ...]


@dataclass(frozen=True)
class Refused:
    problem: Problem
    day: date | None = None


Parsed = Found | Ambiguous | Refused

# Words that may surround a date without changing it: "đến 12/7", "tới rằm mới về".
_FILLER_WORDS = (
    "den toi cho khoang tam vao luc la thi moi se ve nhe nha a ak ha nhen di bien ra "
    "khoi tau o ngoai xa lam an em anh chi minh chung con tai het ngay nay mi qua "
    "chac tui tao dc duoc bo lai ca"
)
FILLER = frozenset(_FILLER_WORDS.split())


def mentions_date(text: str) -> bool:
    """Whether the text holds something that reads as a date (no calendar needed)."""
    return match(fold(text), whole=False) is not None


def latest_day(today: date) -> date:
    """The furthest a date may be: the same day next year (from 29 February, 28 February)."""
    return safe_date(today.year + 1, today.month, today.day) or today + timedelta(days=365)


def _judge(days: list[date] | None, today: date, lunar: bool) -> Parsed:
    if not days:
        return Refused(Problem.NOT_A_DATE)
    fitting = [d for d in days if today <= d <= latest_day(today)]
    if not fitting:
        problem = Problem.PAST if max(days) < today else Problem.TOO_FAR
        return Refused(problem, days[0])
    if len(fitting) > 1:
        return Ambiguous(tuple(fitting))
    return Found(fitting[0], lunar_of(fitting[0]) if lunar else None)


def _parse_folded(folded: str, today: date, whole: bool) -> Parsed | None:
    hit = match(folded, whole)
    if hit is None:
        return None
    rule, found = hit
    if whole:
        rest = (folded[: found.start()] + " " + folded[found.end() :]).replace(",", " ")
        if any(word not in FILLER for word in rest.split()):
            return None
    return _judge(rule.days(found, today), today, rule.lunar)


def parse(text: str, today: date) -> Parsed:
    """Read a reply that should be only a date (filler words such as "đến" are allowed)."""
    folded = fold(text).strip(" .!?")
    return _parse_folded(folded, today, whole=True) or Refused(Problem.NOT_A_DATE)


def find_in_text(text: str, today: date) -> Parsed | None:
    """The first date phrase in a longer message ("đi biển tới rằm mới về"), if any."""
    return _parse_folded(fold(text), today, whole=False)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def day(text: str, today: date) -> date | None:
    """One day from a whole answer ("12/7", "2027-07-12", "mai", "thứ 7 này"), past ones too.

    For staff steps that check the day themselves. Several possible days give the first.
    """
    folded = fold(text).strip(" .!?")
    iso = _ISO.match(folded)
    if iso:
        return safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    parsed = parse(text, today)
    if isinstance(parsed, Found):
        return parsed.day
    if isinstance(parsed, Ambiguous):
        return parsed.candidates[0]
    return parsed.day
