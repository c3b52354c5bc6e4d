"""Sentences the privacy rules add to other flows (kept in the privacy catalog)."""

from __future__ import annotations

from bot.core.i18n import gettext as _
from bot.services.booking.home_visits import MAX_OPEN_PER_USER


def too_many_visits_text() -> str:
    return _(
        "You already have {count} home visit requests open. The team will call you; a new "
        "request can be made when one of them is done."
    ).format(count=MAX_OPEN_PER_USER)


def call_label() -> str:
    """The button (and typed word) that reveals one person's phone: "Gọi"."""
    return _("Call")


def other_crew_text(villages: tuple[tuple[str, int], ...]) -> str:
    """ "Crew from other villages: Hòn Ông 2, Điệp Sơn 1" (their heads see them too)."""
    listed = ", ".join(f"{name} {count}" for name, count in villages)
    return _("Crew from other villages: {villages}.").format(villages=listed)
