"""Session buttons short enough to read whole on a phone: day, time and free places first."""

from __future__ import annotations

from bot.core.i18n import format_date, format_time, gettext, to_local
from bot.storage.booking.sessions import Session

_ = gettext

LABEL_LIMIT = 42  # about what a phone shows of a button; the place, last, may lose a letter
SEPARATOR = " · "


def room_left(free: int) -> str:
    """ "còn 12", or "hết chỗ": the free places, in as few characters as they can be said."""
    if free <= 0:
        return _("full")
    return _("{count} left").format(count=free)


def short_place(name: str, room: int) -> str:
    """The place name if it fits in `room` characters, else its last words that fit, at most
    half of them and at least two ("Đầm Môn" of "Nhà văn hoá thôn Đầm Môn": the words that
    tell places apart come last); else empty."""
    words = name.split()
    if len(name) <= room:
        return name
    kept: list[str] = []
    for word in reversed(words[len(words) - len(words) // 2 :]):
        if len(" ".join([word, *kept])) > room:
            break
        kept.insert(0, word)
    return " ".join(kept) if len(kept) >= 2 else ""  # one word ("xã", "Môn") tells nothing


def session_label(session: Session, *, taken: bool = False) -> str:
    """ "T5 3/12 07:00–11:00 · còn 12 · Đầm Môn": the place shortened, or left out, to fit.

    `taken` shows "taken/capacity" instead of the free places (for staff).
    """
    day = format_date(to_local(session.starts_at).date(), "EEEEEE d/M")
    hours = f"{format_time(session.starts_at)}–{format_time(session.ends_at)}"
    places = f"{session.taken}/{session.capacity}" if taken else room_left(session.free_ahead)
    head = f"{day} {hours}{SEPARATOR}{places}"
    place = short_place(session.point_name, LABEL_LIMIT - len(head) - len(SEPARATOR))
    return f"{head}{SEPARATOR}{place}" if place else head
