"""Point 8: phone and ID numbers are masked in any separator form; short numbers stay."""

from __future__ import annotations

import pytest

from bot.services.faq.unanswered import mask_numbers as faq_mask
from bot.services.privacy.masking import mask_numbers

MASKED = [
    ("sdt 0912345678", "sdt ***"),
    ("sdt 0912 345 678", "sdt ***"),
    ("sdt 0912.345.678", "sdt ***"),
    ("sdt 0912-345-678", "sdt ***"),
    ("sdt 0912/345/678", "sdt ***"),
    ("sdt 0912,345,678", "sdt ***"),
    ("sdt 0912_345_678", "sdt ***"),
    ("sdt (091)2345678", "sdt ***"),
    ("sdt (091) 234 5678 nha", "sdt *** nha"),
    ("sdt +84 912 345 678", "sdt ***"),
    ("sdt +84-912-345-678", "sdt ***"),
    ("sdt 84912345678.", "sdt ***."),
    ("sdt 0912 – 345 – 678", "sdt ***"),
    ("sdt 0912\\345\\678", "sdt ***"),
    ("cccd 056090001234", "cccd ***"),
    ("cccd 056 090 001 234", "cccd ***"),
    ("cccd 056.090.001.234 va sdt 0912_345_678", "cccd *** va sdt ***"),
    ("cmnd 225 123 456", "cmnd ***"),
    ("số tui ０９１２３４５６７８", "số tui ***"),
]
KEPT = [
    "muc 2 mat 7 ngay",
    "sinh 12/03/1975",
    "hẹn 8h30 ngày 2/12",
    "tổng đài 1900 0368",
    "lớp 12, 45 người",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_numbers_masked_in_any_separator_form(text: str, expected: str) -> None:
    assert mask_numbers(text) == expected
    assert faq_mask(text) == expected  # the unanswered log uses the same rule


@pytest.mark.parametrize("text", KEPT)
def test_short_numbers_dates_and_times_kept(text: str) -> None:
    assert mask_numbers(text) == text
