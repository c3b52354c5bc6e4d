"""Times of day as people type them: "8h30", "8g30", "8 giờ rưỡi", "2 giờ chiều", "sáng"."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.core.text import fold


@dataclass(frozen=True)
class At:
    """One time: "8h30". `sure` is False when the hour could be morning or afternoon ("2h")."""

    at: time
    sure: bool = True


@dataclass(frozen=True)
class Between:
    """A span: "7h đến 11h", or a part of the day ("chiều" is 12:00 to 18:00)."""

    start: time
    end: time


@dataclass(frozen=True)
class Earliest:
    """ "sớm nhất": the first one offered."""


@dataclass(frozen=True)
class Anytime:
    """ "giờ nào cũng được": any one offered."""


When = At | Between | Earliest | Anytime

PARTS = {
    "dau gio chieu": (time(13, 0), time(15, 0)),
    "cuoi gio chieu": (time(15, 0), time(18, 0)),
    "dau gio sang": (time(7, 0), time(9, 0)),
    "sang": (time(0, 0), time(12, 0)),
    "trua": (time(11, 0), time(13, 30)),
    "chieu": (time(12, 0), time(18, 0)),
    "toi": (time(18, 0), time(23, 59)),
    "dem": (time(18, 0), time(23, 59)),
}
_LATE = ("chieu", "toi", "dem")
_EARLIEST = re.compile(r"\b(?:som nhat|som nhut|cang som cang tot|som nha?t co the|dau tien)\b")
_ANY = re.compile(
    r"\b(?:(?:gio|luc|buoi|khung) nao cung (?:duoc|dc|ok)|sao cung (?:duoc|dc)|tuy|bat ky"
    r"|gio nao cung dc|khi nao cung duoc)\b"
)
HOUR_WORDS = {
    "muoi hai": 12,
    "muoi mot": 11,
    "muoi": 10,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "nam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_HOUR = r"\d{{1,2}}|" + "|".join(HOUR_WORDS).replace("{", "")
_MIN = r"(?:(?P<{m}>\d{{1,2}})\s*(?:phut|p)?|(?P<{r}>ruoi)|kem\s*(?P<{k}>\d{{1,2}})\s*(?:phut|p)?)"
# "8h30", "8g30", "8 giờ rưỡi", "7 rưỡi", "9 giờ kém 15", "chín giờ", then "sáng"/"chiều"...
_CLOCK = (
    r"(?P<{h}>"
    + _HOUR
    + r")(?:\s*(?:h|g|gio|:)\s*"
    + _MIN
    + r"?|\s+(?P<{r2}>ruoi))"
    + r"(?:\s*(?:(?:buoi\s+)?(?P<{q}>sang|trua|chieu|toi|dem)))?"
)
_ONE = re.compile(
    r"(?<![\d/.:-])" + _CLOCK.format(h="h", m="m", r="r", k="k", r2="r2", q="q") + r"(?![\w/])"
)
_RANGE = re.compile(
    r"(?:tu\s+)?(?<![\d/.:-])"
    + _CLOCK.format(h="h1", m="m1", r="r1", k="k1", r2="s1", q="q1")
    + r"\s*(?:-|–|den|toi|\bto\b)\s*"
    + _CLOCK.format(h="h2", m="m2", r="r2", k="k2", r2="s2", q="q2")
    + r"(?![\w/])"
)
_PART = re.compile(
    r"(?:buoi\s+)?\b(?P<p>(?:dau|cuoi) gio (?:sang|chieu)|sang|trua|chieu|toi|dem)\b"
)


def _clock(
    hour: str, minute: str | None, half: str | None, part: str | None, less: str | None = None
) -> At | None:
    h = int(hour) if hour.isdigit() else HOUR_WORDS[hour]
    m = 30 if half else int(minute or 0)
    if less:  # "9 giờ kém 15": 8:45
        h, m = (h - 1) % 24, 60 - int(less)
        if not 0 < int(less) < 60:
            return None
    if part in _LATE and 1 <= h < 12:
        h += 12
    if part == "trua" and h < 6:
        h += 12
    if h == 24 and m == 0:
        h = 0
    if h > 23 or m > 59:
        return None
    sure = part is not None or h == 0 or h >= 12 or h >= 7  # "2h" may be 14:00; "8h" is 8:00
    return At(time(h, m), sure)


def read_time(text: str) -> When | None:
    """The time or span of the day mentioned in `text`, if any (searched, not whole)."""
    folded = fold(text)
    if _EARLIEST.search(folded):
        return Earliest()
    if _ANY.search(folded):
        return Anytime()
    span = _RANGE.search(folded)
    if span:
        part2 = span["q2"]
        first = _clock(span["h1"], span["m1"], span["r1"] or span["s1"], span["q1"], span["k1"])
        second = _clock(span["h2"], span["m2"], span["r2"] or span["s2"], part2, span["k2"])
        if first and second:
            if part2 in _LATE and first.at.hour < 12 and first.at.hour + 12 < second.at.hour:
                first = At(time(first.at.hour + 12, first.at.minute))
            return Between(first.at, second.at)
    one = _ONE.search(folded)
    if one:
        return _clock(one["h"], one["m"], one["r"] or one["r2"], one["q"], one["k"])
    part = _PART.search(folded)
    if part:
        start, end = PARTS[part["p"]]
        return Between(start, end)
    return None


def clock(text: str) -> time | None:
    """A whole answer that is one time of day ("7h", "19h30", "7 giờ tối"), else None."""
    folded = fold(text).strip(" .!")
    found = _ONE.fullmatch(folded) or re.fullmatch(r"(?P<h>\d{1,2}):(?P<m>\d{2})", folded)
    if not found:
        return None
    groups = found.groupdict()
    at = _clock(
        groups["h"],
        groups.get("m"),
        groups.get("r") or groups.get("r2"),
        groups.get("q"),
        groups.get("k"),
    )
    return at.at if at else None


def span(text: str) -> tuple[time, time] | None:
    """A whole answer that is a span ("7h đến 11h", "7:00-11:30"), else None."""
    found = read_time(text)
    return (
        (found.start, found.end)
        if isinstance(found, Between) and _RANGE.search(fold(text))
        else None
    )
