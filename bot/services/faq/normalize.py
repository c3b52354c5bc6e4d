"""How residents type, made comparable: folding, abbreviations, teen code, typos, merged words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.text import fold

# What people write → what they mean (folded). Multi-word values expand to several tokens.
ABBREVIATIONS: dict[str, str] = {
    # không
    "ko": "khong",
    "k": "khong",
    "kg": "khong",
    "kh": "khong",
    "khg": "khong",
    "hok": "khong",
    "hk": "khong",
    "hem": "khong",
    "khum": "khong",
    # được, gì, vậy, thế nào
    "dc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "j": "gi",
    "gj": "gi",
    "z": "vay",
    "v": "vay",
    "dz": "vay",
    "zay": "vay",
    "dzay": "vay",
    "ntn": "nhu the nao",
    # people and small words
    "e": "em",
    "t": "toi",
    "mik": "minh",
    "mjk": "minh",
    "r": "roi",
    "ms": "moi",
    "bn": "bao nhieu",
    "bnhieu": "bao nhieu",
    "ng": "nguoi",
    "trc": "truoc",
    "vs": "voi",
    "lm": "lam",
    "ck": "chong",
    "vk": "vo",
    "bme": "bo me",
    "tn": "tin nhan",
    "sms": "tin nhan",
    "nt": "nhan tin",
    "mun": "muon",
    "ib": "nhan tin",
    # phones and accounts
    "dt": "dien thoai",
    "dth": "dien thoai",
    "dthoai": "dien thoai",
    "sdt": "so dien thoai",
    "tk": "tai khoan",
    "mk": "mat khau",
    "pass": "mat khau",
    "pw": "mat khau",
    "password": "mat khau",
    "app": "ung dung",
    "hotline": "tong dai",
    # papers
    "cccd": "can cuoc",
    "cc": "can cuoc",
    "cmnd": "can cuoc cmnd",
    "cmt": "can cuoc cmnd",
    "ccd": "can cuoc",
    "bhyt": "bao hiem y te",
    "bhxh": "bao hiem xa hoi",
    "gplx": "giay phep lai xe",
    "blx": "bang lai xe",
    "ddt": "dinh danh dien tu",
    "dddt": "dinh danh dien tu",
    "dd": "dinh danh",
    "dinhdanh": "dinh danh",
    "vnid": "vneid",
    "vneld": "vneid",
    "cax": "cong an xa",
}

# Politeness and filler that carry no meaning for the question.
PARTICLES = frozenset(
    {"a", "ad", "admin", "oi", "nhe", "nhi", "ak", "ah", "ha", "vay", "nhen", "ne"}
)

# A message made only of these is small talk, not a question.
SMALLTALK = frozenset(
    {
        "chao", "xin", "hello", "hi", "helo", "alo", "ban", "cam", "on", "thank", "thanks",
        "tks", "ok", "oke", "okay", "okie", "vang", "da", "uhm", "um", "u", "bot", "tro", "ly",
        "06", "em", "anh", "chi", "nha", "nhe", "oi", "ad", "admin", "a", "roi", "hieu",
        "biet", "good", "tot", "qua", "nhieu",
    }
)  # fmt: skip

_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bvn\s*-?\s*eid\b"), "vneid"),
    (re.compile(r"(\d+)\s*t(uoi)?\b"), r"\1 tuoi"),
    (re.compile(r"(\d+)\s*h\b"), r"\1 gio"),
    (re.compile(r"(\d+)\s*k\b"), r"\1 nghin"),
    (re.compile(r"\b(?:muc|cap|level|lv|lvl|bac)\s*(?:do\s*)?(1|2|3|mot|hai|ba)\b"), r"muc \1"),
    (re.compile(r"\bmuc mot\b"), "muc 1"),
    (re.compile(r"\bmuc hai\b"), "muc 2"),
    (re.compile(r"\bmuc ba\b"), "muc 3"),
    (re.compile(r"\b1900\s*0368\b"), "19000368"),
)
_WEEKDAYS = {"hai": "2", "ba": "3", "tu": "4", "nam": "5", "sau": "6", "bay": "7"}
_WEEKDAY = re.compile(r"\bthu (hai|ba|tu|nam|sau|bay)\b")
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_RUNS = re.compile(r"([a-z])\1{2,}")
_MAX_CHARS = 400  # a question is short; the rest of a long message adds only noise and time


@lru_cache(maxsize=8192)  # the index folds each example several times while it builds
def fold_text(text: str) -> str:
    """The bot's folding (bot.core.text.fold: lower case, no diacritics, đ → d), then only
    letters, digits and single spaces, with the FAQ's spellings of levels, ages and hours."""
    text = _NOT_WORD.sub(" ", fold(text[:_MAX_CHARS]))
    text = _LETTER_DIGIT.sub(" ", text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    text = _WEEKDAY.sub(lambda m: "thu " + _WEEKDAYS[m.group(1)], text)
    return text.strip()


def expand(tokens: Iterable[str]) -> list[str]:
    """Replace abbreviations by their words and drop filler."""
    out: list[str] = []
    for token in tokens:
        if token not in PARTICLES:
            out.extend(_expanded(token))
    return out


@lru_cache(maxsize=50_000)
def _expanded(token: str) -> tuple[str, ...]:
    squeezed = _RUNS.sub(r"\1", token)
    meant = ABBREVIATIONS.get(token) or ABBREVIATIONS.get(squeezed)
    return tuple(meant.split()) if meant else (squeezed,)


class Speller:
    """Maps a word that is not in the vocabulary to the word the writer most likely meant."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.vocabulary = frozenset(vocabulary)
        self._choices = sorted(w for w in self.vocabulary if len(w) >= 3)
        self._cache: dict[str, tuple[str, ...]] = {}

    def correct(self, token: str) -> tuple[str, ...]:
        """The token itself if known (or not fixable), else its correction (maybe two words)."""
        if token in self.vocabulary or token.isdigit() or len(token) < 3:
            return (token,)
        cached = self._cache.get(token)
        if cached is None:
            cached = self._correct(token)
            if len(self._cache) < 50_000:
                self._cache[token] = cached
        return cached

    def clear_cache(self) -> None:
        """Forget past corrections (benchmarks time each pass from cold)."""
        self._cache.clear()

    def _correct(self, token: str) -> tuple[str, ...]:
        for variant in _teen_code(token):
            if variant in self.vocabulary:
                return (variant,)
        split = self._split(token)
        if split:
            return split
        if len(token) < 5:  # short syllables: one edit is often another real word
            return (token,)
        limit = 1 if len(token) <= 7 else 2
        found = process.extractOne(token, self._choices, scorer=OSA.distance, score_cutoff=limit)
        return (found[0],) if found else (token,)

    def _split(self, token: str) -> tuple[str, ...] | None:
        """Two known words written together ("dangky" → "dang ky")."""
        for cut in range(2, len(token) - 1):
            head, tail = token[:cut], token[cut:]
            if head in self.vocabulary and tail in self.vocabulary:
                return (head, tail)
        return None


def _teen_code(token: str) -> list[str]:
    """Spellings of chat Vietnamese: "wen" → "quen", "fai" → "phai", "jo" → "gio"..."""
    variants = [re.sub(r"([a-z])\1", r"\1", token)]
    if token.startswith("w"):
        variants.append("qu" + token[1:])
    if token.startswith("f"):
        variants.append("ph" + token[1:])
    if token.startswith("j"):
        variants.append("gi" + token[1:])
    if token.startswith("z"):
        variants.extend(("d" + token[1:], "v" + token[1:]))
    if token.endswith("k"):
        variants.append(token[:-1] + "c")
    return variants


def tokens_of(text: str, speller: Speller | None = None) -> list[str]:
    """The meaningful, corrected words of a question."""
    words = expand(fold_text(text).split())
    if speller is None:
        return words
    out: list[str] = []
    for word in words:
        for fixed in speller.correct(word):
            out.extend(ABBREVIATIONS.get(fixed, fixed).split())
    return [w for w in out if w not in PARTICLES]
