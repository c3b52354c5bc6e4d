"""Residents: my bookings (see, cancel), taking or giving back a waitlist place."""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext, to_local
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import booking_words, meaning
from bot.services.booking import (
    Booking,
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
    booking_lines,
    own_booking,
    say_booked,
    session_line,
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
    """Lists the household's bookings (change, cancel) and the user's waiting lists (leave)."""
    ctx.end()
    household = await reservations.household_ids(ctx.tx, ctx.actor.person_id)
    found = await reservations.my_bookings(ctx.tx, ctx.actor.user_id, ctx.now(), household)
    waits = await waitlist.my_waits(ctx.tx, ctx.actor.user_id)
    if not found and not waits:
        ctx.reply(_("You have no bookings."), choices=[Choice(_("Book a visit"), "booking.start")])
        return
    lines, choices = [], []
    if found:
        booked, _names = await booking_lines(ctx, found)
        lines += [_("Your bookings:"), *booked]
    for booking in found:
        day = to_local(booking.starts_at).strftime("%d/%m %H:%M")
        choices += [
            Choice(_("Change {when}").format(when=day), "booking.reschedule", str(booking.id)),
            Choice(_("Cancel {when}").format(when=day), "booking.cancel", str(booking.id)),
        ]
    for entry in waits:
        session = await reservations.session_info(ctx.tx, entry.session_id, ctx.now())
        if session is None:
            continue
        lines.append(_("On the waiting list: {session}").format(session=session_line(session)))
        day = to_local(session.starts_at).strftime("%d/%m")
        choices.append(
            Choice(
                _("Leave the waiting list {when}").format(when=day),
                "booking.leave_wait",
                str(entry.id),
            )
        )
    ctx.reply("\n".join(lines), choices=choices)


@router.text(booking_words.asks_to_cancel)
async def cancel_by_words(ctx: Context) -> None:
    """ "Huỷ lịch", "không đi được nữa": asks to cancel the booking (or which one)."""
    household = await reservations.household_ids(ctx.tx, ctx.actor.person_id)
    found = await reservations.my_bookings(ctx.tx, ctx.actor.user_id, ctx.now(), household)
    if len(found) == 1:
        await _confirm_cancel(ctx, found[0])
        return
    await mine(ctx)
    if len(found) > 1:
        ctx.reply(_("Which booking do you want to cancel? Pick “Cancel” beside it."))


@router.text(booking_words.asks_for_mine)
async def mine_by_words(ctx: Context) -> None:
    """ "Lịch của tui": the household's bookings."""
    await mine(ctx)


@router.action("booking.leave_wait")
async def leave_wait(ctx: Context) -> None:
    """Takes the user off a waiting list (a place held for them goes to the next)."""
    ctx.end()
    left = await waitlist.leave(
        ctx.tx, entry_id=value_id(ctx) or 0, user_id=ctx.actor.user_id, now=ctx.now()
    )
    if not left:
        ctx.main_menu(_("You are not on that waiting list any more."))
        return
    ctx.main_menu(_("You have left the waiting list."))


@router.action("booking.cancel")
async def ask_cancel(ctx: Context) -> None:
    """Asks to confirm cancelling one of the user's bookings."""
    booking = await own_booking(ctx)
    if booking is None:
        return
    await _confirm_cancel(ctx, booking)


async def _confirm_cancel(ctx: Context, booking: Booking) -> None:
    ctx.go(CONFIRM_CANCEL, CancelFlow(booking_id=booking.id))
    ctx.reply(
        _("Cancel your booking on {when} at {where}?").format(
            when=texts.when(booking.starts_at, booking.ends_at), where=booking.point_name
        ),
        choices=[
            Choice(_("Yes, cancel it"), "booking.cancel_yes", meaning=meaning.YES),
            Choice(_("No, keep it"), "booking.abort", meaning=meaning.NO),
        ],
    )


@router.action("booking.cancel_yes", states=[CONFIRM_CANCEL])
async def cancel(ctx: Context) -> None:
    """Cancels the booking; a freed place goes to the waiting list."""
    flow = ctx.load(CancelFlow)
    ctx.end()
    result = await reservations.cancel(
        ctx.tx,
        booking_id=flow.booking_id,
        user_id=ctx.actor.user_id,
        now=ctx.now(),
        household=await reservations.household_ids(ctx.tx, ctx.actor.person_id),
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
