"""The part of a long message that asks: sentences and clauses, without greetings,
self-introductions and the story told before the question."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.text import strip_diacritics
from bot.services.faq.normalize import SMALLTALK, fold_text

_SENTENCES = re.compile(r"[.!?;\n…]+|,|\s-\s")
_GREETING = frozenset(
    {
        "chao", "xin", "kinh", "gui", "hello", "hi", "helo", "alo", "dear", "good",
        "morning", "afternoon", "evening", "can", "bo", "cac", "co", "chu", "bac", "anh",
        "chi", "em", "ad", "admin", "oi", "a", "da", "vang", "nha", "nhe", "tro", "ly",
        "bot", "06", "thua", "ong", "ba", "to", "cong", "an", "tac", "dong", "sir",
        "madam", "team", "ca", "moi", "nguoi", "everyone", "there", "thanks", "thank",
        "cam", "on", "truoc", "cho", "hoi", "phep", "ask", "question", "have", "i", "may",
    }
)  # fmt: skip
# "tui là ngư dân ở Điệp Sơn", "I am a fisherman": who is writing, not what is asked
_INTRODUCTION = re.compile(
    r"^(?:(?:tui|toi|tao|em|minh|con|chau|anh|chi|co|chu|bac|ong|ba|i)\s+)"
    r"(?:la|ten|o|nha o|que|nam nay|sinh nam|lam nghe|dang o|am|m|live|work)\b"
)
# words that make a clause a question or a request, anywhere in it
_ASKING = frozenset(
    {
        "sao", "gi", "j", "nao", "dau", "mo", "rang", "ri", "bao", "ntn", "chi", "hoi",
        "muon", "xin", "giup", "gium", "dum", "huong", "how", "what", "where", "when",
        "why", "which", "who", "could", "should", "please", "help",
    }
)  # fmt: skip
# words that make a clause a question when they end it ("... được không", "... chưa")
_ASKING_LAST = frozenset(
    {
        "khong", "ko", "k", "kg", "hong", "hok", "hem", "hk", "khum", "chua", "ha",
        "duoc", "dc", "vay", "v", "z", "ne", "can", "do", "does", "is",
    }
)  # fmt: skip
MAX_PIECES = 5
# words that start a second question inside one clause, for messages typed (or spoken) without
# punctuation: "quên mật khẩu với lại đổi số thì sao", "... còn thẻ mất thì làm lại ở đâu"
_JOINS = (
    "với lại", "vs lại", "với cả", "còn nữa", "còn", "mà", "thêm nữa", "ngoài ra",
    "tiện hỏi luôn", "hỏi luôn", "hỏi thêm", "thứ hai là", "2 là", "hai là", "and also",
    "also", "besides", "plus", "và", "rồi",
)  # fmt: skip
# the same typed without marks: "con" and "ma" are also "child" and "code" there
_BARE_JOINS = (
    "voi lai", "vs lai", "voi ca", "con nua", "them nua", "ngoai ra", "tien hoi luon",
    "hoi luon", "hoi them", "thu hai la", "2 la", "hai la", "con", "ma", "va",
)  # fmt: skip
# "mà" (and "ma", "con" without marks) also just goes on with the same question: "mà sao..."
_WEAK_JOINS = frozenset({"mà", "ma", "con", "và", "va", "rồi"})
_AND_ASKS = r"and(?= (?:what|how|where|when|why|which|who|is|are|can|do|does|my|i)\b)"
_JOIN = re.compile(rf"\b(?:{'|'.join(_JOINS)}|{_AND_ASKS})\b")
_BARE_JOIN = re.compile(rf"\b(?:{'|'.join(_BARE_JOINS)}|{_AND_ASKS})\b")
# "mức 2 là gì" is not a second question; "con tui", "mã otp" are not joins
_NOT_AFTER = frozenset({"muc", "mức", "cap", "cấp", "level", "do", "độ", "lv"})
_NOT_BEFORE = {
    "con": frozenset({"tui", "toi", "em", "minh", "trai", "gai", "nho", "be", "chau", "cai"}),
    "ma": frozenset({"otp", "xac", "pin", "so", "qr", "kich", "code", "dinh", "vach"}),
}
MIN_PART_WORDS = 2


@dataclass(frozen=True)
class Piece:
    text: str
    asks: bool  # has a question mark or a question word
    joined: bool = False  # starts with a join that surely starts another question ("với lại")


def pieces(text: str) -> list[Piece]:
    """The clauses of a message that may carry its question, in order."""
    out: list[Piece] = []
    cut = _SENTENCES.split(text[:600])
    marks = [m.group(0) for m in _SENTENCES.finditer(text[:600])] + [""]
    for clause, mark in zip(cut, marks, strict=False):
        words = fold_text(clause).split()
        if not words or all(w in _GREETING or w in SMALLTALK for w in words):
            continue
        joined = " ".join(words)
        asks = _asks(words, mark)
        if _INTRODUCTION.match(joined) and not asks and len(words) <= 12:
            continue
        out.append(Piece(clause.strip(), asks))
    return out[-MAX_PIECES:]


def _asks(words: list[str], mark: str = "") -> bool:
    return "?" in mark or words[-1] in _ASKING_LAST or any(w in _ASKING for w in words)


def parts(clause: str) -> list[Piece]:
    """One clause cut where a second question starts ("... với lại ...", "... còn ..."),
    or [] when it has no such join (or a part would be a lone word)."""
    low = clause.lower()
    pattern = _JOIN if strip_diacritics(low) != low else _BARE_JOIN
    cuts: list[tuple[int, int, bool]] = []  # where each join starts and ends, and if sure
    for found in pattern.finditer(low):
        head, tail = low[: found.start()].split(), low[found.end() :].split()
        word = found.group(0)
        if not head or not tail or tail[0] in _NOT_BEFORE.get(word, ()):
            continue
        if strip_diacritics(word).endswith(" la") and head[-1] in _NOT_AFTER:
            continue
        sure = word not in _WEAK_JOINS
        if cuts and not low[cuts[-1][1] : found.start()].strip():  # "với lại hỏi luôn"
            cuts[-1] = (cuts[-1][0], found.end(), cuts[-1][2] or sure)
        else:
            cuts.append((*found.span(), sure))
    if not cuts:
        return []
    joins = [0, *(start for start, _end, _sure in cuts)]  # a part asks with its join's words
    strong = [sure for _start, _end, sure in cuts]
    strong.insert(0, strong[0])  # the part before a sure join is a question of its own too
    starts = [0, *(end for _start, end, _sure in cuts)]
    ends = [*(start for start, _end, _sure in cuts), len(clause)]
    out = []
    for join, start, end, sure in zip(joins, starts, ends, strong, strict=True):
        words = fold_text(clause[start:end]).split()
        if len(words) < MIN_PART_WORDS:
            return []
        asks = _asks(fold_text(clause[join:end]).split())
        out.append(Piece(clause[start:end].strip(), asks, sure))
    return out
