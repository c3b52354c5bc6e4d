"""Booking a visit: the answers at the list of times (pages, parts of the day, a typed time)."""

from __future__ import annotations

from datetime import time

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import to_local
from bot.core.router import Router
from bot.core.understand import booking_words
from bot.core.understand.booking_words import PARTS
from bot.services.booking import (
    Slot,
    reservations,
)
from handlers.booking_common import (
    value_id,
)
from handlers.booking_flow_common import (
    CONFIRM,
    PICK_PEOPLE,
    PICK_SLOT,
    SLOT_PAGE,
    BookingFlow,
    ask_session,
    ask_slot,
    begin,
    current_session,
    fitting_slots,
)
from handlers.booking_steps_common import ask_confirm, ask_people

router = Router("booking_slots")


@router.action("booking.slot_page", states=[PICK_SLOT])
async def slot_page(ctx: Context) -> None:
    """Shows earlier or later times."""
    flow = ctx.load(BookingFlow)
    session = await current_session(ctx, flow)
    if session is not None:
        flow.slot_page = value_id(ctx) or 0
        await ask_slot(ctx, flow, session)


@router.action("booking.slot_part", states=[PICK_SLOT])
async def slot_part(ctx: Context) -> None:
    """Shows the times of one part of the day."""
    flow = ctx.load(BookingFlow)
    session = await current_session(ctx, flow)
    if session is not None:
        value = ctx.choice.value if ctx.choice else ""
        flow.slot_part, flow.slot_page = (value if value in PARTS else ""), 0
        await ask_slot(ctx, flow, session)


@router.state(PICK_SLOT)
async def slot_typed(ctx: Context) -> None:
    """Reads a typed time ("14h", "8 giờ rưỡi"), a part of the day, "sớm nhất" or "sau"."""
    flow = ctx.load(BookingFlow)
    session = await current_session(ctx, flow)
    if session is None:
        return
    if booking_words.asks_to_book(ctx.folded):
        await begin(ctx)
        return
    said = booking_words.read_slot(ctx.text)
    fitting = await fitting_slots(ctx, flow, session)
    if isinstance(said, booking_words.Part):
        flow.slot_part, flow.slot_page = said.name, 0
        await ask_slot(ctx, flow, session)
        return
    if isinstance(said, booking_words.Page):
        flow.slot_page += said.step
        await ask_slot(ctx, flow, session)
        return
    if isinstance(said, booking_words.First) and fitting:
        await _slot_chosen(ctx, flow, fitting[0])
        return
    if not isinstance(said, booking_words.At) or not fitting:
        await ask_slot(ctx, flow, session, _("Please pick a time from the list, or type one."))
        return
    wanted = said.at
    hit = _holding(fitting, wanted)
    if hit is None and not said.sure and wanted.hour < 12:
        wanted = wanted.replace(hour=wanted.hour + 12)  # "2h" with no morning slot at 2
        hit = _holding(fitting, wanted)
    if hit is not None:
        await _slot_chosen(ctx, flow, hit)
        return
    later = [s for s in fitting if to_local(s.starts_at).time() >= wanted]
    flow.slot_part = ""
    flow.slot_page = fitting.index(later[0]) // SLOT_PAGE if later else 0
    await ask_slot(
        ctx,
        flow,
        session,
        _("No free time at {time}; here are the nearest.").format(time=wanted.strftime("%H:%M")),
    )


def _holding(fitting: list[Slot], wanted: time) -> Slot | None:
    return next(
        (
            s
            for s in fitting
            if to_local(s.starts_at).time() <= wanted < to_local(s.ends_at).time()
        ),
        None,
    )


@router.action("booking.slot", states=[PICK_SLOT])
async def pick_slot(ctx: Context) -> None:
    """Stores the slot and asks who comes (or confirms a move)."""
    flow = ctx.load(BookingFlow)
    slot = await reservations.slot_info(ctx.tx, value_id(ctx) or 0)
    if slot is None or slot.session_id != flow.session_id:
        await ask_session(ctx, flow, _("That time is no longer offered."))
        return
    await _slot_chosen(ctx, flow, slot)


async def _slot_chosen(ctx: Context, flow: BookingFlow, slot: Slot) -> None:
    flow.slot_id = slot.id
    if flow.people_set:
        await ask_confirm(ctx, flow)
    else:
        await ask_people(ctx, flow)


@router.action("booking.change_people", states=[PICK_SLOT])
async def change_people(ctx: Context) -> None:
    """Goes back to who comes, to book fewer people at once."""
    flow = ctx.load(BookingFlow)
    flow.people_set, flow.slot_page, flow.slot_part = False, 0, ""
    await ask_people(ctx, flow)


@router.action("booking.waitlist", states=[PICK_SLOT, CONFIRM])
async def want_waitlist(ctx: Context) -> None:
    """Marks the flow as joining the waiting list and asks who comes."""
    flow = ctx.load(BookingFlow)
    if flow.session_id is None or value_id(ctx) != flow.session_id:
        await ask_session(ctx, flow)
        return
    flow.wait, flow.slot_id = True, None
    await ask_people(ctx, flow)


@router.action("booking.back", states=[PICK_SLOT, PICK_PEOPLE, CONFIRM])
async def back_to_sessions(ctx: Context) -> None:
    """Shows the sessions again."""
    await ask_session(ctx, ctx.load(BookingFlow))
