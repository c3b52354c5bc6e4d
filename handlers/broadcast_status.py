"""Following the notices sent (`/broadcast_status`): counts, the people not reached, stopping."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_number, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Attachment, Choice
from bot.core.router import Router
from bot.services import broadcast as service
from bot.services.broadcast import BroadcastRow
from handlers.broadcast_common import STAFF

router = Router("broadcast_status")
router.menu(lazy_gettext("Notices sent"), "broadcast.status", roles=STAFF, order=61)


@router.command(
    "broadcast_status", roles=STAFF, description=lazy_gettext("Where my notices stand")
)
@router.action("broadcast.status", roles=STAFF)
async def show_status(ctx: Context) -> None:
    """Shows the latest notices with their counts, the list and a stop button."""
    await service.finish_due(ctx.tx, ctx.now(), ctx.settings.default_locale)
    recent = await service.visible_recent(ctx.tx, ctx.actor)
    if not recent:
        ctx.main_menu(_("No notices yet."))
        return
    for current in reversed(recent):
        broadcast = current.broadcast
        choices = [
            Choice(_("List of people not reached (CSV)"), "broadcast.file", str(broadcast.id))
        ]
        if (
            current.waiting
            and broadcast.status in ("scheduled", "sending")
            and await service.may_stop(ctx.tx, ctx.actor, broadcast)
        ):
            choices.append(Choice(_("Stop sending"), "broadcast.stop", str(broadcast.id)))
        preview = broadcast.text if len(broadcast.text) <= 120 else broadcast.text[:117] + "…"
        ctx.reply(f"{service.status_text(current)}\n«{preview}»", choices=choices)


@router.action("broadcast.file", roles=STAFF)
async def send_file(ctx: Context) -> None:
    """Sends the people not reached (in the actor's villages) as a CSV file."""
    assert ctx.choice is not None
    broadcast = await _visible(ctx)
    if broadcast is None:
        return
    rows = await service.not_reached_for(ctx.tx, ctx.actor, broadcast)
    if not rows:
        ctx.reply(_("Everyone in the audience was reached in the chat."))
        return
    households = len({(r.village, r.household_code) for r in rows})
    ctx.reply(
        _("{people} people in {households} households were not reached in the chat.").format(
            people=format_number(len(rows)), households=format_number(households)
        ),
        document=Attachment(
            f"thong-bao-{broadcast.id}-chua-nhan.csv", service.report_csv(rows), "text/csv"
        ),
    )


@router.action("broadcast.stop", roles=STAFF)
async def stop(ctx: Context) -> None:
    """Withdraws the messages of a notice that have not gone out yet."""
    broadcast = await _visible(ctx)
    if broadcast is None:
        return
    if not await service.may_stop(ctx.tx, ctx.actor, broadcast):
        ctx.reply(
            _("Only its author, or an admin of every village it goes to, can stop this notice.")
        )
        return
    if await service.cancel(ctx.tx, ctx.actor, broadcast.id, ctx.now()):
        ctx.reply(_("Stopped: the messages not sent yet were withdrawn."))
    else:
        ctx.reply(_("This notice can no longer be stopped."))


async def _visible(ctx: Context) -> BroadcastRow | None:
    assert ctx.choice is not None
    value = ctx.choice.value
    broadcast = (
        await service.find_visible(ctx.tx, ctx.actor, int(value)) if value.isdigit() else None
    )
    if broadcast is None:
        ctx.reply(_("You cannot see this notice."))
    return broadcast
