"""Session buttons short enough to read whole on a phone: day, time and free places first."""

from __future__ import annotations

from bot.core.i18n import format_date, format_time, gettext, to_local
from bot.storage.booking.sessions import Session

_ = gettext

LABEL_LIMIT = 40  # what a phone shows of a button without cutting it
SEPARATOR = " · "


def room_left(free: int) -> str:
    """ "còn 12", or "hết chỗ": the free places, in as few characters as they can be said."""
    if free <= 0:
        return _("full")
    return _("{count} left").format(count=free)


def short_place(name: str, room: int) -> str:
    """The last words of a place name that fit in `room` characters ("Đầm Môn" of "Nhà văn
    hoá thôn Đầm Môn"): the words that tell places apart come last. Empty if none fits."""
    kept: list[str] = []
    for word in reversed(name.split()):
        if len(" ".join([word, *kept])) > room:
            break
        kept.insert(0, word)
    return " ".join(kept)


def session_label(session: Session, *, taken: bool = False) -> str:
    """ "T5 3/12 7:00–11:00 · còn 12 · Đầm Môn": the place shortened, or left out, to fit.

    `taken` shows "taken/capacity" instead of the free places (for staff).
    """
    day = format_date(to_local(session.starts_at).date(), "EEEEEE d/M")
    hours = f"{format_time(session.starts_at, 'H:mm')}–{format_time(session.ends_at, 'H:mm')}"
    places = f"{session.taken}/{session.capacity}" if taken else room_left(session.free_ahead)
    head = f"{day} {hours}{SEPARATOR}{places}"
    place = short_place(session.point_name, LABEL_LIMIT - len(head) - len(SEPARATOR))
    return f"{head}{SEPARATOR}{place}" if place else head
