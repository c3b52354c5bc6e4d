"""Folding Vietnamese text: the character table gives what decomposing the text gives."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.text import fold, strip_diacritics


def _by_decomposing(text: str) -> str:
    bare = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return bare.replace("đ", "d").replace("Đ", "D")


@pytest.mark.parametrize(
    "text",
    [
        "Đăng ký định danh mức 2 ở đâu ạ?",
        "ĐĂNG KÝ CĂN CƯỚC",
        "Tiếng Việt viết tách dấu: Vie\u0302\u0323t",  # marks typed as separate characters
        "emoji 😀 và chữ Hán 漢字, Ελληνικά, Ǆ ǅ ǆ, ﬁ",
        "plain ascii",
        "",
    ],
)
def test_strip_diacritics_matches_decomposition(text: str) -> None:
    assert strip_diacritics(text) == _by_decomposing(text)


def test_every_latin_and_vietnamese_letter_is_stripped_as_decomposed() -> None:
    letters = "".join(chr(c) for c in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)))
    assert strip_diacritics(letters) == _by_decomposing(letters)


def test_fold() -> None:
    assert fold("  Đăng   KÝ\tmức 2 ") == "dang ky muc 2"
