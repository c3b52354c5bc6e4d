"""What an option means, so a typed answer can pick it: yes, no, a day, a time, a number.

A meaning is a short string stored with the option ("yes", "day:2026-12-02 at:07:30-11:30",
"n:3", "say:ca_hai"): flows build it with these helpers, the core reads it back.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time

from bot.core.i18n import to_local

YES = "yes"
NO = "no"
EXACT = "exact"  # picked only by its words as written (no typo guessing): roles, villages
# A row of a list the step searches itself (names at the desk): picked by its button, its
# number or its whole label; a part of it typed goes to the step, which searches.
SEARCHED = "searched"


def on_day(day: date, start: time | None = None, end: time | None = None) -> str:
    """An option for a day, optionally with its hours (a session)."""
    text = f"day:{day.isoformat()}"
    return f"{text} {at_time(start, end)}" if start is not None else text


def during(start: datetime, end: datetime) -> str:
    """An option for a stored (UTC) span: its local day and hours (a session, a slot)."""
    first, last = to_local(start), to_local(end)
    return on_day(
        first.date(), first.time().replace(tzinfo=None), last.time().replace(tzinfo=None)
    )


def at_time(start: time, end: time | None = None) -> str:
    """An option for a time or a span of time (a slot)."""
    stop = end or start
    return f"at:{start:%H:%M}-{stop:%H:%M}"


def number(value: int) -> str:
    """An option that stands for a number (people, machines, minutes)."""
    return f"n:{value}"


def says(*phrases: str) -> str:
    """Other words that pick the option ("cả hai" for "Both"); give them folded or not."""
    return "say:" + ",".join(p.strip().replace(" ", "_") for p in phrases if p.strip())


def join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


@dataclass(frozen=True)
class Meaning:
    answer: bool | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    number: int | None = None
    phrases: tuple[str, ...] = ()
    exact: bool = False
    searched: bool = False

    @property
    def timed(self) -> bool:
        return self.day is not None or self.start is not None


@functools.lru_cache(maxsize=4096)  # the same options are offered again and again
def read(text: str) -> Meaning:
    """The meaning stored with an option; an unreadable part is ignored."""
    answer: bool | None = None
    day = start = end = None
    count: int | None = None
    phrases: tuple[str, ...] = ()
    exact = searched = False
    for part in text.split():
        key, _, value = part.partition(":")
        try:
            if part == YES:
                answer = True
            elif part == NO:
                answer = False
            elif part == EXACT:
                exact = True
            elif part == SEARCHED:
                searched = True
            elif key == "day":
                day = date.fromisoformat(value)
            elif key == "at":
                first, _, second = value.partition("-")
                start, end = time.fromisoformat(first), time.fromisoformat(second or first)
            elif key == "n":
                count = int(value)
            elif key == "say":
                phrases = tuple(p.replace("_", " ") for p in value.split(",") if p)
        except ValueError:
            continue
    return Meaning(answer, day, start, end, count, phrases, exact, searched)
