"""Start, menu, help, cancel and language: the commands every user has."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import SUPPORTED, lazy_gettext, use_locale
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services import identity
from handlers.channels_common import use_code

router = Router("start")
router.menu(lazy_gettext("Language / Ngôn ngữ"), "lang.pick", order=90)

LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English"}


@router.command("start", description=lazy_gettext("Start and show the menu"))
async def command_start(ctx: Context) -> None:
    """Greets the user (a deep-link code is redeemed first) and shows the main menu."""
    if ctx.inbound.args:
        await use_code(ctx, ctx.inbound.args.split()[0])  # throttled like /join
        return
    ctx.end()
    ctx.main_menu(
        _(
            "Hello! I am Trợ lý 06, the assistant of the commune's Project 06 team. "
            "I answer questions about VNeID and the chip ID card and help you book a visit."
        )
    )


@router.command("menu", description=lazy_gettext("Main menu"))
async def command_menu(ctx: Context) -> None:
    """Shows the main menu of the user's roles."""
    ctx.end()
    ctx.main_menu(_("What do you need?"))


@router.command("help", description=lazy_gettext("What I can do"), public=True)
async def command_help(ctx: Context) -> None:
    """Explains how to talk to the bot and who to call."""
    ctx.main_menu(
        _(
            "Type a question in your own words, with or without accents "
            '(for example "ko nhan dc otp"), or pick from the menu.\n'
            "/menu: the menu\n/cancel: stop what we are doing\n/lang: language\n"
            "/join CODE: use a code from the commune police\n"
            "VNeID hotline: {hotline}"
        ).format(hotline=ctx.settings.hotline)
    )


@router.command("cancel", description=lazy_gettext("Stop what we are doing"))
async def command_cancel(ctx: Context) -> None:
    """Leaves any flow and shows the menu."""
    had_flow = ctx.state is not None
    ctx.end()
    ctx.main_menu(_("Cancelled. What else do you need?") if had_flow else _("What do you need?"))


@router.command("lang", description=lazy_gettext("Language / Ngôn ngữ"))
async def command_lang(ctx: Context) -> None:
    """Sets the language given as argument, or offers the languages."""
    wanted = ctx.inbound.args.strip().lower()
    if wanted in SUPPORTED:
        await _set_language(ctx, wanted)
    else:
        await offer_languages(ctx)


@router.action("lang.pick")
async def offer_languages(ctx: Context) -> None:
    """Offers the supported languages."""
    ctx.reply(
        _("Choose a language:"),
        choices=[Choice(LANGUAGE_NAMES[code], "lang.set", code) for code in SUPPORTED],
    )


@router.action("lang.set")
async def pick_language(ctx: Context) -> None:
    """Stores the picked language and shows the menu in it."""
    assert ctx.choice is not None
    if ctx.choice.value in SUPPORTED:
        await _set_language(ctx, ctx.choice.value)


async def _set_language(ctx: Context, code: str) -> None:
    await identity.set_locale(ctx.tx, ctx.actor, code)
    with use_locale(code):
        ctx.main_menu(_("Language set: {name}.").format(name=LANGUAGE_NAMES[code]))
