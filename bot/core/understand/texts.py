"""What the core says when a typed answer fits nothing, and how to answer a list."""

from __future__ import annotations

from bot.core.i18n import gettext as _


def did_not_understand() -> str:
    return _("Sorry, I did not understand that.")


def not_an_option() -> str:
    return _("That button is not one of the options of this step.")


def which_one() -> str:
    return _("Which one do you mean?")


def pick_a_number(count: int) -> str:
    return _("Please pick a number from 1 to {count}.").format(count=count)


def how_to_answer() -> str:
    """The one line under a numbered list (Zalo, console): how to answer it."""
    return _("(type the number or answer in words)")
