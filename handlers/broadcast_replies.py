"""Residents answer a notice with its buttons at any time; the last answer counts."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.router import Router
from bot.services import broadcast as service
from bot.services.broadcast import Answer, ReplyOutcome

router = Router("broadcast_replies")


@router.action(service.REPLY_ACTION)
async def take_reply(ctx: Context) -> None:
    """Keeps a resident's answer to a notice (the last answer counts)."""
    assert ctx.choice is not None
    outcome = await service.record_reply(
        ctx.tx,
        user_id=ctx.actor.user_id,
        value=ctx.choice.value,
        now=ctx.now(),
        default_locale=ctx.settings.default_locale,
    )
    if outcome is ReplyOutcome.NOT_RECIPIENT:
        ctx.reply(_("This button is no longer valid."))
        return
    if outcome is ReplyOutcome.CLOSED:
        ctx.reply(_("This notice was withdrawn; no answer is needed."))
        return
    coming = ctx.choice.value.endswith(Answer.COMING)
    text = (
        _("Thank you: we noted that you will come.")
        if coming
        else _(
            "Thank you: we noted that you cannot come. You can book another time from the menu."
        )
    )
    if outcome is ReplyOutcome.CHANGED:
        text = _("Your answer was changed.") + " " + text
    ctx.reply(text)
