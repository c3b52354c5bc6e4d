"""Lunar dates ("rằm", "mùng 5 tháng sau", "15/8 âm", "ra giêng") on the Vietnamese calendar.

New moons are computed at UTC+7 through the `lunar_vn` library. The readers take a match of
the rules in bot/core/understand/dates/rules.py and today's date, and give the possible days.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from lunar_vn import LunarDate, solar_to_lunar

from bot.core.understand.numbers import WORDS, spoken_number

VN_TZ_HOURS = 7.0
LUNAR_MONTH_WORDS = {"gieng": 1, "gieng nam": 1, "chap": 12, "mot": 11}


def lunar_of(day: date) -> LunarDate:
    """The Vietnamese lunar date of a solar day."""
    return solar_to_lunar(day, time_zone=VN_TZ_HOURS)


@dataclass(frozen=True)
class LunarMonth:
    start: date  # the solar day of mùng 1
    length: int  # 29 or 30
    month: int
    year: int
    leap: bool

    def day(self, number: int) -> date | None:
        return self.start + timedelta(days=number - 1) if 1 <= number <= self.length else None


def lunar_months(from_day: date) -> Iterator[LunarMonth]:
    """The lunar month containing `from_day`, then each following one."""
    start = from_day - timedelta(days=lunar_of(from_day).day - 1)
    while True:
        head = lunar_of(start)
        probe = start + timedelta(days=29)
        length = 29 if lunar_of(probe).day == 1 else 30
        yield LunarMonth(start, length, head.month, head.year, head.leap)
        start += timedelta(days=length)


def _next_lunar_day(number: int, today: date, skip_months: int = 0) -> list[date] | None:
    """Lunar day `number` in this lunar month (or the next if it passed), or `skip_months` on."""
    if not 1 <= number <= 30:
        return None
    found: list[date] = []
    for index, month in enumerate(lunar_months(today)):
        if index > 14:
            break
        if index < skip_months:
            continue
        day = month.day(number)
        if day is None or day < today:
            if skip_months:
                return None  # "mùng 30 tháng sau" in a 29-day month
            continue
        found.append(day)
        if day > today or skip_months:
            break  # on the day itself: today, or the next month's (asked back)
    return found or None


def _lunar_in_month(number: int, month: int, today: date) -> list[date] | None:
    """Lunar day `number` of lunar month `month`, the next time it comes (not a leap month)."""
    if not (1 <= number <= 30 and 1 <= month <= 12):
        return None
    for index, lunar in enumerate(lunar_months(today)):
        if index > 14:
            break
        if lunar.month != month or lunar.leap:
            continue
        day = lunar.day(number)
        if day is None:
            return None
        if day >= today:
            return [day]
    return None


def _lunar_month_number(token: str) -> int:
    return LUNAR_MONTH_WORDS[token] if token in LUNAR_MONTH_WORDS else int(token)


# --- readers -------------------------------------------------------------------------

LDAY = r"(?:(?:ngay )?(?:mung|mong) ?(?P<d>\d{1,2}|" + "|".join(WORDS) + r")|(?P<ram>ram))"
AM = r"(?: am(?: lich)?)"
LMONTH = r"(?P<m>\d{1,2}|gieng|chap)"


def _lunar_number(m: re.Match[str]) -> int:
    groups = m.groupdict()
    if groups.get("ram"):
        return 15
    return spoken_number(groups.get("d") or groups["dn"])


def lunar_full(m: re.Match[str], today: date) -> list[date] | None:
    number = _lunar_number(m)
    return _lunar_in_month(number, _lunar_month_number(m.group("m")), today)


def lunar_next_month(m: re.Match[str], today: date) -> list[date] | None:
    return _next_lunar_day(_lunar_number(m), today, skip_months=1)


def lunar_day(m: re.Match[str], today: date) -> list[date] | None:
    return _next_lunar_day(_lunar_number(m), today)


def lunar_new_year(day_number: int) -> Callable[[re.Match[str], date], list[date] | None]:
    return lambda _m, today: _lunar_in_month(day_number, 1, today)
