"""The date phrases, in the order they are tried, each with the reader that makes its days."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.core.understand.dates.lunar import (
    AM,
    LDAY,
    LMONTH,
    lunar_day,
    lunar_full,
    lunar_new_year,
    lunar_next_month,
)
from bot.core.understand.dates.relative import (
    christmas,
    end_of_month,
    half_month,
    in_some,
    mid_month,
    new_year,
    next_month,
    next_week,
    relative,
    start_of_next_month,
    weekday,
    weekend,
    year_end,
)
from bot.core.understand.dates.solar import solar_day_of_month, solar_dmy
from bot.core.understand.numbers import SPOKEN_NUMBER

_NEXT = r"(?:sau|toi)"
_N = SPOKEN_NUMBER


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    days: Callable[[re.Match[str], date], list[date] | None]
    loose: bool = True  # also found inside a longer message ("mốt" is also "một": no)
    lunar: bool = False  # a lunar date: the day found is also told in the lunar calendar


def _rule(
    pattern: str,
    days: Callable[[re.Match[str], date], list[date] | None],
    loose: bool = True,
    lunar: bool = False,
) -> Rule:
    return Rule(re.compile(r"(?<![\w/.-])(?:" + pattern + r")(?![\w/-])"), days, loose, lunar)


_DN = r"(?P<dn>\d{1,2})"
RULES: tuple[Rule, ...] = (
    # festivals first: "mùng 1 Tết" is Tết, not the next lunar first
    _rule(r"(?:sau|qua|het|ra) tet|ra gieng", lunar_new_year(7), lunar=True),
    _rule(
        r"(?:ngay )?tet(?: am lich| nguyen dan)?|mung (?:mot|1) tet",
        lunar_new_year(1),
        lunar=True,
    ),
    # lunar, with a month: "mùng 1 tháng 10 âm", "rằm tháng giêng", "15/8 âm"
    _rule(LDAY + r" thang " + LMONTH + AM + "?", lunar_full, lunar=True),
    _rule(r"(?:ngay )?" + _DN + r" thang " + LMONTH + AM, lunar_full, lunar=True),
    _rule(_DN + r"[/-]" + LMONTH + AM, lunar_full, lunar=True),
    # lunar, next month: "mùng 5 tháng sau", "rằm tháng tới", "15 âm tháng sau"
    _rule(LDAY + AM + r"? thang " + _NEXT, lunar_next_month, lunar=True),
    _rule(r"(?:ngay )?" + _DN + AM + r" thang " + _NEXT, lunar_next_month, lunar=True),
    # lunar day: "rằm", "mùng 5", "15 âm"
    _rule(LDAY + AM + "?", lunar_day, lunar=True),
    _rule(r"(?:ngay )?" + _DN + AM, lunar_day, lunar=True),
    # solar: "12/7", "12-7-2027", "12/7/27", "ngày 12 tháng 7 năm 2027"
    _rule(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?", solar_dmy),
    _rule(r"(?:ngay )?(?P<d>\d{1,2}) thang (?P<m>\d{1,2})(?:,? nam (?P<y>\d{4}))?", solar_dmy),
    _rule(r"ngay (?P<d>\d{1,2})(?P<next> thang " + _NEXT + ")?", solar_day_of_month),
    # relative
    _rule(r"(?:sau )?(?P<n>" + _N + r") (?P<unit>ngay|tuan|thang|bua) (?:nua|toi)", in_some),
    _rule(r"sau (?P<n>" + _N + r") (?P<unit>ngay|tuan|thang)", in_some),
    _rule(r"(?<!thu )(?P<n>" + _N + r") (?P<unit>thang)(?P<half> ruoi)", in_some),
    _rule(r"(?:sau |trong )?(?<!thu )(?P<n>" + _N + r") (?P<unit>ngay|tuan|thang|bua)", in_some),
    _rule(r"nua thang(?: nua)?", half_month),
    _rule(r"(?:ngay )?hom nay|bua nay", relative(0)),
    _rule(r"(?:ngay |hom |bua )qua", relative(-1)),
    _rule(r"hom kia|bua kia", relative(-2)),
    _rule(r"tuan truoc", relative(-7)),
    _rule(r"thang truoc", relative(-30)),
    _rule(r"mai mot", lambda _m, _today: None),  # "some day soon": ask for a date
    _rule(r"(?:ngay |sang |chieu |toi )?mai", relative(1)),
    _rule(r"(?:sang|trua|chieu|toi) nay", relative(0)),
    _rule(r"cuoi nam(?: nay)?", year_end),
    _rule(r"dau nam (?:sau|toi)|tet duong(?: lich)?", new_year),
    _rule(r"noel|giang sinh", christmas),
    _rule(r"ngay mot|ngay kia", relative(2)),
    _rule(r"mot", relative(2), loose=False),
    _rule(
        r"(?:thu ?(?P<wd>[2-7]|hai|ba|tu|nam|sau|bay)|t(?P<t>[2-7])|(?P<cn>chu nhat|cn))"
        r"(?P<next> tuan (?:sau|toi))?(?: nay)?",
        weekday,
    ),
    _rule(r"tuan (?:sau|toi)", next_week),
    _rule(r"cuoi tuan(?: nay)?", weekend),
    _rule(r"(?:cuoi|het) thang(?P<next> " + _NEXT + r")?(?: nay)?", end_of_month),
    _rule(r"dau thang (?:sau|toi)|dau thang", start_of_next_month),
    _rule(r"giua thang(?P<next> " + _NEXT + r")?(?: nay)?", mid_month),
    _rule(r"thang " + _NEXT, next_month),
)


def match(folded: str, whole: bool) -> tuple[Rule, re.Match[str]] | None:
    """The first rule that reads the text (all of it when `whole`), and its match."""
    for rule in RULES:
        if not (whole or rule.loose):
            continue
        found = rule.pattern.search(folded)
        if found:
            return rule, found
    return None
