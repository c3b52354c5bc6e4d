"""Team leads and admins: check people in at the desk."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_time
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.text import fold
from bot.services.booking import (
    Booking,
    checkin,
    reservations,
    texts,
)
from bot.services.booking.rules import (
    BookError,
    Outcome,
)
from handlers.booking_common import (
    DESK,
    DESK_OUTCOME,
    MANAGE,
    STAFF,
    ManageFlow,
    managed,
    value_id,
)

router = Router("booking_desk")


# --- check-in -------------------------------------------------------------------------------


@router.action("booking.desk", states=[MANAGE, DESK_OUTCOME], roles=STAFF)
async def desk(ctx: Context) -> None:
    """Lists the bookings still to check in (type a name or number to find one)."""
    flow = ctx.load(ManageFlow)
    await _show_desk(ctx, flow, "")


@router.state(DESK, roles=STAFF)
async def desk_search(ctx: Context) -> None:
    """Finds bookings by booking number or a part of a name."""
    await _show_desk(ctx, ctx.load(ManageFlow), ctx.text)


async def _show_desk(ctx: Context, flow: ManageFlow, query: str, note: str = "") -> None:
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    found = await checkin.desk_list(ctx.tx, session.id)
    names = await reservations.names(ctx.tx, [b.id for b in found])
    wanted = fold(query).lstrip("#")
    if wanted:
        found = [
            b
            for b in found
            if wanted == str(b.id) or any(wanted in fold(n) for n in names.get(b.id, []))
        ]
    flow.booking_id = None
    ctx.go(DESK, flow)
    if not found:
        ctx.reply(
            "\n".join(filter(None, [note, _("No booking to check in here.")])),
            choices=[Choice(_("Back"), "booking.admin_abort")],
        )
        return
    ctx.reply(
        "\n".join(
            filter(
                None,
                [note, _("Who has come? Pick a booking, or type a name or booking number.")],
            )
        ),
        choices=[
            *(
                Choice(_desk_label(b, names.get(b.id, [])), "booking.desk_pick", str(b.id))
                for b in found[:30]
            ),
            Choice(_("Back"), "booking.admin_abort"),
        ],
    )


def _desk_label(booking: Booking, names: list[str]) -> str:
    who = names[0] if names else _("{count} people").format(count=booking.people)
    extra = f" +{len(names) - 1}" if len(names) > 1 else ""
    return f"{format_time(booking.starts_at)} · #{booking.id} · {who}{extra}"


@router.action("booking.desk_pick", states=[DESK], roles=STAFF)
async def desk_pick(ctx: Context) -> None:
    """Asks what happened with the picked booking."""
    flow = ctx.load(ManageFlow)
    booking = await reservations.booking_info(ctx.tx, value_id(ctx) or 0)
    if booking is None or booking.session_id != flow.session_id:
        await _show_desk(ctx, flow, "", _("That booking is not in this session."))
        return
    flow.booking_id = booking.id
    ctx.go(DESK_OUTCOME, flow)
    names = await reservations.names(ctx.tx, [booking.id])
    who = ", ".join(names.get(booking.id, [])) or _("{count} people").format(count=booking.people)
    ctx.reply(
        f"#{booking.id} · {who}\n{texts.service_label(booking.service)}",
        choices=[
            *(Choice(texts.outcome_label(o), "booking.outcome", o.value) for o in Outcome),
            Choice(_("Back"), "booking.desk"),
        ],
    )


@router.action("booking.outcome", states=[DESK_OUTCOME], roles=STAFF)
async def desk_outcome(ctx: Context) -> None:
    """Records arrival (and what was done) or a no-show, then shows the list again."""
    flow = ctx.load(ManageFlow)
    value = ctx.choice.value if ctx.choice else ""
    if flow.booking_id is None or value not in {o.value for o in Outcome}:
        await _show_desk(ctx, flow, "")
        return
    result = await checkin.check_in(
        ctx.tx, ctx.actor, booking_id=flow.booking_id, outcome=value, now=ctx.now()
    )
    note = (
        _("That booking was already cancelled or checked in.")
        if isinstance(result, BookError)
        else _("Recorded #{id}: {outcome}.").format(
            id=result.id, outcome=texts.outcome_label(value)
        )
    )
    await _show_desk(ctx, flow, "", note)
