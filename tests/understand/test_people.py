"""Reading people from typed text: parts of names and booking numbers."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.understand import people
from bot.core.understand.meaning import SEARCHED, YES, join, says
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


def test_someone_is_found_by_name_or_by_a_relation_the_roster_records() -> None:
    household = [
        people.Named(1, "Nguyễn Văn Tuấn"),
        people.Named(2, "Lê Thị Hoa"),
        people.Named(3, "Nguyễn Thị Tâm"),
    ]
    add = people.read_who("thêm thằng Tuấn")
    assert isinstance(add, people.Add) and people.find(add.who[0], household) == [1]
    wife = people.read_who("tui với vợ")
    assert isinstance(wife, people.Only) and wife.me
    assert people.find(wife.others[0], household) == []  # no relations: asked back
    assert people.find(wife.others[0], household, {2: "spouse"}) == [2]
    both = people.read_who("bỏ Nguyễn ra")
    assert isinstance(both, people.Remove) and people.find(both.who[0], household) == [1, 3]


def test_the_one_row_a_search_left_is_confirmed_by_an_arrival_word() -> None:
    today = date(2026, 11, 30)
    arrived = join(SEARCHED, YES, says("đã đến", "có mặt"))
    assert pick("đã đến", [Option("07:30 · #1 · Phạm Mỹ Yến", arrived)], today) == Picked(0)
    two = [Option("07:30 · #1 · Phạm Mỹ Yến", SEARCHED), Option("08:30 · #2 · Bùi Phúc", SEARCHED)]
    assert isinstance(pick("đã đến", two, today), NoMatch)
