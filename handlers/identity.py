"""Linking a chat user to the roster (own phone or one-time code) and invite codes for roles."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services import identity, places
from bot.services.identity import InviteError, LinkError, Role

router = Router("identity")
router.menu(lazy_gettext("Link my chat to the resident list"), "identity.link", order=80)

PICK_PERSON = "identity:pick_person"
ROLE_NAMES = {
    Role.RESIDENT: lazy_gettext("resident"),
    Role.TEAM_LEAD: lazy_gettext("team lead"),
    Role.VILLAGE_HEAD: lazy_gettext("village head"),
    Role.ADMIN: lazy_gettext("admin"),
    identity.LINK_ROLE: lazy_gettext("link to the resident list"),
}


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
    """Redeems a one-time code and tells the user what it gave them."""
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


def place_text(place: places.Place) -> str:
    """Where a role applies, in words."""
    if place.village and place.commune:
        return _("village {village} ({commune})").format(
            village=place.village, commune=place.commune
        )
    if place.commune:
        return _("the whole commune of {commune}").format(commune=place.commune)
    return _("every place")


@router.command("join", description=lazy_gettext("Use a code from the commune police"))
async def command_join(ctx: Context) -> None:
    """Redeems the code given after /join."""
    if not ctx.inbound.args:
        ctx.reply(_("Type /join followed by your code, for example: /join AB12CD34"))
        return
    await join_with_code(ctx, ctx.inbound.args.split()[0])


@router.action("identity.link")
async def ask_phone(ctx: Context) -> None:
    """Asks the user to share their own phone number."""
    ctx.reply(
        _(
            "Share your own phone number with the button below (on Zalo, type /join and "
            "the code the commune police gave you). We use it only to find you in the "
            "commune's resident list."
        ),
        request_phone=True,
    )


@router.contact()
async def link_by_contact(ctx: Context) -> None:
    """Links the user to the roster person with the shared phone, or asks which one."""
    result = await identity.link_by_phone(
        ctx.tx, ctx.actor, ctx.inbound.phone, ctx.inbound.contact_is_own
    )
    if isinstance(result, LinkError):
        ctx.reply(_link_errors()[result].format(hotline=ctx.settings.hotline))
        return
    if len(result) == 1:
        ctx.actor = await identity.reload(ctx.tx, ctx.actor)
        ctx.main_menu(
            _("Thank you, {name}: your chat is linked.").format(name=result[0].full_name)
        )
        return
    ctx.go(PICK_PERSON, {"phone": ctx.inbound.phone})
    ctx.reply(
        _("Several people in your household use this number. Who are you?"),
        choices=[Choice(p.full_name, "identity.pick_person", str(p.person_id)) for p in result],
    )


def _link_errors() -> dict[LinkError, str]:
    return {
        LinkError.NOT_OWN: _("Please share your own number, not someone else's contact."),
        LinkError.BAD_PHONE: _("That is not a Vietnamese mobile number."),
        LinkError.NOT_FOUND: _(
            "This number is not in the commune's resident list. "
            "Ask your village head or call {hotline}."
        ),
        LinkError.TAKEN: _(
            "The people with this number are already linked to another chat. "
            "Ask the commune police for a link code."
        ),
    }


@router.action("identity.pick_person", states=[PICK_PERSON])
async def pick_person(ctx: Context) -> None:
    """Links the user to the household member they picked."""
    assert ctx.choice is not None
    phone = str(ctx.convo.data.get("phone", ""))
    ctx.end()
    if not ctx.choice.value.isdigit() or not await identity.link_person(
        ctx.tx, ctx.actor, int(ctx.choice.value), phone
    ):
        ctx.reply(_("That choice is no longer valid. Share your number again."))
        return
    ctx.actor = await identity.reload(ctx.tx, ctx.actor)
    ctx.main_menu(_("Thank you, {name}: your chat is linked.").format(name=ctx.choice.label))
