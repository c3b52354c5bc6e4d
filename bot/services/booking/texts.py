"""Words the booking flows and their notices share: service names, slot lines, what to bring."""

from __future__ import annotations

from datetime import datetime

from bot.core.i18n import format_date, format_time, gettext, to_local
from bot.services.booking.rules import (
    MAX_MACHINES,
    MAX_MINUTES_PER_PERSON,
    Outcome,
    Service,
    SessionError,
)

_ = gettext


def service_label(service: str) -> str:
    return {
        Service.ID_CARD: _("ID card (new, change or re-issue)"),
        Service.EID_LEVEL2: _("VNeID level 2 account"),
        Service.BOTH: _("ID card and VNeID level 2"),
        Service.ACTIVATION_HELP: _("Help activating VNeID"),
    }[Service(service)]


def outcome_label(outcome: str) -> str:
    return {
        Outcome.ID_CARD: _("Came: ID card application taken"),
        Outcome.EID_LEVEL2: _("Came: level 2 registered"),
        Outcome.BOTH: _("Came: ID card application and level 2"),
        Outcome.HELPED: _("Came: advice or activation only"),
        Outcome.NO_SHOW: _("Did not come"),
    }[Outcome(outcome)]


def when(starts_at: datetime, ends_at: datetime) -> str:
    """ "Thứ Tư, 02/12 · 07:00–07:30" in local time."""
    day = format_date(to_local(starts_at).date(), "EEEE, dd/MM")
    return f"{day} · {format_time(starts_at)}–{format_time(ends_at)}"


def moment(at: datetime) -> str:
    """ "Thứ Tư, 02/12 05:00" in local time."""
    return f"{format_date(to_local(at).date(), 'EEEE, dd/MM')} {format_time(at)}"


def where(point_name: str, address: str) -> str:
    return f"{point_name} ({address})" if address else point_name


def places(free: int) -> str:
    if free <= 0:
        return _("full")
    return _("{count} places left").format(count=free)


def what_to_bring(service: str) -> str:
    """The checklist for the visit (facts 2.3, 2.4 and 3.5)."""
    card = _(
        "• Your chip ID card (thẻ căn cước / CCCD gắn chip), the original; if you have none "
        "or it has expired, the card is made at the same visit."
    )
    phone = _(
        "• The mobile number registered in your own name (one number can hold only one "
        "VNeID account), and your smartphone if you have one."
    )
    papers = _(
        "• Originals of papers you want added to VNeID (driving licence, health insurance "
        "card...). No household book is needed."
    )
    in_person = _(
        "• Everyone booked must come in person: the officer takes a photo and fingerprints; "
        "nobody can do it on their behalf."
    )
    lines = {
        Service.ID_CARD: [
            _("• Your old ID card or CCCD, if you have one."),
            phone,
            in_person,
        ],
        Service.EID_LEVEL2: [card, phone, papers, in_person],
        Service.BOTH: [card, phone, papers, in_person],
        Service.ACTIVATION_HELP: [
            card,
            _(
                "• Your smartphone with the VNeID app installed, and the SIM in your own name "
                "to receive the activation code."
            ),
        ],
    }[Service(service)]
    return "\n".join([_("Please bring:"), *lines])


def local_note() -> str:
    return _(
        "This booking is arranged by the commune's team 06; it is not a booking in VNeID or "
        "the public service portal."
    )


def session_error(error: SessionError) -> str:
    """Why a session cannot be opened or changed, in words."""
    return {
        SessionError.NOT_FOUND: _("That session or place no longer exists."),
        SessionError.NOT_ALLOWED: _("You cannot manage sessions there."),
        SessionError.PAST: _("That time has already passed."),
        SessionError.END_BEFORE_START: _("The end must be after the start."),
        SessionError.TOO_LONG: _("A session can last at most 16 hours."),
        SessionError.MACHINES: _("The number of machines must be between 1 and {max}.").format(
            max=MAX_MACHINES
        ),
        SessionError.MINUTES: _("Minutes per person must be between 1 and {max}.").format(
            max=MAX_MINUTES_PER_PERSON
        ),
        SessionError.NO_PLACES: _("With these numbers the session has no places at all."),
        SessionError.CUTOFF: _("The booking cut-off would already have passed."),
        SessionError.NOT_OPEN: _("That session is cancelled or over."),
        SessionError.OVERFULL: _(
            "More people are already booked in some times than that would allow."
        ),
    }[error]
