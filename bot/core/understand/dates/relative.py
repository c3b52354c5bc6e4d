"""Days said from today: "mai", "3 ngày nữa", "thứ 6 tuần sau", "cuối tháng", "noel"."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta

from bot.core.understand.dates.months import add_months, month_end
from bot.core.understand.numbers import spoken_number

WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}


def relative(offset: int) -> Callable[[re.Match[str], date], list[date]]:
    return lambda _m, today: [today + timedelta(days=offset)]


def in_some(m: re.Match[str], today: date) -> list[date] | None:
    count = spoken_number(m.group("n"))
    unit = m.group("unit")
    if unit in ("ngay", "bua", "hom"):
        return [today + timedelta(days=count)]
    if m.groupdict().get("half"):
        return [add_months(today, count) + timedelta(days=15)]
    if unit == "tuan":
        return [today + timedelta(weeks=count)]
    return [add_months(today, count)]


def weekday(m: re.Match[str], today: date) -> list[date] | None:
    if m.group("cn"):
        wanted = 6
    else:
        token = m.group("wd") or m.group("t")
        wanted = int(token) - 2 if token.isdigit() else WEEKDAY_WORDS[token]
        if not 0 <= wanted <= 5:
            return None
    if m.group("next"):
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return [monday + timedelta(days=wanted)]
    ahead = (wanted - today.weekday()) % 7
    if ahead == 0:
        return [today, today + timedelta(weeks=1)]
    return [today + timedelta(days=ahead)]


def next_week(_m: re.Match[str], today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return [monday + timedelta(days=n) for n in range(7)]


def weekend(_m: re.Match[str], today: date) -> list[date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        return [today, today + timedelta(days=6), today + timedelta(days=7)]
    return [saturday, saturday + timedelta(days=1)]


def end_of_month(m: re.Match[str], today: date) -> list[date]:
    ahead = 1 if m.group("next") else 0
    if not ahead and today == month_end(today.year, today.month):
        ahead = 1  # on the last day, "cuối tháng" means next month's end
    month = add_months(today.replace(day=1), ahead)
    return [month_end(month.year, month.month)]


def year_end(_m: re.Match[str], today: date) -> list[date]:
    return [date(today.year + (today.month == 12 and today.day == 31), 12, 31)]


def new_year(_m: re.Match[str], today: date) -> list[date]:
    return [date(today.year + 1, 1, 1)]


def christmas(_m: re.Match[str], today: date) -> list[date]:
    this_year = date(today.year, 12, 25)
    return [this_year if this_year >= today else date(today.year + 1, 12, 25)]


def next_month(_m: re.Match[str], today: date) -> list[date]:
    return [add_months(today, 1)]


def half_month(_m: re.Match[str], today: date) -> list[date]:
    return [today + timedelta(days=15)]


def start_of_next_month(_m: re.Match[str], today: date) -> list[date]:
    return [add_months(today.replace(day=1), 1)]


def mid_month(m: re.Match[str], today: date) -> list[date] | None:
    month = add_months(today.replace(day=1), 1 if m.group("next") else 0)
    day = month.replace(day=15)
    return [day] if day >= today else [add_months(day, 1)]
