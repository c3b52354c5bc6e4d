"""What people type around a booking: at the list of times, names typed, start and cancel."""

from __future__ import annotations

from datetime import time

import pytest

from bot.core.understand import booking_words as words


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("buổi sáng", words.Part("morning")),
        ("chiều", words.Part("afternoon")),
        ("trưa", words.Part("afternoon")),
        ("buoi toi", words.Part("evening")),
        ("sau", words.Page(1)),
        ("trang trước", words.Page(-1)),
        ("sớm nhất", words.First()),
        ("giờ nào cũng được", words.First()),
        ("lúc 14h", words.At(time(14, 0))),
        ("khoảng 8 giờ rưỡi", words.At(time(8, 30))),
        ("2h", words.At(time(2, 0), sure=False)),
        ("xyz", None),
    ],
)
def test_answers_at_the_list_of_times(typed: str, read: words.SlotAnswer | None) -> None:
    assert words.read_slot(typed) == read


def test_names_typed_for_a_head_count() -> None:
    assert words.names("Lê Văn Tám, Phạm Thị Chín", 2) == ["Lê Văn Tám", "Phạm Thị Chín"]
    assert words.names("An; Bình; Cường", 2) is None  # more names than places
    assert words.names("12345", 2) is None
    assert words.skips("bỏ qua") and words.skips("Không") and not words.skips("An")


def test_sentences_that_start_see_or_cancel_a_booking() -> None:
    assert words.asks_to_book("dat lich cho me")
    assert words.asks_to_cancel("huy lich hen")
    assert words.asks_for_mine("lich cua toi")
    assert not words.asks_to_book("lich cua toi")
