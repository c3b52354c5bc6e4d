"""Text typed by residents, made safe to show staff: one line, no control or direction marks."""

from __future__ import annotations

import unicodedata

NAME_CHARS = 120
LINE_CHARS = 200
# Cc: control (NUL, newline, ESC...), Cf: format (right-to-left overrides, isolates, zero
# widths), Zl/Zp: line and paragraph separators, Co/Cs/Cn: private use, surrogates, unassigned.
_DROPPED = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def one_line(text: str | None, limit: int = LINE_CHARS) -> str:
    """`text` as one line: breaks and tabs become spaces, control and direction characters go,
    spaces are collapsed, and at most `limit` characters are kept (an ellipsis marks a cut)."""
    if not text:
        return ""
    kept: list[str] = []
    for char in unicodedata.normalize("NFC", text):
        if char in "\n\r\t\v\f\u2028\u2029\x85":
            kept.append(" ")
        elif unicodedata.category(char) not in _DROPPED:
            kept.append(char)
    line = " ".join("".join(kept).split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
