"""Booking a visit: who comes (household members, typed phrases, a head count) and names."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.router import Router
from bot.core.understand import booking_words, people
from bot.core.understand.numbers import whole_number as parse_int
from bot.services.booking import (
    reservations,
)
from bot.services.booking.rules import (
    MAX_PEOPLE,
    BookError,
    age_on,
    local_today,
    too_young,
)
from handlers.booking_common import (
    book_errors,
    too_young_text,
    value_id,
)
from handlers.booking_flow_common import (
    CONFIRM,
    PICK_NAMES,
    PICK_PEOPLE,
    BookingFlow,
)
from handlers.booking_steps_common import after_people, ask_names, ask_people

router = Router("booking_people")


@router.action("booking.toggle", states=[PICK_PEOPLE])
async def toggle_person(ctx: Context) -> None:
    """Adds or removes a household member and shows the list again."""
    flow = ctx.load(BookingFlow)
    person_id = value_id(ctx)
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    household = {m.person_id for m in members}
    picked = next((m for m in members if m.person_id == person_id), None)
    today = local_today(ctx.now())
    if picked is not None and too_young(age_on(today, picked.birth_year, picked.birth_date)):
        await ask_people(ctx, flow, too_young_text())
        return
    if person_id in household:
        if person_id in flow.person_ids:
            flow.person_ids.remove(person_id)
        elif len(flow.person_ids) < MAX_PEOPLE:
            flow.person_ids.append(person_id)
    await ask_people(ctx, flow)


@router.action("booking.people_done", states=[PICK_PEOPLE])
async def people_done(ctx: Context) -> None:
    """Moves on to the summary once at least one person is chosen."""
    flow = ctx.load(BookingFlow)
    if not flow.person_ids:
        ctx.reply(_("Choose at least one person."))
        await ask_people(ctx, flow)
        return
    flow.people_set = True
    await after_people(ctx, flow)


@router.action("booking.count", states=[PICK_PEOPLE])
async def pick_count(ctx: Context) -> None:
    """Stores the head count picked."""
    await _set_count(ctx, value_id(ctx))


@router.state(PICK_PEOPLE)
async def typed_people(ctx: Context) -> None:
    """Reads "cả nhà", "tui với vợ", "thêm Tuấn", "bỏ bà nội ra", or a head count."""
    said = people.read_who(ctx.text)
    flow = ctx.load(BookingFlow)
    if said is None or flow.rebook_id is not None:
        await _set_count(ctx, parse_int(ctx.text, 1, MAX_PEOPLE))
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    if not members:
        await _set_count(ctx, None)
        return
    today = local_today(ctx.now())
    young = {m.person_id for m in members if too_young(age_on(today, m.birth_year, m.birth_date))}
    named = [people.Named(m.person_id, m.full_name) for m in members]
    if isinstance(said, people.Everyone):
        flow.person_ids = [m.person_id for m in members if m.person_id not in young][:MAX_PEOPLE]
        await ask_people(ctx, flow)
        return
    who = said.others if isinstance(said, people.Only) else said.who
    # The roster records no relations between members: a kin word alone is asked back.
    found = [(someone, people.find(someone, named)) for someone in who]
    unclear = [someone for someone, ids in found if len(ids) != 1]
    chosen = [ids[0] for _someone, ids in found if len(ids) == 1]
    if isinstance(said, people.Only):
        me = [ctx.actor.person_id] if ctx.actor.person_id is not None else []
        flow.person_ids = list(dict.fromkeys([*me, *chosen]))
    elif isinstance(said, people.Add):
        if any(pid in young for pid in chosen):
            await ask_people(ctx, flow, too_young_text())
            return
        flow.person_ids = list(dict.fromkeys([*flow.person_ids, *chosen]))[:MAX_PEOPLE]
    else:
        flow.person_ids = [pid for pid in flow.person_ids if pid not in chosen]
    note = ""
    if unclear:
        note = _("Who is “{who}”? Tap their name in the list.").format(
            who=", ".join(" ".join(someone.words) for someone in unclear)
        )
    await ask_people(ctx, flow, note)


async def _set_count(ctx: Context, count: int | None) -> None:
    flow = ctx.load(BookingFlow)
    if flow.person_ids or count is None or not 1 <= count <= MAX_PEOPLE:
        ctx.reply(book_errors()[BookError.BAD_PEOPLE])
        await ask_people(ctx, flow)
        return
    flow.people, flow.people_set = count, True
    await after_people(ctx, flow)


@router.state(PICK_NAMES)
async def typed_names(ctx: Context) -> None:
    """Keeps the typed names (at most one per place booked)."""
    flow = ctx.load(BookingFlow)
    if booking_words.skips(ctx.text):
        await after_people(ctx, flow)
        return
    names = booking_words.names(ctx.text, flow.people)
    if names is None:
        ask_names(
            ctx,
            flow,
            _("Please type at most {count} names, separated by commas.").format(count=flow.people),
        )
        return
    flow.guest_names = names
    await after_people(ctx, flow)


@router.action("booking.add_names", states=[CONFIRM])
async def add_names(ctx: Context) -> None:
    """Asks the names of a head-count booking's people."""
    ask_names(ctx, ctx.load(BookingFlow))


@router.action("booking.skip_names", states=[PICK_NAMES])
async def skip_names(ctx: Context) -> None:
    """Goes on without names."""
    await after_people(ctx, ctx.load(BookingFlow))
