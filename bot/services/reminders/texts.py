"""The words of reminders and read-back dates, in the recipient's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from lunar_vn import LunarDate

from bot.core.i18n import current_locale, format_date, format_datetime, format_time, to_local
from bot.core.i18n import gettext as _
from bot.storage.booking import OpenSlot
from bot.storage.reminders import Arrival


def spoken_date(day: date) -> str:
    """ "thứ Hai, 12 tháng 7 năm 2027": a day in words, to read back inside a sentence."""
    # Translators: a Babel date pattern; Vietnamese: EEEE, d 'tháng' M 'năm' y
    words = format_date(day, _("EEEE, d MMMM y"))
    if current_locale() != "vi":
        return words
    return (words[:1].lower() + words[1:]).replace("chủ Nhật", "chủ nhật")


def lunar_words(lunar: LunarDate) -> str:
    """ "rằm tháng 11 âm lịch", "mùng 5 tháng 11 âm lịch"."""
    if lunar.day == 15:
        day = _("the full moon (15th)")
    elif lunar.day <= 10:
        day = _("day {day} (mùng {day})").format(day=lunar.day)
    else:
        day = _("day {day}").format(day=lunar.day)
    month = (
        _("of leap lunar month {month}") if lunar.leap else _("of lunar month {month}")
    ).format(month=lunar.month)
    return f"{day} {month}"


def slot_label(slot: OpenSlot) -> str:
    """A slot offered as a choice: its local day and time, and the place when known."""
    when = format_datetime(slot.starts_at, "EEE dd/MM HH:mm")
    place = slot.point_name
    return f"{when} – {place}" if place else when


def return_day(slots: Sequence[OpenSlot]) -> str:
    if slots:
        return _(
            "Welcome back to shore! The Project 06 team can make your chip ID card and "
            "level 2 VNeID account now. Pick a time slot below, or type “đặt lịch”."
        )
    return _(
        "Welcome back to shore! The Project 06 team can make your chip ID card and "
        "level 2 VNeID account now. Type “đặt lịch” to book a time slot."
    )


def follow_up(slots: Sequence[OpenSlot]) -> str:
    if slots:
        return _(
            "A reminder: you have not booked your visit for the chip ID card and the "
            "level 2 VNeID account yet. Pick a time slot below, or type “đặt lịch”."
        )
    return _(
        "A reminder: you have not booked your visit for the chip ID card and the "
        "level 2 VNeID account yet. Type “đặt lịch” to book a time slot."
    )


def booking_eve(starts_at: datetime) -> str:
    return _(
        "Reminder: your appointment is tomorrow, {day}, at {time}. Bring your ID card "
        "(or birth certificate) and your phone. To cancel, type /menu."
    ).format(day=spoken_date(to_local(starts_at).date()), time=format_time(starts_at))


def booking_soon(starts_at: datetime) -> str:
    return _(
        "Your appointment is today at {time}. Please come a little early with your ID card "
        "and your phone."
    ).format(time=format_time(starts_at))


def digest(day: date, arrivals: Sequence[Arrival]) -> str:
    """Per village, per boat: who comes in today and what they still lack."""
    lines = [
        _("Coming back to shore today, {day}, and still missing:").format(day=spoken_date(day))
    ]
    village = boat = None
    for person in arrivals:
        if person.village != village:
            village, boat = person.village, None
            lines.append("")
            lines.append(_("Village {name}:").format(name=person.village))
        if person.boat and person.boat != boat:
            boat = person.boat
            lines.append(_("  Boat {registration}:").format(registration=person.boat))
        lacks = [
            text
            for text, has in (
                (_("an ID card"), person.has_id_card),
                (_("a level 2 account"), person.has_eid_level2),
            )
            if not has
        ]
        lines.append(
            _("  - {name}: no {what}").format(name=person.full_name, what=", ".join(lacks))
        )
    return "\n".join(lines)
