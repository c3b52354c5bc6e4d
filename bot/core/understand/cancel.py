"""A clear wish to leave the flow: "huỷ", "thôi", "dừng lại", "không làm nữa", /cancel."""

from __future__ import annotations

from bot.core.text import fold
from bot.core.understand.words import is_bare, marked_words

# Read with marks when typed with marks: "dừng" is a cancel, "đúng" never is.
CANCEL_MARKED = frozenset(
    {
        "huỷ",
        "hủy",
        "huỷ bỏ",
        "hủy bỏ",
        "thôi",
        "thôi khỏi",
        "thôi bỏ đi",
        "bỏ đi",
        "dừng",
        "dừng lại",
        "thoát",
        "không làm nữa",
        "thôi không làm nữa",
        "không đặt nữa",
        "thôi không cần",
        "thôi bỏ",
        "không cần nữa",
        "thôi không cần nữa",
        "ngưng",
        "ngừng",
        "ngừng lại",
        "cancel",
        "stop",
        "quit",
        "exit",
    }
)
# Typed without marks, only the unmistakable ones: a bare "dung" may be "đúng".
CANCEL_BARE = frozenset(
    {
        "huy",
        "huy bo",
        "thoi",
        "thoi khoi",
        "thoi bo di",
        "bo di",
        "dung lai",
        "thoat",
        "khong lam nua",
        "thoi khong lam nua",
        "khong dat nua",
        "thoi khong can",
        "thoi bo",
        "khong can nua",
        "thoi khong can nua",
        "ngung lai",
        "cancel",
        "stop",
        "quit",
        "exit",
    }
)
_TRAILING = ("ạ", "a", "nha", "nhé", "nhe", "đi", "di")


def is_cancel(text: str) -> bool:
    """Whether the whole message asks to leave the flow (particles such as "ạ" allowed)."""
    words = marked_words(text)
    if _known(words):
        return True
    while len(words) > 1 and words[-1] in _TRAILING:
        words = words[:-1]
    return bool(words) and _known(words)


def _known(words: list[str]) -> bool:
    phrase = " ".join(words)
    if all(is_bare(w) for w in words):
        return phrase in CANCEL_BARE
    return phrase in CANCEL_MARKED or (fold(phrase) in CANCEL_BARE and _marks_agree(words))


def _marks_agree(words: list[str]) -> bool:
    """A partly marked phrase ("huy bỏ") counts when its marked words are cancel words."""
    marked = {w for phrase in CANCEL_MARKED for w in phrase.split()}
    return all(is_bare(w) or w in marked for w in words)
