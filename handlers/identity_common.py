"""What the flows about users and roles share: the roles' names and a role's place in words."""

from __future__ import annotations

from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.services import identity, places
from bot.services.identity import Role

ROLE_NAMES = {
    Role.RESIDENT: lazy_gettext("resident"),
    Role.TEAM_LEAD: lazy_gettext("team lead"),
    Role.VILLAGE_HEAD: lazy_gettext("village head"),
    Role.ADMIN: lazy_gettext("admin"),
    identity.LINK_ROLE: lazy_gettext("link to the resident list"),
}


def place_text(place: places.Place) -> str:
    """Where a role applies, in words."""
    if place.village and place.commune:
        return _("village {village} ({commune})").format(
            village=place.village, commune=place.commune
        )
    if place.commune:
        return _("the whole commune of {commune}").format(commune=place.commune)
    return _("every place")
