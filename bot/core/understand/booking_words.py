"""What people type around a booking: to start, see or cancel one; at the times offered; names.

Sentences are compared folded (without marks); times are read by bot/core/understand/times.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from bot.core.text import fold
from bot.core.understand import times

START = ("dat lich", "dang ky lich", "hen lich", "dat cho", "book")
CANCEL = (
    "huy lich",
    "huy hen",
    "huy dat lich",
    "huy cuoc hen",
    "bo lich",
    "khong di duoc nua",
    "ko di duoc nua",
    "k di duoc nua",
    "khong di dc nua",
    "ko di dc nua",
    "cancel my booking",
    "cancel booking",
)
MINE = ("lich cua", "lich hen cua", "xem lich", "tui hen ngay nao", "toi hen ngay nao")
LATER = ("sau", "tiep", "trang sau", "gio sau", "them", "xem them", "later", "next")
EARLIER = ("truoc", "trang truoc", "gio truoc", "earlier")
SKIP = ("bo qua", "khong", "ko", "thoi", "skip", "khong can")
# Parts of the day by local hour, [start, end): how the times offered are grouped.
PARTS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
_PART_NAMES = {"morning": "morning", "afternoon": "afternoon", "evening": "evening"}
_LEADING = ("luc ", "khoang ", "tam ")
_NAMES = re.compile(r"[,;\n]")
NAME_LENGTH = 60


def asks_to_book(folded: str) -> bool:
    """ "đặt lịch", "hẹn lịch": start booking."""
    return folded.startswith(START)


def asks_to_cancel(folded: str) -> bool:
    """ "huỷ lịch", "không đi được nữa": cancel a booking."""
    return folded.startswith(CANCEL)


def asks_for_mine(folded: str) -> bool:
    """ "lịch của tui", "xem lịch": the household's bookings."""
    return folded.startswith(MINE)


@dataclass(frozen=True)
class Page:
    """Later (+1) or earlier (-1) times."""

    step: int


@dataclass(frozen=True)
class Part:
    """One part of the day: morning, afternoon or evening."""

    name: str


@dataclass(frozen=True)
class First:
    """ "sớm nhất", "giờ nào cũng được": the first time with room."""


@dataclass(frozen=True)
class At:
    """A time of day: the slot holding it, else the nearest ones.

    `sure` is False when the hour could be morning or afternoon ("2h").
    """

    at: time
    sure: bool = True


SlotAnswer = Page | Part | First | At


def part_of_hour(hour: int) -> str:
    return next(name for name, (low, high) in PARTS.items() if low <= hour < high)


def read_slot(text: str) -> SlotAnswer | None:
    """What a typed answer at the list of times asks for, or None."""
    folded = fold(text).strip(" .!?")
    if folded in _PART_NAMES:
        return Part(_PART_NAMES[folded])
    if folded in LATER or folded in EARLIER:
        return Page(1 if folded in LATER else -1)
    for leading in _LEADING:
        folded = folded.removeprefix(leading)
    when = times.read_time(folded)
    if isinstance(when, times.Earliest | times.Anytime):
        return First()
    if isinstance(when, times.Between):
        middle = when.start.hour * 60 + when.start.minute + when.end.hour * 60 + when.end.minute
        return Part(part_of_hour(middle // 120))
    if isinstance(when, times.At):
        return At(when.at, when.sure)
    if folded in ("earliest", "any"):
        return First()
    return None


def skips(text: str) -> bool:
    """ "bỏ qua", "không cần": no answer to give."""
    return fold(text).strip(" .!") in SKIP


def names(text: str, most: int) -> list[str] | None:
    """Up to `most` names typed with commas between them; None if none or too many."""
    found = [" ".join(n.split())[:NAME_LENGTH] for n in _NAMES.split(text) if n.strip()]
    if not found or len(found) > most or any(not any(c.isalpha() for c in n) for n in found):
        return None
    return found
