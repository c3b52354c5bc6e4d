"""Team leads and admins: open a session step by step, move, resize or cancel it, check in."""

from __future__ import annotations

from datetime import date, time, timedelta

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_date, format_time, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.text import fold
from bot.services.booking import Booking, Session, checkin, reservations, sessions, texts
from bot.services.booking.parsing import parse_clock, parse_day, parse_int
from bot.services.booking.rules import (
    MAX_MACHINES,
    MAX_MINUTES_PER_PERSON,
    BookError,
    Outcome,
    SessionError,
    local_moment,
    local_today,
)
from bot.services.booking.sessions import SessionSpec
from bot.services.identity import Role
from handlers.booking import session_line

router = Router("booking_admin")
STAFF = [Role.TEAM_LEAD, Role.ADMIN]
router.menu(lazy_gettext("Open a session"), "booking.open", roles=STAFF, order=30)
router.menu(lazy_gettext("Sessions and check-in"), "booking.sessions", roles=STAFF, order=31)

NEW_POINT = "booking:new_point"
NEW_PLACE_NAME = "booking:new_place_name"
NEW_PLACE_VILLAGE = "booking:new_place_village"
NEW_PLACE_ADDRESS = "booking:new_place_address"
NEW_DAY = "booking:new_day"
NEW_START = "booking:new_start"
NEW_END = "booking:new_end"
NEW_MACHINES = "booking:new_machines"
NEW_MINUTES = "booking:new_minutes"
NEW_MOBILE = "booking:new_mobile"
NEW_CUTOFF = "booking:new_cutoff"
NEW_CONFIRM = "booking:new_confirm"
MANAGE = "booking:manage"
MOVE_DAY = "booking:move_day"
MOVE_START = "booking:move_start"
SET_MACHINES = "booking:set_machines"
CANCEL_SESSION = "booking:cancel_session"
DESK = "booking:desk"
DESK_OUTCOME = "booking:desk_outcome"
CUTOFF_HOURS = (0, 2, 24)


class OpenFlow(BaseModel):
    """The session being opened."""

    point_id: int | None = None
    place_name: str = ""
    village_id: int | None = None
    day: date | None = None
    start: time | None = None
    end: time | None = None
    machines: int = 0
    minutes: int = 0
    mobile: bool = False
    cutoff_hours: int = 0


class ManageFlow(BaseModel):
    session_id: int
    day: date | None = None
    booking_id: int | None = None


def session_errors() -> dict[SessionError, str]:
    return {error: texts.session_error(error) for error in SessionError}


def _value_id(ctx: Context) -> int | None:
    value = ctx.choice.value if ctx.choice else ""
    return int(value) if value.isdigit() else None


def _local_day(day: date) -> str:
    return format_date(day, "EEEE, dd/MM/yyyy")


# --- opening a session -------------------------------------------------------------------


@router.action("booking.open", roles=STAFF)
async def open_start(ctx: Context) -> None:
    """Asks where the session is: a known place or a new one."""
    points = await sessions.points_for(ctx.tx, ctx.actor)
    ctx.go(NEW_POINT, OpenFlow())
    ctx.reply(
        _("Where is the session?"),
        choices=[
            *(
                Choice(texts.where(p.name, p.address), "booking.new_point", str(p.id))
                for p in points
            ),
            Choice(_("A new place"), "booking.new_place"),
        ],
    )


@router.action("booking.new_point", states=[NEW_POINT], roles=STAFF)
async def pick_point(ctx: Context) -> None:
    """Stores the place and asks for the date."""
    flow = ctx.load(OpenFlow)
    point = await sessions.point_info(ctx.tx, _value_id(ctx) or 0)
    if point is None or not sessions.may_manage(ctx.actor, point.commune_id):
        ctx.reply(session_errors()[SessionError.NOT_ALLOWED])
        await open_start(ctx)
        return
    flow.point_id, flow.place_name = point.id, point.name
    _ask_day(ctx, flow)


@router.action("booking.new_place", states=[NEW_POINT], roles=STAFF)
async def new_place(ctx: Context) -> None:
    """Asks the new place's name."""
    ctx.go(NEW_PLACE_NAME, ctx.load(OpenFlow))
    ctx.reply(_("Name of the place (for example: Nhà văn hóa thôn Đầm Môn)?"))


@router.state(NEW_PLACE_NAME, roles=STAFF)
async def place_name(ctx: Context) -> None:
    """Stores the place's name and asks its village."""
    flow = ctx.load(OpenFlow)
    if not 2 <= len(ctx.text) <= 120:
        ctx.reply(_("Please type a name of 2 to 120 characters."))
        return
    flow.place_name = ctx.text
    villages = await sessions.villages_for(ctx.tx, ctx.actor)
    ctx.go(NEW_PLACE_VILLAGE, flow)
    ctx.reply(
        _("Which village is it in?"),
        choices=[
            *(Choice(v.name, "booking.new_village", str(v.id)) for v in villages),
            Choice(_("It serves the whole commune"), "booking.new_village", "0"),
        ],
    )


@router.action("booking.new_village", states=[NEW_PLACE_VILLAGE], roles=STAFF)
async def place_village(ctx: Context) -> None:
    """Stores the village and asks the address."""
    flow = ctx.load(OpenFlow)
    village_id = _value_id(ctx)
    allowed = {v.id for v in await sessions.villages_for(ctx.tx, ctx.actor)}
    if village_id is None or (village_id and village_id not in allowed):
        ctx.reply(session_errors()[SessionError.NOT_ALLOWED])
        return
    flow.village_id = village_id or None
    ctx.go(NEW_PLACE_ADDRESS, flow)
    ctx.reply(_("The address, so people can find it?"))


@router.state(NEW_PLACE_ADDRESS, roles=STAFF)
async def place_address(ctx: Context) -> None:
    """Creates the place and asks for the date."""
    flow = ctx.load(OpenFlow)
    if not 2 <= len(ctx.text) <= 200:
        ctx.reply(_("Please type an address of 2 to 200 characters."))
        return
    point = await sessions.add_point(
        ctx.tx, ctx.actor, name=flow.place_name, village_id=flow.village_id, address=ctx.text
    )
    if isinstance(point, SessionError):
        ctx.end()
        ctx.main_menu(session_errors()[point])
        return
    flow.point_id = point.id
    _ask_day(ctx, flow)


def _ask_day(ctx: Context, flow: OpenFlow) -> None:
    ctx.go(NEW_DAY, flow)
    ctx.reply(_("Which day? (for example 12/7, 12/7/2027 or “mai”)"))


@router.state(NEW_DAY, roles=STAFF)
async def session_day(ctx: Context) -> None:
    """Stores the date (not in the past) and asks the start time."""
    flow = ctx.load(OpenFlow)
    today = local_today(ctx.now())
    day = parse_day(ctx.text, today)
    if day is None:
        ctx.reply(_("I could not read that date. Type it like 12/7 or 12/7/2027."))
        return
    if day < today:
        ctx.reply(_("{day} has already passed. Which day?").format(day=_local_day(day)))
        return
    flow.day = day
    ctx.go(NEW_START, flow)
    ctx.reply(
        _("{day}. What time does it start? (for example 7h, 7:30, 19h30)").format(
            day=_local_day(day)
        )
    )


@router.state(NEW_START, roles=STAFF)
async def session_start(ctx: Context) -> None:
    """Stores the start time (not past) and asks the end time."""
    flow = ctx.load(OpenFlow)
    start = parse_clock(ctx.text)
    if start is None or flow.day is None:
        ctx.reply(_("I could not read that time. Type it like 7h, 7:30 or 19h30."))
        return
    if local_moment(flow.day, start) <= ctx.now():
        ctx.reply(session_errors()[SessionError.PAST])
        return
    flow.start = start
    ctx.go(NEW_END, flow)
    ctx.reply(_("What time does it end?"))


@router.state(NEW_END, roles=STAFF)
async def session_end(ctx: Context) -> None:
    """Stores the end time (after the start) and asks how many machines."""
    flow = ctx.load(OpenFlow)
    end = parse_clock(ctx.text)
    if end is None:
        ctx.reply(_("I could not read that time. Type it like 11h, 16:30 or 22h."))
        return
    if flow.start is None or end <= flow.start:
        ctx.reply(session_errors()[SessionError.END_BEFORE_START])
        return
    flow.end = end
    ctx.go(NEW_MACHINES, flow)
    ctx.reply(
        _("How many machines (desks taking photos and fingerprints)?"),
        choices=[Choice(str(n), "booking.new_machines", str(n)) for n in (1, 2, 3, 4)],
    )


@router.action("booking.new_machines", states=[NEW_MACHINES], roles=STAFF)
async def machines_picked(ctx: Context) -> None:
    """Stores the number of machines picked."""
    await _set_machines(ctx, _value_id(ctx))


@router.state(NEW_MACHINES, roles=STAFF)
async def machines_typed(ctx: Context) -> None:
    """Stores a typed number of machines."""
    await _set_machines(ctx, parse_int(ctx.text, 1, MAX_MACHINES))


async def _set_machines(ctx: Context, machines: int | None) -> None:
    flow = ctx.load(OpenFlow)
    if machines is None or not 1 <= machines <= MAX_MACHINES:
        ctx.reply(session_errors()[SessionError.MACHINES])
        return
    flow.machines = machines
    ctx.go(NEW_MINUTES, flow)
    ctx.reply(
        _("How many minutes per person, on one machine?"),
        choices=[Choice(str(n), "booking.new_minutes", str(n)) for n in (5, 10, 15, 20)],
    )


@router.action("booking.new_minutes", states=[NEW_MINUTES], roles=STAFF)
async def minutes_picked(ctx: Context) -> None:
    """Stores the minutes per person picked."""
    await _set_minutes(ctx, _value_id(ctx))


@router.state(NEW_MINUTES, roles=STAFF)
async def minutes_typed(ctx: Context) -> None:
    """Stores typed minutes per person."""
    await _set_minutes(ctx, parse_int(ctx.text, 1, MAX_MINUTES_PER_PERSON))


async def _set_minutes(ctx: Context, minutes: int | None) -> None:
    flow = ctx.load(OpenFlow)
    if minutes is None or not 1 <= minutes <= MAX_MINUTES_PER_PERSON:
        ctx.reply(session_errors()[SessionError.MINUTES])
        return
    flow.minutes = minutes
    ctx.go(NEW_MOBILE, flow)
    ctx.reply(
        _("Is it a mobile session (island trip, home round)?"),
        choices=[
            Choice(_("No, at the place"), "booking.new_mobile", "0"),
            Choice(_("Yes, mobile"), "booking.new_mobile", "1"),
        ],
    )


@router.action("booking.new_mobile", states=[NEW_MOBILE], roles=STAFF)
async def mobile_picked(ctx: Context) -> None:
    """Stores whether it is mobile and asks when booking closes."""
    flow = ctx.load(OpenFlow)
    flow.mobile = _value_id(ctx) == 1
    ctx.go(NEW_CUTOFF, flow)
    ctx.reply(
        _("Until when can people book?"),
        choices=[
            Choice(_("Until it starts"), "booking.new_cutoff", "0"),
            Choice(_("Until 2 hours before"), "booking.new_cutoff", "2"),
            Choice(_("Until the day before"), "booking.new_cutoff", "24"),
        ],
    )


def _spec(flow: OpenFlow) -> SessionSpec | None:
    if None in (flow.point_id, flow.day, flow.start, flow.end):
        return None
    assert flow.point_id and flow.day and flow.start and flow.end
    return SessionSpec(
        point_id=flow.point_id,
        day=flow.day,
        start=flow.start,
        end=flow.end,
        machines=flow.machines,
        minutes_per_person=flow.minutes,
        is_mobile=flow.mobile,
        cutoff_before=timedelta(hours=flow.cutoff_hours),
    )


@router.action("booking.new_cutoff", states=[NEW_CUTOFF], roles=STAFF)
async def cutoff_picked(ctx: Context) -> None:
    """Stores the cut-off and shows the session with its places to confirm."""
    flow = ctx.load(OpenFlow)
    hours = _value_id(ctx)
    flow.cutoff_hours = hours if hours in CUTOFF_HOURS else 0
    spec = _spec(flow)
    if spec is None:
        await open_start(ctx)
        return
    problem = sessions.check_spec(spec, ctx.now())
    if problem is not None:
        ctx.reply(session_errors()[problem])
        _ask_day(ctx, flow)
        return
    planned = sessions.plan_slots(
        spec.starts_at, spec.ends_at, spec.machines, spec.minutes_per_person, spec.slot_minutes
    )
    ctx.go(NEW_CONFIRM, flow)
    ctx.reply(
        "\n".join(
            [
                _("Open this session?"),
                f"• {flow.place_name}",
                f"• {texts.when(spec.starts_at, spec.ends_at)}",
                "• "
                + _("{machines} machines, {minutes} minutes per person").format(
                    machines=spec.machines, minutes=spec.minutes_per_person
                ),
                "• "
                + _("{slots} times of {length} minutes, {places} places in all").format(
                    slots=len(planned),
                    length=spec.slot_minutes,
                    places=sum(p for *_, p in planned),
                ),
                "• " + (_("Mobile") if spec.is_mobile else _("At the place")),
                "• "
                + _("Booking closes {when}").format(
                    when=texts.moment(spec.starts_at - spec.cutoff_before)
                ),
            ]
        ),
        choices=[
            Choice(_("Open it"), "booking.new_yes"),
            Choice(_("Stop, open nothing"), "booking.admin_abort"),
        ],
    )


@router.action("booking.new_yes", states=[NEW_CONFIRM], roles=STAFF)
async def open_confirmed(ctx: Context) -> None:
    """Opens the session."""
    flow = ctx.load(OpenFlow)
    spec = _spec(flow)
    point = await sessions.point_info(ctx.tx, flow.point_id or 0)
    ctx.end()
    if spec is None or point is None or not sessions.may_manage(ctx.actor, point.commune_id):
        ctx.main_menu(session_errors()[SessionError.NOT_ALLOWED])
        return
    result = await sessions.open_session(ctx.tx, spec, now=ctx.now(), created_by=ctx.actor.user_id)
    if isinstance(result, SessionError):
        ctx.main_menu(session_errors()[result])
        return
    ctx.main_menu(_("The session is open for booking (number {id}).").format(id=result))


@router.action(
    "booking.admin_abort",
    roles=STAFF,
    states=[NEW_CONFIRM, MANAGE, CANCEL_SESSION, DESK, DESK_OUTCOME, MOVE_DAY, MOVE_START],
)
async def admin_abort(ctx: Context) -> None:
    """Leaves without changing anything."""
    ctx.end()
    ctx.main_menu(_("Nothing was changed. What else do you need?"))


# --- managing sessions ----------------------------------------------------------------------


@router.action("booking.sessions", roles=STAFF)
async def list_sessions(ctx: Context) -> None:
    """Lists the sessions this team lead manages."""
    ctx.end()
    found = await sessions.managed_sessions(ctx.tx, ctx.actor, ctx.now())
    if not found:
        ctx.reply(
            _("No session is planned."), choices=[Choice(_("Open a session"), "booking.open")]
        )
        return
    ctx.reply(
        _("Sessions (booked / places):"),
        choices=[
            Choice(f"{session_line(s)} · {s.taken}/{s.capacity}", "booking.manage", str(s.id))
            for s in found[:20]
        ],
    )


async def _managed(ctx: Context, session_id: int | None) -> Session | None:
    session = await reservations.session_info(ctx.tx, session_id or 0, ctx.now())
    if session is None or not sessions.may_manage(ctx.actor, session.commune_id):
        ctx.end()
        ctx.main_menu(session_errors()[SessionError.NOT_ALLOWED])
        return None
    return session


@router.action("booking.manage", roles=STAFF)
async def manage(ctx: Context) -> None:
    """Shows one session and what can be done with it."""
    session = await _managed(ctx, _value_id(ctx))
    if session is None:
        return
    await _show_session(ctx, session)


async def _show_session(ctx: Context, session: Session, note: str = "") -> None:
    ctx.go(MANAGE, ManageFlow(session_id=session.id))
    lines = [
        note,
        f"{session.point_name} · {texts.when(session.starts_at, session.ends_at)}",
        _("{taken} of {capacity} places booked; {machines} machines.").format(
            taken=session.taken, capacity=session.capacity, machines=session.machines
        ),
    ]
    ctx.reply(
        "\n".join(filter(None, lines)),
        choices=[
            Choice(_("Check people in"), "booking.desk"),
            Choice(_("Move to another day or time"), "booking.move"),
            Choice(_("Change the number of machines"), "booking.resize"),
            Choice(_("Cancel the session"), "booking.cancel_session"),
            Choice(_("Back"), "booking.admin_abort"),
        ],
    )


@router.action("booking.move", states=[MANAGE], roles=STAFF)
async def move_ask_day(ctx: Context) -> None:
    """Asks the new date."""
    flow = ctx.load(ManageFlow)
    ctx.go(MOVE_DAY, flow)
    ctx.reply(_("Move to which day? (for example 12/7)"))


@router.state(MOVE_DAY, roles=STAFF)
async def move_day(ctx: Context) -> None:
    """Stores the new date and asks the new start time."""
    flow = ctx.load(ManageFlow)
    today = local_today(ctx.now())
    day = parse_day(ctx.text, today)
    if day is None or day < today:
        ctx.reply(_("Please type a date from today on, like 12/7."))
        return
    flow.day = day
    ctx.go(MOVE_START, flow)
    ctx.reply(_("New start time? (the session keeps its length)"))


@router.state(MOVE_START, roles=STAFF)
async def move_start(ctx: Context) -> None:
    """Moves the session and tells everyone booked."""
    flow = ctx.load(ManageFlow)
    start = parse_clock(ctx.text)
    if start is None or flow.day is None:
        ctx.reply(_("I could not read that time. Type it like 7h, 7:30 or 19h30."))
        return
    session = await _managed(ctx, flow.session_id)
    if session is None:
        return
    told = await sessions.move_session(
        ctx.tx, session.id, day=flow.day, start=start, now=ctx.now()
    )
    if isinstance(told, SessionError):
        ctx.reply(session_errors()[told])
        return
    moved = await reservations.session_info(ctx.tx, session.id, ctx.now())
    assert moved is not None
    await _show_session(ctx, moved, _("Moved. {count} bookings were told.").format(count=told))


@router.action("booking.resize", states=[MANAGE], roles=STAFF)
async def resize_ask(ctx: Context) -> None:
    """Asks the new number of machines."""
    ctx.go(SET_MACHINES, ctx.load(ManageFlow))
    ctx.reply(_("How many machines now?"))


@router.state(SET_MACHINES, roles=STAFF)
async def resize(ctx: Context) -> None:
    """Changes the number of machines (places follow)."""
    flow = ctx.load(ManageFlow)
    machines = parse_int(ctx.text, 1, MAX_MACHINES)
    if machines is None:
        ctx.reply(session_errors()[SessionError.MACHINES])
        return
    session = await _managed(ctx, flow.session_id)
    if session is None:
        return
    result = await sessions.set_machines(ctx.tx, session.id, machines, ctx.now())
    note = (
        session_errors()[result]
        if isinstance(result, SessionError)
        else _("Done: {places} places now.").format(places=result)
    )
    changed = await reservations.session_info(ctx.tx, session.id, ctx.now())
    assert changed is not None
    await _show_session(ctx, changed, note)


@router.action("booking.cancel_session", states=[MANAGE], roles=STAFF)
async def cancel_session_ask(ctx: Context) -> None:
    """Asks to confirm cancelling the session."""
    flow = ctx.load(ManageFlow)
    session = await _managed(ctx, flow.session_id)
    if session is None:
        return
    ctx.go(CANCEL_SESSION, flow)
    ctx.reply(
        _("Cancel this session? The {taken} people booked will be told.").format(
            taken=session.taken
        ),
        choices=[
            Choice(_("Yes, cancel the session"), "booking.cancel_session_yes"),
            Choice(_("No"), "booking.admin_abort"),
        ],
    )


@router.action("booking.cancel_session_yes", states=[CANCEL_SESSION], roles=STAFF)
async def cancel_session(ctx: Context) -> None:
    """Cancels the session and tells everyone booked, with the next options."""
    flow = ctx.load(ManageFlow)
    session = await _managed(ctx, flow.session_id)
    if session is None:
        return
    ctx.end()
    told = await sessions.cancel_session(ctx.tx, session.id, ctx.now())
    if isinstance(told, SessionError):
        ctx.main_menu(session_errors()[told])
        return
    ctx.main_menu(_("The session is cancelled; {count} bookings were told.").format(count=told))


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
    session = await _managed(ctx, flow.session_id)
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
    booking = await reservations.booking_info(ctx.tx, _value_id(ctx) or 0)
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
        ctx.tx, booking_id=flow.booking_id, outcome=value, by_user=ctx.actor.user_id, now=ctx.now()
    )
    note = (
        _("That booking was already cancelled or checked in.")
        if isinstance(result, BookError)
        else _("Recorded #{id}: {outcome}.").format(
            id=result.id, outcome=texts.outcome_label(value)
        )
    )
    await _show_desk(ctx, flow, "", note)
