"""Group chats get public information only; everything else is asked for in a private chat."""

from __future__ import annotations

from bot.core.i18n import gettext as _


def private_only_text() -> str:
    """The one answer a group gets for anything that is not public information."""
    return _("Please message the bot privately.")
