"""Reading people from typed text: parts of names and booking numbers."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.understand.meaning import SEARCHED, says
from bot.core.understand.options import NoMatch, Option, Picked, pick
from bot.core.understand.people import booking_number, fits_name


@pytest.mark.parametrize(
    ("typed", "name", "fits"),
    [
        ("an", "Nguyễn Văn An", True),
        ("an", "Nguyễn Văn Cường", False),  # "Văn" holds "an", but does not start with it
        ("thi binh", "Trần Thị Bình", True),
        ("Bình", "Trần Thị Bình", True),
        ("Bính", "Trần Thị Bình", False),  # typed with marks: read with them
        ("nguyen cuong", "Nguyễn Văn Cường", True),
        ("", "Nguyễn Văn An", False),
    ],
)
def test_a_typed_name_fits_the_start_of_words(typed: str, name: str, fits: bool) -> None:
    assert fits_name(typed, name) is fits


@pytest.mark.parametrize(
    ("typed", "number"), [("12", 12), ("#12", 12), ("số 12", 12), ("mã 7", 7), ("an", None)]
)
def test_booking_numbers(typed: str, number: int | None) -> None:
    assert booking_number(typed) == number


def test_a_searched_row_is_not_picked_by_a_part_of_its_words() -> None:
    """At the desk a typed name is a search (the step lists who fits), not a pick."""
    rows = [
        Option("07:00 · #1 · Nguyễn Văn An +1", SEARCHED),
        Option("Người tới không hẹn", says("không hẹn", "vãng lai")),
    ]
    today = date(2026, 11, 30)
    assert isinstance(pick("an", rows, today), NoMatch)
    assert pick("07:00 · #1 · Nguyễn Văn An +1", rows, today) == Picked(0)
    assert pick("1", rows, today) == Picked(0)
    assert pick("vang lai", rows, today) == Picked(1)
