"""The part of a long message that asks: sentences and clauses, without greetings,
self-introductions and the story told before the question."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Piece:
    text: str
    asks: bool  # has a question mark or a question word


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
        asks = "?" in mark or words[-1] in _ASKING_LAST or any(w in _ASKING for w in words)
        if _INTRODUCTION.match(joined) and not asks and len(words) <= 12:
            continue
        out.append(Piece(clause.strip(), asks))
    return out[-MAX_PIECES:]
