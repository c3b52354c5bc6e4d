"""Solar dates written out: "12/7", "12-7-2027", "ngày 12 tháng 7 năm 2027", "ngày 20"."""

from __future__ import annotations

import re
from datetime import date

from bot.core.understand.dates.months import add_months, safe_date


def _this_or_next_year(day_number: int, month: int, today: date) -> list[date] | None:
    day = safe_date(today.year, month, day_number)
    if day is None and month == 2 and day_number == 29:
        day = safe_date(today.year + 1, 2, 29)
    if day is None:
        return None
    if day < today:
        day = safe_date(today.year + 1, month, day_number)
    return [day] if day else None


def solar_dmy(m: re.Match[str], today: date) -> list[date] | None:
    day_number, month = int(m.group("d")), int(m.group("m"))
    year_text = m.group("y")
    if year_text is None:
        return _this_or_next_year(day_number, month, today)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    day = safe_date(year, month, day_number)
    return [day] if day else None


def solar_day_of_month(m: re.Match[str], today: date) -> list[date] | None:
    number = int(m.group("d"))
    if m.group("next"):
        start = add_months(today.replace(day=1), 1)
        day = safe_date(start.year, start.month, number)
        return [day] if day else None
    for months in range(3):
        start = add_months(today.replace(day=1), months)
        day = safe_date(start.year, start.month, number)
        if day is not None and day >= today:
            return [day]
    return None
