"""What the flows that redeem a code share: /join CODE and /start CODE, a link or an invite."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.services import channels, identity
from bot.services.channels import JoinError
from bot.services.privacy import codes
from handlers.identity_common import join_with_code


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
