"""Booking a visit: the summary confirmed, refusals, the waiting list, joining a booking."""

from __future__ import annotations

import logging

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services.booking import (
    reservations,
    waitlist,
)
from bot.services.booking.rules import (
    BookError,
)
from handlers.booking_common import (
    JOIN_EXISTING,
    book_errors,
    say_booked,
    show_household_bookings,
    value_id,
)
from handlers.booking_flow_common import (
    CONFIRM,
    BookingFlow,
    ask_service,
    ask_session,
    ask_slot,
)

logger = logging.getLogger(__name__)
router = Router("booking_confirm")


@router.action("booking.confirm", states=[CONFIRM])
async def confirm(ctx: Context) -> None:
    """Books (or moves the booking, or joins the waiting list) and says what to bring."""
    flow = ctx.load(BookingFlow)
    if flow.service is None or flow.session_id is None:
        await ask_service(ctx, BookingFlow())
        return
    if flow.wait:
        await _join_waitlist(ctx, flow)
        return
    if flow.rebook_id is not None:
        result = await reservations.reschedule(
            ctx.tx,
            booking_id=flow.rebook_id,
            user_id=ctx.actor.user_id,
            household=await reservations.household_ids(ctx.tx, ctx.actor.person_id),
            slot_id=flow.slot_id or 0,
            now=ctx.now(),
        )
    else:
        result = await reservations.book(
            ctx.tx,
            user_id=ctx.actor.user_id,
            slot_id=flow.slot_id or 0,
            service=flow.service,
            now=ctx.now(),
            people=flow.people,
            person_ids=flow.person_ids,
            booker_person_id=ctx.actor.person_id,
            guest_names=flow.guest_names,
        )
    if isinstance(result, BookError):
        await _refused(ctx, flow, result)
        return
    ctx.end()
    await say_booked(ctx, result, moved=flow.rebook_id is not None)


async def _refused(ctx: Context, flow: BookingFlow, error: BookError) -> None:
    message = book_errors()[error]
    if error is BookError.FULL and flow.session_id is not None:
        session = await reservations.session_info(ctx.tx, flow.session_id, ctx.now())
        if session is not None:
            await ask_slot(ctx, flow, session, message)
            return
    if error is BookError.DUPLICATE and flow.person_ids and flow.service is not None:
        found = await reservations.holders(ctx.tx, flow.person_ids, flow.service, ctx.now())
        if found:
            ctx.go(JOIN_EXISTING, flow)
            await show_household_bookings(ctx, found, joinable=True)
            return
    if error in (BookError.DUPLICATE, BookError.NOT_YOURS, BookError.NOT_ACTIVE):
        ctx.end()
        ctx.reply(message, choices=[Choice(_("My bookings"), "booking.mine")])
        return
    await ask_session(ctx, flow, message)


async def _join_waitlist(ctx: Context, flow: BookingFlow) -> None:
    assert flow.service is not None and flow.session_id is not None
    result = await waitlist.join(
        ctx.tx,
        user_id=ctx.actor.user_id,
        session_id=flow.session_id,
        service=flow.service,
        people=flow.people,
        person_ids=flow.person_ids,
        now=ctx.now(),
    )
    if isinstance(result, BookError):
        await _refused(ctx, flow, result)
        return
    ctx.end()
    if result == 0:
        ctx.main_menu(_("A place has just freed up: I have sent it to you, take it in time."))
        return
    ctx.main_menu(
        _(
            "You are number {position} on the waiting list. When a place frees up I will "
            "send it to you, and you will have a few hours to take it."
        ).format(position=result)
    )


@router.action("booking.join", states=[JOIN_EXISTING])
async def join_existing(ctx: Context) -> None:
    """Adds the chosen people to a household booking that already holds one of them."""
    flow = ctx.load(BookingFlow)
    ctx.end()
    result = await reservations.join_booking(
        ctx.tx,
        booking_id=value_id(ctx) or 0,
        user_id=ctx.actor.user_id,
        household=await reservations.household_ids(ctx.tx, ctx.actor.person_id),
        person_ids=flow.person_ids,
        now=ctx.now(),
    )
    if isinstance(result, BookError):
        ctx.reply(book_errors()[result], choices=[Choice(_("My bookings"), "booking.mine")])
        return
    await say_booked(ctx, result)
