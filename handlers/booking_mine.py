"""Residents: my bookings (see, cancel), taking or giving back a waitlist place."""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext, to_local
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services.booking import (
    reservations,
    texts,
    waitlist,
)
from bot.services.booking.rules import (
    BookError,
)
from handlers.booking_common import (
    CONFIRM_CANCEL,
    book_errors,
    own_booking,
    say_booked,
    value_id,
)


class CancelFlow(BaseModel):
    booking_id: int


router = Router("booking_mine")


@router.action("booking.menu")
async def menu(ctx: Context) -> None:
    """Shows the main menu."""
    ctx.end()
    ctx.main_menu(_("What do you need?"))


@router.command("mybookings", description=lazy_gettext("My bookings"))
async def command_mine(ctx: Context) -> None:
    """Shows the user's bookings."""
    await mine(ctx)


@router.action("booking.mine")
async def mine(ctx: Context) -> None:
    """Lists the user's bookings with a change and a cancel button for each."""
    ctx.end()
    found = await reservations.my_bookings(ctx.tx, ctx.actor.user_id, ctx.now())
    if not found:
        ctx.reply(_("You have no bookings."), choices=[Choice(_("Book a visit"), "booking.start")])
        return
    names = await reservations.names(ctx.tx, [b.id for b in found])
    lines, choices = [_("Your bookings:")], []
    for number, booking in enumerate(found, start=1):
        who = ", ".join(names.get(booking.id, [])) or _("{count} people").format(
            count=booking.people
        )
        lines.append(
            f"{number}. #{booking.id} · {texts.when(booking.starts_at, booking.ends_at)} · "
            f"{texts.where(booking.point_name, booking.address)} · "
            f"{texts.service_label(booking.service)} · {who}"
        )
        day = to_local(booking.starts_at).strftime("%d/%m %H:%M")
        choices += [
            Choice(_("Change {when}").format(when=day), "booking.reschedule", str(booking.id)),
            Choice(_("Cancel {when}").format(when=day), "booking.cancel", str(booking.id)),
        ]
    ctx.reply("\n".join(lines), choices=choices)


@router.action("booking.cancel")
async def ask_cancel(ctx: Context) -> None:
    """Asks to confirm cancelling one of the user's bookings."""
    booking = await own_booking(ctx)
    if booking is None:
        return
    ctx.go(CONFIRM_CANCEL, CancelFlow(booking_id=booking.id))
    ctx.reply(
        _("Cancel your booking on {when} at {where}?").format(
            when=texts.when(booking.starts_at, booking.ends_at), where=booking.point_name
        ),
        choices=[
            Choice(_("Yes, cancel it"), "booking.cancel_yes"),
            Choice(_("No, keep it"), "booking.abort"),
        ],
    )


@router.action("booking.cancel_yes", states=[CONFIRM_CANCEL])
async def cancel(ctx: Context) -> None:
    """Cancels the booking; a freed place goes to the waiting list."""
    flow = ctx.load(CancelFlow)
    ctx.end()
    result = await reservations.cancel(
        ctx.tx, booking_id=flow.booking_id, user_id=ctx.actor.user_id, now=ctx.now()
    )
    if isinstance(result, BookError):
        ctx.main_menu(book_errors()[result])
        return
    ctx.main_menu(_("Your booking is cancelled. You can book again at any time."))


@router.action("booking.accept_offer")
async def accept_offer(ctx: Context) -> None:
    """Takes the place held from the waiting list."""
    result = await waitlist.accept(
        ctx.tx, entry_id=value_id(ctx) or 0, user_id=ctx.actor.user_id, now=ctx.now()
    )
    if isinstance(result, BookError):
        ctx.end()
        ctx.main_menu(book_errors()[result])
        return
    ctx.end()
    await say_booked(ctx, result)


@router.action("booking.decline_offer")
async def decline_offer(ctx: Context) -> None:
    """Gives the held place back to the next in line."""
    result = await waitlist.decline(
        ctx.tx, entry_id=value_id(ctx) or 0, user_id=ctx.actor.user_id, now=ctx.now()
    )
    ctx.end()
    if result is not None:
        ctx.main_menu(book_errors()[result])
        return
    ctx.main_menu(_("Thank you: the place goes to the next person."))
