"""Picking one of the options shown from what was typed: its number, its words, its meaning.

A number picks by position (unless the options are numbers themselves); a yes or a no picks
the option meaning it; a date, weekday or time picks the session or slot that fits; words
pick the one option whose label holds them, with or without marks, allowing small typos.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from rapidfuzz import fuzz

from bot.core.text import fold
from bot.core.understand import dates, meaning, times
from bot.core.understand.numbers import whole_number
from bot.core.understand.words import folded_set, is_bare, marked_words, word_in
from bot.core.understand.yesno import NO, yes_no

_NO_BARE = folded_set(NO)

GOING_ON = ("tiep tuc", "xac nhan", "dong y", "gui ngay", "gui luon", "luu")
FUZZY_SCORE = 85  # a whole label typed with a typo or two
WORD_TYPO_SCORE = 75  # one word typed with a typo, compared with its marks if it has them
SHORT_TYPO_SCORE = 66  # a three-letter word: "tuk" for "tuc"
# Words that only carry the pick: "chọn cái thứ hai", "ở nhà văn hoá", "lấy cho tui".
_FILLER_WORDS = (
    "chon lay cai cho tui toi minh em anh chi o tai la di nha nhe a ah voi muon "
    "xin on giup gium dum ho ha nhen nghen thi de dang ki ky"
)
FILLER = frozenset(_FILLER_WORDS.split())
# The same words as typed with their marks ("nhà" is a word, "nha" a particle).
_FILLER_MARKED = (
    "chọn lấy cái cho tui tôi mình em anh chị ở tại là đi nhé nhá à ạ dạ với muốn xin ơn "
    "giúp giùm dùm hộ hả thì để đăng kí ký"
)
FILLER_MARKED = frozenset(_FILLER_MARKED.split())
# Words people type for a word of the labels: "2 tiếng" is "2 giờ".
SAME = {
    "tiếng": "giờ",
    "tieng": "gio",
    "bữa": "ngày",
    "bua": "ngay",
    "bp": "biên phòng",
    "ubnd": "ủy ban",
    "ub": "ủy ban",
    "nvh": "nhà văn hóa",
}
_NUMBER = re.compile(r"^\s*(?:so|chon|lay|chon so)?\s*#?(\d{1,4})\s*[.)]?\s*(?:nguoi|may|phut)?$")


@dataclass(frozen=True)
class Option:
    label: str
    meaning: str = ""


@dataclass(frozen=True)
class Picked:
    index: int


@dataclass(frozen=True)
class OutOfRange:
    count: int


@dataclass(frozen=True)
class Several:
    """The answer fits more than one option ("liên kết" of two links): ask which."""

    indices: tuple[int, ...]


@dataclass(frozen=True)
class NoMatch:
    pass


Pick = Picked | OutOfRange | Several | NoMatch


def _numeric(options: Sequence[Option], read: list[meaning.Meaning]) -> dict[int, int]:
    """The number each option stands for, when the options are numbers (people, machines)."""
    found: dict[int, int] = {}
    for index, (option, sense) in enumerate(zip(options, read, strict=True)):
        label = option.label.strip()
        if sense.number is not None:
            found.setdefault(sense.number, index)
        elif label.isdigit():
            found.setdefault(int(label), index)
    return found


def _answer_of(option: Option, sense: meaning.Meaning) -> bool | None:
    """Yes or no: declared, or read from the label's first clause ("Có, huỷ lịch")."""
    if sense.answer is not None:
        return sense.answer
    head = re.split(r"[,:;(–—-]", option.label, maxsplit=1)[0]
    if fold(head).startswith(GOING_ON):
        return True  # "Tiếp tục với 2 người", "Xác nhận": an "ok" goes on
    return yes_no(head)


def _by_answer(text: str, options: Sequence[Option], read: list[meaning.Meaning]) -> Pick | None:
    answers = [_answer_of(o, s) for o, s in zip(options, read, strict=True)]
    if answers.count(True) > 1 or answers.count(False) > 1 or set(answers) <= {None}:
        return None
    said = yes_no(text)
    if said is None and re.search(r"[:,;]", text):
        said = yes_no(re.split(r"[:,;]", text)[-1])  # "lưu động: ko"
    if said is None:
        return None
    return Picked(answers.index(said)) if said in answers else None


def _fits_time(when: times.When, sense: meaning.Meaning) -> bool:
    if sense.start is None or sense.end is None:
        return isinstance(when, times.Anytime | times.Earliest)
    if isinstance(when, times.At):
        moments = [when.at]
        if not when.sure and when.at.hour < 12:
            moments.append(time(when.at.hour + 12, when.at.minute))
        return any(
            sense.start == m or sense.start <= m < sense.end or (sense.start == sense.end == m)
            for m in moments
        )
    if isinstance(when, times.Between):
        return when.start <= sense.start < when.end
    return True


def _by_time(
    text: str, options: Sequence[Option], read: list[meaning.Meaning], today: date
) -> Pick | None:
    if not any(s.timed for s in read):
        return None
    parsed = dates.find_in_text(text, today)
    days: set[date] | None = None
    if isinstance(parsed, dates.Found):
        days = {parsed.day}
    elif isinstance(parsed, dates.Ambiguous):
        days = set(parsed.candidates)
    elif isinstance(parsed, dates.Refused) and parsed.day is not None:
        days = {parsed.day}
    when = times.read_time(text)
    if days is None and when is None:
        return None
    fitting = [
        i
        for i, s in enumerate(read)
        if s.timed and (days is None or s.day in days) and (when is None or _fits_time(when, s))
    ]
    if isinstance(when, times.Earliest | times.Anytime | times.Between) and fitting:
        first = min(fitting, key=lambda i: _moment(read[i]))
        return Picked(first)
    if len(fitting) == 1:
        return Picked(fitting[0])
    return Several(tuple(fitting)) if len(fitting) > 1 else None


def _moment(sense: meaning.Meaning) -> datetime:
    return datetime.combine(sense.day or date.min, sense.start or time.min)


def _content_words(text: str) -> list[str]:
    words = marked_words(text)
    kept = [w for w in words if (fold(w) not in FILLER if is_bare(w) else w not in FILLER_MARKED)]
    return kept or words


def _fits(typed: str, label_words: list[str], typos: bool = True) -> bool:
    """A typed word is in the label, or the words it is short for are ("bp", "2 tiếng")."""
    if any(_same_word(typed, lw, typos) for lw in label_words):
        return True
    if word_in(typed, NO, _NO_BARE) and any(word_in(lw, NO, _NO_BARE) for lw in label_words):
        return True  # "hổng đi được" for "Không đến được"
    other = SAME.get(typed) or SAME.get(fold(typed))
    return other is not None and all(
        any(_same_word(part, lw, typos) for lw in label_words) for part in other.split()
    )


def _same_word(typed: str, label_word: str, typos: bool = True) -> bool:
    """A typed word fits a label word: by its marks when it has them, else folded."""
    other = label_word if not is_bare(typed) else fold(label_word)
    if other == typed or (len(typed) >= 3 and other.startswith(typed)):
        return True
    if not typos or len(typed) < 3 or other[:1] != typed[:1]:
        return False
    needed = WORD_TYPO_SCORE if len(typed) >= 4 else SHORT_TYPO_SCORE
    return fuzz.ratio(typed, other) >= needed


def _by_phrase(folded: str, read: list[meaning.Meaning]) -> Pick | None:
    """The option with the longest of its own phrases inside the answer, if only one has it."""
    hits: list[tuple[int, int]] = []
    for index, sense in enumerate(read):
        for phrase in sense.phrases:
            wanted = fold(phrase)
            if wanted and re.search(rf"(?<!\w){re.escape(wanted)}(?!\w)", folded):
                hits.append((len(wanted), index))
    if not hits:
        return None
    longest = max(length for length, _ in hits)
    winners = {index for length, index in hits if length == longest}
    return Picked(winners.pop()) if len(winners) == 1 else None


def _by_words(text: str, options: Sequence[Option], read: list[meaning.Meaning]) -> Pick | None:
    folded = fold(text).strip(" .!?)")
    words = _content_words(text)
    if not words:
        return None
    labels = [fold(o.label) for o in options]
    said = _by_phrase(folded, read)
    if said is not None:
        return said
    holding = []
    for index in range(len(options)):
        if read[index].searched:
            continue
        label_words = marked_words(options[index].label) + [
            w for p in read[index].phrases for w in marked_words(p)
        ]
        if all(_fits(w, label_words, not read[index].exact) for w in words):
            holding.append(index)
    if len(holding) > 1 and not any(word_in(w, NO, _NO_BARE) for w in marked_words(text)):
        # "mở" of "Mở buổi này" / "Dừng, không mở": without a no-word, not the refusal
        holding = [i for i in holding if _answer_of(options[i], read[i]) is not False] or holding
    if len(holding) == 1:
        return Picked(holding[0])
    if len(holding) > 1:
        return Several(tuple(holding))
    if len(folded) < 4:
        return None
    close = [
        i
        for i, label in enumerate(labels)
        if not read[i].exact and not read[i].searched and fuzz.ratio(folded, label) >= FUZZY_SCORE
    ]
    return Picked(close[0]) if len(close) == 1 else None


def pick(text: str, options: Sequence[Option], today: date, strict: bool = False) -> Pick:
    """Which option `text` picks, if any; a number beyond the list is `OutOfRange`.

    `strict` (outside a flow, where free text is a question): one word alone ("vneid") is
    not taken as the words of an option.
    """
    folded = fold(text).strip(" .!?)")
    if not folded or not options:
        return NoMatch()
    for index, option in enumerate(options):
        if fold(option.label) == folded:
            return Picked(index)
    read = [meaning.read(o.meaning) for o in options]
    numbered = _NUMBER.match(folded)
    if numbered:
        value = int(numbered.group(1))
        numeric = _numeric(options, read)
        if numeric:
            return Picked(numeric[value]) if value in numeric else NoMatch()
        if folded.isdigit():
            return Picked(value - 1) if 1 <= value <= len(options) else OutOfRange(len(options))
    numeric = _numeric(options, read)
    spoken = whole_number(text, 0, 10_000) if numeric else None
    if spoken is not None and spoken in numeric:
        return Picked(numeric[spoken])  # "ba người", "mình tui"
    for step in (
        lambda: _by_answer(text, options, read),
        lambda: _by_time(text, options, read, today),
        lambda: None if strict and len(marked_words(text)) < 2 else _by_words(text, options, read),
    ):
        found = step()
        if found is not None:
            return found
    return NoMatch()
