"""Reading the dates people type ("12/7", "mai", "thứ 6 tuần sau", "rằm", "15 âm") into a day.

Durations ("20 ngày", "chừng nửa tháng") count from today; festival words ("tết", "ra giêng")
are lunar days; a day already gone ("hôm qua") is refused as past. Pure functions: the caller
passes today's local date. Lunar dates follow the Vietnamese
calendar (new moons computed at UTC+7) through the `lunar_vn` library. A phrase gives one
day (`Found`), several possible days to ask back about (`Ambiguous`), or a reason it is
refused (`Refused`: not a date, in the past, more than a year ahead).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lunar_vn import LunarDate, solar_to_lunar

from bot.core.text import fold

VN_TZ_HOURS = 7.0
MAX_AHEAD_DAYS = 366


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
FILLER = frozenset(
    [
        "den",
        "toi",
        "cho",
        "khoang",
        "tam",
        "vao",
        "luc",
        "la",
        "thi",
        "moi",
        "se",
        "ve",
        "nhe",
        "nha",
        "a",
        "ak",
        "ha",
        "nhen",
        "di",
        "bien",
        "ra",
        "khoi",
        "tau",
        "o",
        "ngoai",
        "xa",
        "lam",
        "an",
        "em",
        "anh",
        "chi",
        "toi",
        "minh",
        "chung",
        "con",
        "khoang",
        "chung",
        "tam",
        "tai",
        "het",
        "ngay",
        "nay",
        "mi",
        "qua",
        "nhe",
        "chac",
        "tui",
        "tao",
        "dc",
        "duoc",
        "bo",
        "lai",
        "ca",
    ]
)

NUMBER_WORDS = {
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
    "muoi": 10,
}
WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "nam": 3, "sau": 4, "bay": 5}
LUNAR_MONTH_WORDS = {"gieng": 1, "gieng nam": 1, "chap": 12, "mot": 11}

_UNITS = r"(?:mot|hai|ba|bon|tu|lam|nam|sau|bay|tam|chin)"
# "hai mươi", "mười lăm", "ba mươi mốt" before the single words they start with
_NUM = (
    r"\d{1,2}|(?:(?:hai|ba|bon|nam|sau|bay|tam|chin) muoi|muoi)(?: "
    + _UNITS
    + r")?|"
    + "|".join(NUMBER_WORDS)
)
_NEXT = r"(?:sau|toi)"


@dataclass(frozen=True)
class _Rule:
    pattern: re.Pattern[str]
    days: Callable[[re.Match[str], date], list[date] | None]
    loose: bool = True  # also found inside a longer message ("mốt" is also "một": no)


def _number(token: str) -> int:
    if token.isdigit():
        return int(token)
    words = token.split()
    if "muoi" not in words:
        return NUMBER_WORDS[token]
    at = words.index("muoi")
    tens = NUMBER_WORDS[words[0]] if at else 1
    ones = words[at + 1] if len(words) > at + 1 else ""
    return tens * 10 + ({"lam": 5, "mot": 1}.get(ones) or NUMBER_WORDS.get(ones, 0))


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


# --- lunar calendar -------------------------------------------------------------------------


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


# --- rules ----------------------------------------------------------------------------------

_LDAY = r"(?:(?:ngay )?(?:mung|mong) ?(?P<d>\d{1,2}|" + "|".join(NUMBER_WORDS) + r")|(?P<ram>ram))"
_AM = r"(?: am(?: lich)?)"
_LMONTH = r"(?P<m>\d{1,2}|gieng|chap)"


def _lunar_number(m: re.Match[str]) -> int:
    groups = m.groupdict()
    if groups.get("ram"):
        return 15
    return _number(groups.get("d") or groups["dn"])


def _lunar_full(m: re.Match[str], today: date) -> list[date] | None:
    number = _lunar_number(m)
    return _lunar_in_month(number, _lunar_month_number(m.group("m")), today)


def _lunar_next_month(m: re.Match[str], today: date) -> list[date] | None:
    return _next_lunar_day(_lunar_number(m), today, skip_months=1)


def _lunar_day(m: re.Match[str], today: date) -> list[date] | None:
    return _next_lunar_day(_lunar_number(m), today)


def _this_or_next_year(day_number: int, month: int, today: date) -> list[date] | None:
    day = _safe_date(today.year, month, day_number)
    if day is None and month == 2 and day_number == 29:
        day = _safe_date(today.year + 1, 2, 29)
    if day is None:
        return None
    if day < today:
        day = _safe_date(today.year + 1, month, day_number)
    return [day] if day else None


def _solar_dmy(m: re.Match[str], today: date) -> list[date] | None:
    day_number, month = int(m.group("d")), int(m.group("m"))
    year_text = m.group("y")
    if year_text is None:
        return _this_or_next_year(day_number, month, today)
    year = int(year_text) + (2000 if len(year_text) == 2 else 0)
    day = _safe_date(year, month, day_number)
    return [day] if day else None


def _solar_day_of_month(m: re.Match[str], today: date) -> list[date] | None:
    number = int(m.group("d"))
    if m.group("next"):
        start = _add_months(today.replace(day=1), 1)
        day = _safe_date(start.year, start.month, number)
        return [day] if day else None
    for months in range(3):
        start = _add_months(today.replace(day=1), months)
        day = _safe_date(start.year, start.month, number)
        if day is not None and day >= today:
            return [day]
    return None


def _relative(offset: int) -> Callable[[re.Match[str], date], list[date]]:
    return lambda _m, today: [today + timedelta(days=offset)]


def _in_some(m: re.Match[str], today: date) -> list[date] | None:
    count = _number(m.group("n"))
    unit = m.group("unit")
    if unit in ("ngay", "bua", "hom"):
        return [today + timedelta(days=count)]
    if m.groupdict().get("half"):
        return [_add_months(today, count) + timedelta(days=15)]
    if unit == "tuan":
        return [today + timedelta(weeks=count)]
    return [_add_months(today, count)]


def _weekday(m: re.Match[str], today: date) -> list[date] | None:
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


def _next_week(_m: re.Match[str], today: date) -> list[date]:
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
    return [monday + timedelta(days=n) for n in range(7)]


def _weekend(_m: re.Match[str], today: date) -> list[date]:
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        return [today, today + timedelta(days=6), today + timedelta(days=7)]
    return [saturday, saturday + timedelta(days=1)]


def _month_end_rule(m: re.Match[str], today: date) -> list[date]:
    ahead = 1 if m.group("next") else 0
    if not ahead and today == _month_end(today.year, today.month):
        ahead = 1  # on the last day, "cuối tháng" means next month's end
    month = _add_months(today.replace(day=1), ahead)
    return [_month_end(month.year, month.month)]


def _year_end(_m: re.Match[str], today: date) -> list[date]:
    return [date(today.year + (today.month == 12 and today.day == 31), 12, 31)]


def _new_year(_m: re.Match[str], today: date) -> list[date]:
    return [date(today.year + 1, 1, 1)]


def _christmas(_m: re.Match[str], today: date) -> list[date]:
    this_year = date(today.year, 12, 25)
    return [this_year if this_year >= today else date(today.year + 1, 12, 25)]


def _next_month(_m: re.Match[str], today: date) -> list[date]:
    return [_add_months(today, 1)]


def _half_month(_m: re.Match[str], today: date) -> list[date]:
    return [today + timedelta(days=15)]


def _lunar_new_year(day_number: int) -> Callable[[re.Match[str], date], list[date] | None]:
    return lambda _m, today: _lunar_in_month(day_number, 1, today)


def _month_start_rule(_m: re.Match[str], today: date) -> list[date]:
    return [_add_months(today.replace(day=1), 1)]


def _mid_month(m: re.Match[str], today: date) -> list[date] | None:
    month = _add_months(today.replace(day=1), 1 if m.group("next") else 0)
    day = month.replace(day=15)
    return [day] if day >= today else [_add_months(day, 1)]


def _rule(
    pattern: str, days: Callable[[re.Match[str], date], list[date] | None], loose: bool = True
) -> _Rule:
    return _Rule(re.compile(r"(?<![\w/.-])(?:" + pattern + r")(?![\w/-])"), days, loose)


_DN = r"(?P<dn>\d{1,2})"
RULES: tuple[_Rule, ...] = (
    # festivals first: "mùng 1 Tết" is Tết, not the next lunar first
    _rule(r"(?:sau|qua|het|ra) tet|ra gieng", _lunar_new_year(7)),
    _rule(r"(?:ngay )?tet(?: am lich| nguyen dan)?|mung (?:mot|1) tet", _lunar_new_year(1)),
    # lunar, with a month: "mùng 1 tháng 10 âm", "rằm tháng giêng", "15/8 âm"
    _rule(_LDAY + r" thang " + _LMONTH + _AM + "?", _lunar_full),
    _rule(r"(?:ngay )?" + _DN + r" thang " + _LMONTH + _AM, _lunar_full),
    _rule(_DN + r"[/-]" + _LMONTH + _AM, _lunar_full),
    # lunar, next month: "mùng 5 tháng sau", "rằm tháng tới", "15 âm tháng sau"
    _rule(_LDAY + _AM + r"? thang " + _NEXT, _lunar_next_month),
    _rule(r"(?:ngay )?" + _DN + _AM + r" thang " + _NEXT, _lunar_next_month),
    # lunar day: "rằm", "mùng 5", "15 âm"
    _rule(_LDAY + _AM + "?", _lunar_day),
    _rule(r"(?:ngay )?" + _DN + _AM, _lunar_day),
    # solar: "12/7", "12-7-2027", "12/7/27", "ngày 12 tháng 7 năm 2027"
    _rule(r"(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>\d{4}|\d{2}))?", _solar_dmy),
    _rule(r"(?:ngay )?(?P<d>\d{1,2}) thang (?P<m>\d{1,2})(?:,? nam (?P<y>\d{4}))?", _solar_dmy),
    _rule(r"ngay (?P<d>\d{1,2})(?P<next> thang " + _NEXT + ")?", _solar_day_of_month),
    # relative
    _rule(r"(?:sau )?(?P<n>" + _NUM + r") (?P<unit>ngay|tuan|thang|bua) (?:nua|toi)", _in_some),
    _rule(r"sau (?P<n>" + _NUM + r") (?P<unit>ngay|tuan|thang)", _in_some),
    _rule(r"(?<!thu )(?P<n>" + _NUM + r") (?P<unit>thang)(?P<half> ruoi)", _in_some),
    _rule(
        r"(?:sau |trong )?(?<!thu )(?P<n>" + _NUM + r") (?P<unit>ngay|tuan|thang|bua)", _in_some
    ),
    _rule(r"nua thang(?: nua)?", _half_month),
    _rule(r"(?:ngay )?hom nay|bua nay", _relative(0)),
    _rule(r"(?:ngay |hom |bua )qua", _relative(-1)),
    _rule(r"hom kia|bua kia", _relative(-2)),
    _rule(r"tuan truoc", _relative(-7)),
    _rule(r"thang truoc", _relative(-30)),
    _rule(r"mai mot", lambda _m, _today: None),  # "some day soon": ask for a date
    _rule(r"(?:ngay |sang |chieu |toi )?mai", _relative(1)),
    _rule(r"(?:sang|trua|chieu|toi) nay", _relative(0)),
    _rule(r"cuoi nam(?: nay)?", _year_end),
    _rule(r"dau nam (?:sau|toi)|tet duong(?: lich)?", _new_year),
    _rule(r"noel|giang sinh", _christmas),
    _rule(r"ngay mot|ngay kia", _relative(2)),
    _rule(r"mot", _relative(2), loose=False),
    _rule(
        r"(?:thu ?(?P<wd>[2-7]|hai|ba|tu|nam|sau|bay)|t(?P<t>[2-7])|(?P<cn>chu nhat|cn))"
        r"(?P<next> tuan (?:sau|toi))?(?: nay)?",
        _weekday,
    ),
    _rule(r"tuan (?:sau|toi)", _next_week),
    _rule(r"cuoi tuan(?: nay)?", _weekend),
    _rule(r"(?:cuoi|het) thang(?P<next> " + _NEXT + r")?(?: nay)?", _month_end_rule),
    _rule(r"dau thang (?:sau|toi)|dau thang", _month_start_rule),
    _rule(r"giua thang(?P<next> " + _NEXT + r")?(?: nay)?", _mid_month),
    _rule(r"thang " + _NEXT, _next_month),
)


# --- parsing --------------------------------------------------------------------------------


def _match(folded: str, whole: bool) -> tuple[_Rule, re.Match[str]] | None:
    for rule in RULES:
        if not (whole or rule.loose):
            continue
        found = rule.pattern.search(folded)
        if found:
            return rule, found
    return None


def mentions_date(text: str) -> bool:
    """Whether the text holds something that reads as a date (no calendar needed)."""
    return _match(fold(text), whole=False) is not None


def _judge(days: list[date] | None, today: date, lunar: bool) -> Parsed:
    if not days:
        return Refused(Problem.NOT_A_DATE)
    limit = _safe_date(today.year + 1, today.month, today.day) or today + timedelta(days=365)
    fitting = [d for d in days if today <= d <= limit]
    if not fitting:
        problem = Problem.PAST if max(days) < today else Problem.TOO_FAR
        return Refused(problem, days[0])
    if len(fitting) > 1:
        return Ambiguous(tuple(fitting))
    return Found(fitting[0], lunar_of(fitting[0]) if lunar else None)


def _parse_folded(folded: str, today: date, whole: bool) -> Parsed | None:
    hit = _match(folded, whole)
    if hit is None:
        return None
    rule, found = hit
    if whole:
        rest = (folded[: found.start()] + " " + folded[found.end() :]).replace(",", " ")
        if any(word not in FILLER for word in rest.split()):
            return None
    lunar = (
        rule.days in (_lunar_full, _lunar_next_month, _lunar_day)
        or "tet" in found.group(0)
        or "gieng" in found.group(0)
    )
    return _judge(rule.days(found, today), today, lunar)


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
        return _safe_date(int(iso[1]), int(iso[2]), int(iso[3]))
    parsed = parse(text, today)
    if isinstance(parsed, Found):
        return parsed.day
    if isinstance(parsed, Ambiguous):
        return parsed.candidates[0]
    return parsed.day
