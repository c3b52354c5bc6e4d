"""Booking a visit: starting, what for, which session; moving a booking; a slot offered.

The flow's questions are in handlers/booking_flow_common.py and booking_steps_common.py; the
answers at the times, who comes and the summary in booking_slots, booking_people and
booking_confirm.
"""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.router import Router
from bot.core.understand import booking_words
from bot.services.booking import (
    reservations,
)
from bot.services.booking.rules import (
    Service,
)
from handlers.booking_common import (
    CONFIRM_CANCEL,
    JOIN_EXISTING,
    own_booking,
    value_id,
)
from handlers.booking_flow_common import (
    FLOW_STATES,
    PICK_SERVICE,
    PICK_SESSION,
    BookingFlow,
    ask_service,
    ask_session,
    ask_slot,
    begin,
)
from handlers.booking_steps_common import ask_people

router = Router("booking")
router.menu(lazy_gettext("Book a visit (ID card, VNeID)"), "booking.start", order=20)
router.menu(lazy_gettext("My bookings"), "booking.mine", order=21)


@router.action("booking.start")
async def start(ctx: Context) -> None:
    """Asks what the visit is for."""
    await begin(ctx)


@router.command("book", description=lazy_gettext("Book a visit"))
async def command_book(ctx: Context) -> None:
    """Starts booking."""
    await begin(ctx)


@router.text(booking_words.asks_to_book)
async def start_by_words(ctx: Context) -> None:
    """Starts booking when the resident types "đặt lịch"."""
    await begin(ctx)


@router.action("booking.service", states=[PICK_SERVICE])
async def pick_service(ctx: Context) -> None:
    """Stores the service and asks for a session (or who comes, if a slot is already chosen)."""
    flow = ctx.load(BookingFlow)
    value = ctx.choice.value if ctx.choice else ""
    if value not in {s.value for s in Service}:
        await ask_service(ctx, flow)
        return
    flow.service = Service(value)
    if flow.slot_id is not None:
        await ask_people(ctx, flow)
    else:
        await ask_session(ctx, flow)


@router.action("booking.session", states=[PICK_SESSION])
async def pick_session(ctx: Context) -> None:
    """Stores the session and asks for a time slot in it."""
    flow = ctx.load(BookingFlow)
    session_id = value_id(ctx)
    session = await reservations.session_info(ctx.tx, session_id or 0, ctx.now())
    if session is None or session.status != "open" or session.cutoff_at <= ctx.now():
        await ask_session(ctx, flow, _("That session can no longer be booked."))
        return
    flow.session_id, flow.slot_page, flow.slot_part = session.id, 0, ""
    await ask_slot(ctx, flow, session)


@router.action("booking.abort", states=[*FLOW_STATES, CONFIRM_CANCEL, JOIN_EXISTING])
async def abort(ctx: Context) -> None:
    """Leaves the flow without changing anything."""
    ctx.end()
    ctx.main_menu(_("Nothing was changed. What else do you need?"))


@router.action("booking.reschedule")
async def reschedule(ctx: Context) -> None:
    """Starts moving one of the user's bookings: pick a new session and time."""
    booking = await own_booking(ctx)
    if booking is None:
        return
    flow = BookingFlow(
        service=Service(booking.service),
        rebook_id=booking.id,
        people=booking.people,
        people_set=True,
    )
    await ask_session(ctx, flow, _("Pick the new time for your booking."))


@router.action("booking.offer_slot")
async def offer_slot(ctx: Context) -> None:
    """Books a slot offered in a message: asks what for (if unclear) and who comes."""
    slot = await reservations.slot_info(ctx.tx, value_id(ctx) or 0)
    session = await reservations.session_info(ctx.tx, slot.session_id, ctx.now()) if slot else None
    if (
        slot is None
        or session is None
        or session.status != "open"
        or session.cutoff_at <= ctx.now()
        or slot.starts_at <= ctx.now()
        or not slot.free
    ):
        await ask_session(ctx, BookingFlow(), _("That time can no longer be booked."))
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    flow = BookingFlow(
        session_id=session.id,
        slot_id=slot.id,
        service=reservations.suggested_service(members, ctx.actor.person_id),
    )
    if flow.service is None:
        await ask_service(ctx, flow)
    else:
        await ask_people(ctx, flow)
