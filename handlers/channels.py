"""One person, two chat apps: a code made on one app and typed on the other links them."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.router import Router
from bot.services import channels, identity
from bot.services.channels import JoinError
from bot.services.privacy import codes
from handlers.identity import command_join as join_with_invite
from handlers.identity import join_with_code

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
        await join_with_invite(ctx)  # says how to type it
        return
    await use_code(ctx, code)


async def use_code(ctx: Context, code: str) -> None:
    """/join CODE and /start CODE: a link code or an invite, wrong tries throttled per chat."""
    channel, chat_id, now = ctx.inbound.channel, ctx.inbound.chat_id, ctx.now()
    paused = await codes.paused_until(ctx.tx, channel, chat_id, now)
    if paused is not None:
        ctx.reply(codes.paused_text(paused))
        return
    if not await codes.exists(ctx.tx, code):
        until = await codes.wrong(ctx.tx, ctx.actor.user_id, channel, chat_id, now)
        if until is not None:
            ctx.reply(codes.paused_text(until))
            return
        await join_with_code(ctx, code)  # says the code does not exist
        return
    if not await channels.is_link_code(ctx.tx, code):
        await join_with_code(ctx, code)
        return
    result = await channels.join(ctx.tx, ctx.actor, code, now)
    if isinstance(result, JoinError):
        ctx.reply(_join_errors()[result])
        return
    ctx.actor = await identity.reload(ctx.tx, ctx.actor)
    ctx.end()
    ctx.main_menu(
        _(
            "Done: this chat is now linked with your other app. "
            "The bot's reminders and notices will come to the app you used last."
        )
    )


def _join_errors() -> dict[JoinError, str]:
    return {
        JoinError.USED: _("This code has already been used. Make a new one on your other app."),
        JoinError.EXPIRED: _("This code has expired. Make a new one on your other app."),
        JoinError.SAME_USER: _(
            "This chat is already linked with that app. Type the code on your other app."
        ),
        JoinError.HOLDS_MORE: _(
            "This chat is already linked to the resident list or has its own role, so it "
            "cannot join another app. Make the code here instead (menu: Link another chat "
            "app) and type it on your other app."
        ),
    }
