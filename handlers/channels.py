"""One person, two chat apps: a code made on one app and typed on the other links them."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.router import Router
from bot.services import channels
from handlers.channels_common import use_code
from handlers.identity_common import join_with_code

router = Router("channels")
router.menu(lazy_gettext("Link another chat app"), "channels.code", order=85)


@router.command("link", description=lazy_gettext("Link another chat app (Zalo, Telegram)"))
@router.action("channels.code")
async def give_code(ctx: Context) -> None:
    """Makes a one-time code and says how to type it on the other app."""
    code = await channels.new_link_code(ctx.tx, ctx.actor, ctx.now())
    ctx.reply(
        _(
            "To get the bot's messages on your other app too (Zalo or Telegram), open "
            "Trợ lý 06 there and send:\n/join {code}\n"
            "The code works once, within one hour. Do not give it to anyone else. "
            "Reminders will then come to the app you used last."
        ).format(code=code)
    )


@router.command("join")  # before handlers.identity: a link code is tried first
async def join(ctx: Context) -> None:
    """Links this chat with the app that made the code, or redeems an invite code."""
    code = ctx.inbound.args.split()[0] if ctx.inbound.args else ""
    if not code:
        await join_with_code(ctx, code)  # says how to type it
        return
    await use_code(ctx, code)
