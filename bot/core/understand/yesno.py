"""Yes and no as people type them: "ừ", "dạ đúng rồi ạ", "ok", "ko", "không phải", "sai rồi"."""

from __future__ import annotations

from bot.core.understand.words import folded_set, marked_words, word_in

YES = frozenset(
    [
        "đúng",
        "ừ",
        "ờ",
        "ừm",
        "ừa",
        "uh",
        "um",
        "ừh",
        "dạ",
        "vâng",
        "có",
        "được",
        "đc",
        "dc",
        "ok",
        "oke",
        "okie",
        "okay",
        "oki",
        "okela",
        "uk",
        "ukm",
        "uhm",
        "okê",
        "chuẩn",
        "phải",
        "yes",
        "y",
        "yep",
        "yeah",
        "ờm",
        "đồng",
        "ý",
        "chắc",
        "chính",
        "xác",
        "xác",
        "nhận",
        "rùi",
        "chắc",
        "chắn",
        "luôn",
        "đúng",
        "vậy",
        "nhất",
        "trí",
        "chuẩn",
        "rồi",
    ]
)
NO = frozenset(
    [
        "không",
        "ko",
        "k",
        "kg",
        "khg",
        "hông",
        "hổng",
        "hok",
        "hem",
        "hông",
        "hong",
        "chưa",
        "sai",
        "no",
        "nope",
        "not",
        "chả",
        "chẳng",
        "đâu",
        "khum",
        "hum",
    ]
)
# Words that may come with an answer without changing it: "dạ đúng rồi ạ", "ok nha".
PARTICLES = frozenset(
    [
        "ạ",
        "à",
        "a",
        "ah",
        "nha",
        "nhé",
        "nhe",
        "nhen",
        "nghen",
        "ha",
        "hà",
        "luôn",
        "vậy",
        "thế",
        "đó",
        "rồi",
        "rùi",
        "òi",
        "ời",
        "bét",
        "nhỉ",
        "ơi",
        "em",
        "anh",
        "chị",
        "bạn",
        "ad",
        "admin",
        "bot",
        "chú",
        "bác",
        "con",
        "cháu",
        "mà",
        "đấy",
        "thì",
        "là",
    ]
)
_YES_BARE = folded_set(YES)
_NO_BARE = folded_set(NO) - {"dau"}  # "dâu"/"đâu" folded is too loose to mean no alone
_PARTICLES_BARE = folded_set(PARTICLES)


def _content(text: str) -> list[str]:
    words = [w for w in marked_words(text) if not word_in(w, PARTICLES, _PARTICLES_BARE)]
    if len(words) > 1 and words[0] in ("dạ", "da", "vâng", "vang", "ừ", "u", "ờ"):
        rest = words[1:]
        if rest and word_in(rest[0], NO, _NO_BARE):
            return rest  # "dạ không": the polite word does not make it a yes
    return words


def yes_no(text: str) -> bool | None:
    """True for a yes, False for a no, None when the text is neither (or both)."""
    words = _content(text)
    if not words or len(words) > 5:
        return None
    if word_in(words[0], NO, _NO_BARE):
        rest = words[1:]
        if all(word_in(w, YES, _YES_BARE) or word_in(w, NO, _NO_BARE) for w in rest):
            return False
        return None
    if all(word_in(w, YES, _YES_BARE) for w in words):
        return True
    if all(word_in(w, NO, _NO_BARE) for w in words):
        return False
    return None
