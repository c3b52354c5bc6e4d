"""What the flows about users and roles share: the roles' names, a place in words, invites."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.services import identity, places
from bot.services.identity import InviteError, Role

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


def _invite_errors() -> dict[InviteError, str]:
    return {
        InviteError.UNKNOWN: _("This code does not exist. Check it and try again."),
        InviteError.USED: _("This code has already been used. Ask for a new one."),
        InviteError.EXPIRED: _("This code has expired. Ask for a new one."),
        InviteError.TAKEN: _(
            "That person is already linked to another chat. Ask the commune police for help."
        ),
    }


async def join_with_code(ctx: Context, code: str) -> None:
    """Redeems a one-time code and tells the user what it gave them ("" says how to type it)."""
    if not code:
        ctx.reply(_("Type /join followed by your code, for example: /join AB12CD34"))
        return
    result = await identity.redeem_invite(ctx.tx, ctx.actor, code, ctx.now())
    if isinstance(result, InviteError):
        ctx.reply(_invite_errors()[result])
        return
    ctx.actor = await identity.reload(ctx.tx, ctx.actor)
    ctx.end()
    name = str(ROLE_NAMES.get(result.role, result.role))
    if result.role == identity.LINK_ROLE:
        ctx.main_menu(_("Done: you are now registered as {role}.").format(role=name))
        return
    place = await places.place_of(ctx.tx, result.village_id, result.commune_id)
    ctx.main_menu(
        _("Done: you are now registered as {role}, for {place}.").format(
            role=name, place=place_text(place)
        )
    )
