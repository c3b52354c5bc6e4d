"""Reading people from what was typed: a part of a name, a booking number, who comes.

A typed name fits a full name when each typed word starts a word of the name: with its marks
when typed with them, folded otherwise ("an" fits "Nguyễn Văn An", not "Văn"; "thi binh"
fits "Trần Thị Bình").

At "who comes" in a household booking, `read_who` reads the phrases people type: "cả nhà",
"tất cả" (everyone), "tui với vợ" (me and someone), "thêm thằng Tuấn", "bỏ bà nội ra".
Someone is named by a part of their name, or by a kin word ("vợ", "bà nội") that only a
roster knowing relations can resolve; `find` says who of the household it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.text import fold
from bot.core.understand.words import is_bare, marked_words


def _words(text: str) -> list[str]:
    return text.split()


_BOOKING_NUMBER = re.compile(r"^\s*(?:#|so|ma|ma so|lich|lich hen)?\s*#?\s*(\d{1,9})\s*$")

# Kin words, as written with their marks, and the relation each names. Typed without marks
# a word reads as the first listed that folds to it ("ba" is the father, "bà" a grandmother).
KIN = {
    "vợ": "spouse",
    "chồng": "spouse",
    "bà xã": "spouse",
    "ông xã": "spouse",
    "wife": "spouse",
    "husband": "spouse",
    "bà nội": "grandmother",
    "bà ngoại": "grandmother",
    "ông nội": "grandfather",
    "ông ngoại": "grandfather",
    "mẹ": "mother",
    "má": "mother",
    "mạ": "mother",
    "ba": "father",
    "bố": "father",
    "cha": "father",
    "tía": "father",
    "bà": "grandmother",
    "ông": "grandfather",
    "con trai": "child",
    "con gái": "child",
    "con": "child",
    "cháu": "grandchild",
}
_KIN_BARE: dict[str, str] = {}
for _word, _relation in KIN.items():
    _KIN_BARE.setdefault(fold(_word), _relation)

# Words put before a given name ("thằng Tuấn", "bà Năm", "chị Mai"): dropped to find the name.
CALLED = frozenset(
    _words("thang con be cu chau anh chi em ong ba co chu bac cau di thim mo o a nhoc")
)
_EVERYONE = (
    "ca nha",
    "tat ca",
    "ca gia dinh",
    "ca ho",
    "moi nguoi",
    "het",
    "het ca",
    "all",
    "everyone",
    "everybody",
)
_TRAILING = frozenset(_words("di luon nha nhe a ah ha nhen hen nghen lun thoi"))  # particles
_ME = frozenset(_words("tui toi minh em con chau tao"))
_AND = frozenset({"voi", "va", "cung", "and", "with"})
_ADD = ("them ca", "them", "cong them", "cong", "ke ca", "add")
_REMOVE = ("bo bot", "bo", "bot", "tru", "loai", "khong co", "ko co", "k co", "remove", "drop")
_ONLY = ("chi", "chi co", "mot minh", "minh")
_GONE = (  # "Lan không đi", "bà nội ở nhà"
    "khong di",
    "ko di",
    "k di",
    "hong di",
    "khong toi",
    "khong den",
    "o nha",
    "stays home",
)


@dataclass(frozen=True)
class Someone:
    """One person named in a typed phrase: the words typed and the relation, if a kin word."""

    words: tuple[str, ...]
    kin: str = ""


@dataclass(frozen=True)
class Everyone:
    """Everyone in the household who can be booked."""


@dataclass(frozen=True)
class Only:
    """Exactly these people ("tui với vợ": me and my spouse; "mình tui": me alone)."""

    me: bool
    others: tuple[Someone, ...] = ()


@dataclass(frozen=True)
class Add:
    who: tuple[Someone, ...]


@dataclass(frozen=True)
class Remove:
    who: tuple[Someone, ...]


Who = Everyone | Only | Add | Remove


def name_words(text: str) -> list[str]:
    """The words of a typed name, lower-case, with their marks."""
    return marked_words(text)


def fits_name(typed: str, full_name: str) -> bool:
    """Whether every word typed starts a word of `full_name` (at least one word typed)."""
    return _fits(name_words(typed), full_name)


def _fits(wanted: Sequence[str], full_name: str) -> bool:
    if not wanted:
        return False
    words = name_words(full_name)
    return all(any(_starts(w, word) for word in words) for w in wanted)


def _starts(typed: str, word: str) -> bool:
    other = fold(word) if is_bare(typed) else word
    return other.startswith(typed)


def booking_number(text: str) -> int | None:
    """A booking number typed alone: "12", "#12", "số 12", "mã 12"."""
    found = _BOOKING_NUMBER.match(fold(text))
    return int(found.group(1)) if found else None


def _starts_with(folded: list[str], phrases: Sequence[str]) -> int:
    """How many words of `folded` the longest fitting phrase takes (0: none fits)."""
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if folded[: len(parts)] == parts:
            best = max(best, len(parts))
    return best


def _ends_with(folded: list[str], phrases: Sequence[str]) -> int:
    best = 0
    for phrase in phrases:
        parts = phrase.split()
        if len(folded) > len(parts) and folded[-len(parts) :] == parts:
            best = max(best, len(parts))
    return best


def _someone(words: list[str]) -> Someone | None:
    if len(words) > 1 and fold(words[-1]) in _ME:
        words = words[:-1]  # "vợ tui", "chồng em": whose
    if not words:
        return None
    said = " ".join(words)
    kin = KIN.get(said, "") if not is_bare(said) else _KIN_BARE.get(said, "")
    return Someone(tuple(words), kin)


def _several(words: list[str]) -> tuple[Someone, ...]:
    """People named one after another: "vợ với thằng Tuấn", "An, Bình"."""
    found: list[Someone] = []
    current: list[str] = []
    for word in [*words, ","]:
        if fold(word) in _AND or word == ",":
            person = _someone(current)
            if person is not None:
                found.append(person)
            current = []
        else:
            current.append(word)
    return tuple(found)


def _tokens(text: str) -> list[str]:
    """The words typed, with "," where a separator was: "An, Bình" → [an, ",", bình]."""
    found: list[str] = []
    for part in re.split(r"([,;+&])", text):
        found.extend([","] if part in {",", ";", "+", "&"} else marked_words(part))
    while found and found[0] == ",":
        found.pop(0)
    return found


def _everyone(words: list[str]) -> bool:
    """ "cả nhà", "tất cả luôn": checked before and after dropping particles ("nhà" ≠ "nha")."""
    words = list(words)
    while words:
        if " ".join(fold(w) for w in words) in _EVERYONE:
            return True
        if words[-1] != "," and fold(words[-1]) not in _TRAILING:
            return False
        words.pop()
    return False


def read_who(text: str) -> Who | None:
    """The change to who comes that `text` asks for, or None when it is not one."""
    words = _tokens(text)
    if not words:
        return None
    if _everyone(words) or (fold(words[0]) in ("them", "cong") and _everyone(words[1:])):
        return Everyone()  # "cả nhà", "thêm cả nhà"
    gone = _ends_with([fold(w) for w in words], _GONE)  # before particles: "đi" is a verb here
    if gone:
        who = _several(words[:-gone])
        return Remove(who) if who else None
    while words and (words[-1] == "," or fold(words[-1]) in _TRAILING):
        words.pop()
    folded = [fold(w) for w in words]
    if not words:
        return None
    if " ".join(folded) == "mot minh":
        return Only(me=True)
    taken = _starts_with(folded, _ADD)
    if taken:
        who = _several(words[taken:])
        return Add(who) if who else None
    taken = _starts_with(folded, _REMOVE)
    if taken and folded != ["bo", "qua"]:  # "bỏ qua" skips, it names nobody
        rest = words[taken:]
        if len(rest) > 1 and fold(rest[-1]) == "ra":
            rest = rest[:-1]
        who = _several(rest)
        return Remove(who) if who else None
    taken = _starts_with(folded, _ONLY)
    rest, rest_folded = words[taken:], folded[taken:]
    if rest_folded and rest_folded[0] in _ME:
        if len(rest_folded) == 1:
            return Only(me=True) if taken else None
        if rest_folded[1] in _AND:
            others = _several(rest[2:])
            return Only(me=True, others=others) if others else None
    return None


@dataclass(frozen=True)
class Named:
    """A member of the household as `find` needs them."""

    person_id: int
    full_name: str


def find(
    someone: Someone, members: Sequence[Named], relations: Mapping[int, str] | None = None
) -> list[int]:
    """Who of `members` is meant: by a part of their name, else by relation when known.

    Words said before a given name ("thằng Tuấn", "bà Năm") are dropped if the name alone fits.
    `relations` (person id → "spouse", "grandmother", …) comes from a roster that records them;
    without it a kin word finds nobody and the step asks back.
    """
    words = list(someone.words)
    by_name = [m.person_id for m in members if _fits(words, m.full_name)]
    if not by_name and len(words) > 1 and fold(words[0]) in CALLED:
        by_name = [m.person_id for m in members if _fits(words[1:], m.full_name)]
    if by_name or not someone.kin:
        return by_name
    return [m.person_id for m in members if (relations or {}).get(m.person_id) == someone.kin]
