"""Team leads and admins: check people in at the desk."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_time
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning, people
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
    DESK_WALKIN,
    MANAGE,
    STAFF,
    ManageFlow,
    managed,
    value_id,
)

router = Router("booking_desk")


# --- check-in -------------------------------------------------------------------------------


@router.action("booking.desk", states=[MANAGE, DESK_OUTCOME, DESK_WALKIN], roles=STAFF)
async def desk(ctx: Context) -> None:
    """Lists the bookings still to check in (type a name or number to find one)."""
    flow = ctx.load(ManageFlow)
    await _show_desk(ctx, flow, "")


def _walkin_choice() -> Choice:
    return Choice(
        _("Someone without a booking"),
        "booking.walk_in",
        meaning=meaning.says("không hẹn", "vãng lai", "walk in", "without a booking"),
    )


@router.state(DESK, roles=STAFF)
async def desk_search(ctx: Context) -> None:
    """Finds bookings by booking number or a part of a name; else residents, as walk-ins."""
    await _show_desk(ctx, ctx.load(ManageFlow), ctx.text)


# The one booking left by a search is confirmed by a yes or an arrival word ("đã đến").
ARRIVED = meaning.says("đã đến", "đến rồi", "tới rồi", "đã tới", "có mặt", "arrived")


def _row_meaning(alone: bool) -> str:
    """A desk row is searched by name, never picked by a part of it (one alone: by a yes)."""
    return meaning.join(meaning.SEARCHED, *((meaning.YES, ARRIVED) if alone else ()))


def _found(booking: Booking, names: list[str], query: str) -> bool:
    number = people.booking_number(query)
    if number is not None:
        return booking.id == number
    return any(people.fits_name(query, name) for name in names)


async def _show_desk(ctx: Context, flow: ManageFlow, query: str, note: str = "") -> None:
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    found = await checkin.desk_list(ctx.tx, session.id)
    names = await reservations.names(ctx.tx, [b.id for b in found])
    wanted = query.strip()
    if wanted:
        found = [b for b in found if _found(b, names.get(b.id, []), wanted)]
    flow.booking_id, flow.person_id, flow.came = None, None, None
    ctx.go(DESK, flow)
    if wanted and not found:
        await _show_residents(ctx, flow, session.commune_id, query, note)
        return
    if not found:
        ctx.reply(
            "\n".join(filter(None, [note, _("No booking to check in here.")])),
            choices=[_walkin_choice(), Choice(_("Back"), "booking.admin_abort")],
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
                Choice(
                    _desk_label(b, names.get(b.id, [])),
                    "booking.desk_pick",
                    str(b.id),
                    meaning=_row_meaning(len(found) == 1),
                )
                for b in found[:30]
            ),
            _walkin_choice(),
            Choice(_("Back"), "booking.admin_abort"),
        ],
    )


@router.action("booking.walk_in", states=[DESK, DESK_WALKIN], roles=STAFF)
async def walk_in(ctx: Context) -> None:
    """Asks the name of someone who came without a booking."""
    await _ask_walkin(ctx, ctx.load(ManageFlow))


async def _ask_walkin(ctx: Context, flow: ManageFlow, note: str = "") -> None:
    ctx.go(DESK_WALKIN, flow)
    ctx.reply(
        "\n".join(
            filter(None, [note, _("Type their name (or part of it), with or without marks.")])
        ),
        choices=[Choice(_("Back"), "booking.desk")],
    )


@router.state(DESK_WALKIN, roles=STAFF)
async def walkin_name(ctx: Context) -> None:
    """Finds the walk-in on the commune's roster."""
    flow = ctx.load(ManageFlow)
    session = await managed(ctx, flow.session_id)
    if session is not None:
        await _show_residents(ctx, flow, session.commune_id, ctx.text, "")


async def _show_residents(
    ctx: Context, flow: ManageFlow, commune_id: int, query: str, note: str
) -> None:
    people = await checkin.find_residents(ctx.tx, commune_id, query)
    if not people:
        await _ask_walkin(
            ctx,
            flow,
            "\n".join(
                filter(
                    None, [note, _("Nobody on the roster is called “{name}”.").format(name=query)]
                )
            ),
        )
        return
    ctx.go(DESK_WALKIN, flow)
    ctx.reply(
        "\n".join(
            filter(
                None,
                [
                    note,
                    _("No booking for “{name}”. Who came without a booking?").format(name=query),
                ],
            )
        ),
        choices=[
            *(
                Choice(
                    f"{r.full_name} · {r.birth_year or '?'} · {r.village_name}",
                    "booking.walkin_pick",
                    str(r.person_id),
                )
                for r in people
            ),
            Choice(_("Back"), "booking.desk"),
        ],
    )


@router.action("booking.walkin_pick", states=[DESK_WALKIN], roles=STAFF)
async def walkin_pick(ctx: Context) -> None:
    """Asks what was done for the walk-in."""
    flow = ctx.load(ManageFlow)
    flow.person_id, flow.booking_id = value_id(ctx), None
    ctx.go(DESK_OUTCOME, flow)
    ctx.reply(
        ctx.choice.label if ctx.choice else "",
        choices=[
            *(
                Choice(texts.outcome_label(o), "booking.outcome", o.value)
                for o in Outcome
                if o is not Outcome.NO_SHOW
            ),
            Choice(_("Back"), "booking.desk"),
        ],
    )


def _desk_label(booking: Booking, names: list[str]) -> str:
    who = names[0] if names else _("{count} people").format(count=booking.people)
    extra = f" +{len(names) - 1}" if len(names) > 1 else ""
    return f"{format_time(booking.starts_at)} · #{booking.id} · {who}{extra}"


@router.action("booking.desk_pick", states=[DESK], roles=STAFF)
async def desk_pick(ctx: Context) -> None:
    """Asks who of the booking came and what was done."""
    flow = ctx.load(ManageFlow)
    booking = await reservations.booking_info(ctx.tx, value_id(ctx) or 0)
    if booking is None or booking.session_id != flow.session_id:
        await _show_desk(ctx, flow, "", _("That booking is not in this session."))
        return
    flow.booking_id, flow.came = booking.id, None
    await _ask_outcome(ctx, flow, booking)


async def _ask_outcome(ctx: Context, flow: ManageFlow, booking: Booking) -> None:
    ctx.go(DESK_OUTCOME, flow)
    members = await checkin.booked_members(ctx.tx, booking.id)
    came = set(flow.came if flow.came is not None else [pid for pid, _n in members])
    who = ", ".join(n for _p, n in members) or _("{count} people").format(count=booking.people)
    toggles = (
        [
            Choice(("✅ " if pid in came else "⬜ ") + name, "booking.desk_member", str(pid))
            for pid, name in members
        ]
        if len(members) > 1
        else []
    )
    lines = [f"#{booking.id} · {who}", texts.service_label(booking.service)]
    if toggles:
        lines.append(_("Tap those who did not come, then what was done."))
    ctx.reply(
        "\n".join(lines),
        choices=[
            *toggles,
            *(Choice(texts.outcome_label(o), "booking.outcome", o.value) for o in Outcome),
            Choice(_("Back"), "booking.desk"),
        ],
    )


@router.action("booking.desk_member", states=[DESK_OUTCOME], roles=STAFF)
async def desk_member(ctx: Context) -> None:
    """Marks one member of the booking as come or not come."""
    flow = ctx.load(ManageFlow)
    booking = await reservations.booking_info(ctx.tx, flow.booking_id or 0)
    if booking is None:
        await _show_desk(ctx, flow, "")
        return
    everyone = [pid for pid, _n in await checkin.booked_members(ctx.tx, booking.id)]
    came = flow.came if flow.came is not None else list(everyone)
    person = value_id(ctx)
    if person in everyone:
        came = [p for p in came if p != person] if person in came else [*came, person]
    flow.came = came
    await _ask_outcome(ctx, flow, booking)


@router.action("booking.outcome", states=[DESK_OUTCOME], roles=STAFF)
async def desk_outcome(ctx: Context) -> None:
    """Records arrival (and what was done) or a no-show, then shows the list again."""
    flow = ctx.load(ManageFlow)
    value = ctx.choice.value if ctx.choice else ""
    if value not in {o.value for o in Outcome}:
        await _show_desk(ctx, flow, "")
        return
    if flow.booking_id is None and flow.person_id is not None:
        session = await managed(ctx, flow.session_id)
        if session is None:
            return
        person = await checkin.walk_in(
            ctx.tx,
            ctx.actor,
            person_id=flow.person_id,
            commune_id=session.commune_id,
            outcome=value,
            now=ctx.now(),
        )
        note = (
            _("That person is not on this commune's roster.")
            if isinstance(person, BookError)
            else _("Recorded {name} (no booking): {outcome}.").format(
                name=person.full_name, outcome=texts.outcome_label(value)
            )
        )
        await _show_desk(ctx, flow, "", note)
        return
    if flow.booking_id is None:
        await _show_desk(ctx, flow, "")
        return
    result = await checkin.check_in(
        ctx.tx,
        ctx.actor,
        booking_id=flow.booking_id,
        outcome=value,
        now=ctx.now(),
        came=flow.came,
    )
    note = (
        _("That booking was already cancelled or checked in.")
        if isinstance(result, BookError)
        else _("Recorded #{id}: {outcome}.").format(
            id=result.id, outcome=texts.outcome_label(value)
        )
    )
    await _show_desk(ctx, flow, "", note)
