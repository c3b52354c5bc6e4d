"""Linking a chat user to the roster and invite codes for roles.

A resident links by sharing their contact (Telegram), by typing the phone number on the roster
and then their birth date (any channel; Zalo has no contact button), or with a one-time code
from the police. Five wrong typed tries stop linking from that chat for an hour.
"""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.i18n import format_time, lazy_gettext, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand.birth import read_birth
from bot.services import identity, throttle
from bot.services.identity import LinkError
from bot.services.phone import find_phone
from handlers.identity_common import join_with_code

logger = logging.getLogger(__name__)

router = Router("identity")
router.menu(lazy_gettext("Link my chat to the resident list"), "identity.link", order=80)

PICK_PERSON = "identity:pick_person"
TYPE_PHONE = "identity:type_phone"
TYPE_BIRTH = "identity:type_birth"
THROTTLE = "link"


@router.command("join", description=lazy_gettext("Use a code from the commune police"))
async def command_join(ctx: Context) -> None:
    """Redeems the code given after /join."""
    await join_with_code(ctx, ctx.inbound.args.split()[0] if ctx.inbound.args else "")


def _chat(ctx: Context) -> str:
    return throttle.chat_key(ctx.inbound.channel, ctx.inbound.chat_id)


async def _stopped(ctx: Context) -> bool:
    """Tells the user when they may try again, if this chat made too many wrong tries."""
    until = await throttle.blocked_until(ctx.tx, _chat(ctx), THROTTLE, ctx.now())
    if until is None:
        return False
    ctx.end()
    ctx.main_menu(
        _(
            "Too many wrong tries from this chat. Please try again after {time}, or ask the "
            "commune police for a link code."
        ).format(time=format_time(until))
    )
    return True


@router.action("identity.link")
async def ask_phone(ctx: Context) -> None:
    """Asks for the user's phone: shared with a button on Telegram, typed anywhere."""
    if await _stopped(ctx):
        return
    ctx.go(TYPE_PHONE, {})
    if ctx.inbound.channel == "telegram":
        ctx.reply(
            _(
                "Share your own phone number with the button below, or type the phone number "
                "you gave for the commune's resident list. We use it only to find you in the list."
            ),
            request_phone=True,
        )
        return
    ctx.reply(
        _(
            "Type the phone number you gave for the commune's resident list (for example "
            "0905 123 456). We use it only to find you in the list. With a code from the "
            "commune police, type /join and the code instead."
        )
    )


@router.state(TYPE_PHONE)
async def read_typed_phone(ctx: Context) -> None:
    """Reads the typed phone number and asks for the birth date."""
    phone = find_phone(ctx.text)
    if phone is None:
        ctx.reply(_("I could not read a mobile number in that. Type it like 0905 123 456."))
        return
    ctx.go(TYPE_BIRTH, {"phone": phone})
    ctx.reply(
        _("Now type your date of birth, for example 12/3/1975 (or only the year: năm 1975).")
    )


@router.state(TYPE_BIRTH)
async def read_typed_birth(ctx: Context) -> None:
    """Links when the phone and the birth date match one person on the roster together."""
    born = read_birth(ctx.text, to_local(ctx.now()).date())
    if born is None:
        ctx.reply(
            _("I could not read a date of birth in that. Type it like 12/3/1975, or: năm 1975.")
        )
        return
    if await _stopped(ctx):
        return
    phone = str(ctx.convo.data.get("phone", ""))
    result = await identity.link_by_typing(ctx.tx, ctx.actor, phone, born.day, born.year)
    if result in (LinkError.NOT_FOUND, LinkError.BAD_PHONE):
        until = await throttle.fail(ctx.tx, _chat(ctx), THROTTLE, ctx.now())
        logger.info("typed link refused: user=%s stopped=%s", ctx.actor.user_id, bool(until))
        if await _stopped(ctx):
            return
        ctx.go(TYPE_PHONE, {})
        ctx.reply(
            _(
                "That phone number and date of birth do not match the commune's resident "
                "list together. Check them and type the phone number again, or ask your "
                "village head."
            )
        )
        return
    logger.info("typed link: user=%s result=%s", ctx.actor.user_id, _outcome(result))
    ctx.end()
    if isinstance(result, LinkError):
        ctx.reply(_link_errors()[result].format(hotline=ctx.settings.hotline))
        return
    await throttle.succeed(ctx.tx, _chat(ctx), THROTTLE)
    await _linked(ctx, result, phone)


def _outcome(result: object) -> str:
    return result.value if isinstance(result, LinkError) else f"people={len(result)}"  # type: ignore[arg-type]


async def _linked(ctx: Context, result: list[identity.PersonBrief], phone: str) -> None:
    if len(result) == 1:
        ctx.actor = await identity.reload(ctx.tx, ctx.actor)
        ctx.main_menu(
            _("Thank you, {name}: your chat is linked.").format(name=result[0].full_name)
        )
        return
    ctx.go(PICK_PERSON, {"phone": phone})
    ctx.reply(
        _("Several people in your household use this number. Who are you?"),
        choices=[Choice(p.full_name, "identity.pick_person", str(p.person_id)) for p in result],
    )


@router.contact()
async def link_by_contact(ctx: Context) -> None:
    """Links the user to the roster person with the shared phone, or asks which one."""
    if ctx.state in (TYPE_PHONE, TYPE_BIRTH):
        ctx.end()
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
