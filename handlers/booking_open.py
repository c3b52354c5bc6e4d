"""Team leads and admins: open a session step by step."""

from __future__ import annotations

from datetime import date, time, timedelta

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning
from bot.core.understand.numbers import whole_number as parse_int
from bot.services.booking import (
    sessions,
    texts,
)
from bot.services.booking.rules import (
    MAX_MACHINES,
    MAX_MINUTES_PER_PERSON,
    SessionError,
    local_moment,
)
from bot.services.booking.sessions import SessionSpec
from handlers.booking_common import (
    CUTOFF_HOURS,
    NEW_CONFIRM,
    NEW_CUTOFF,
    NEW_DAY,
    NEW_END,
    NEW_MACHINES,
    NEW_MINUTES,
    NEW_MOBILE,
    NEW_PLACE_ADDRESS,
    NEW_PLACE_NAME,
    NEW_PLACE_VILLAGE,
    NEW_POINT,
    NEW_START,
    STAFF,
    local_day,
    session_errors,
    typed_day,
    typed_time,
    value_id,
)

router = Router("booking_open")
router.menu(lazy_gettext("Open a session"), "booking.open", roles=STAFF, order=30)


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
    point = await sessions.point_info(ctx.tx, value_id(ctx) or 0)
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
    village_id = value_id(ctx)
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
    day = typed_day(ctx)
    if day is None:
        return
    flow.day = day
    ctx.go(NEW_START, flow)
    ctx.reply(
        _("{day}. What time does it start? (for example 7h, 7:30, 19h30)").format(
            day=local_day(day)
        )
    )


@router.state(NEW_START, roles=STAFF)
async def session_start(ctx: Context) -> None:
    """Stores the start time (not past) and asks the end time."""
    flow = ctx.load(OpenFlow)
    start = typed_time(ctx)
    if start is None or flow.day is None:
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
    end = typed_time(ctx, end=True)
    if end is None:
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
    await _set_machines(ctx, value_id(ctx))


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
    await _set_minutes(ctx, value_id(ctx))


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
            Choice(_("No, at the place"), "booking.new_mobile", "0", meaning=meaning.NO),
            Choice(_("Yes, mobile"), "booking.new_mobile", "1", meaning=meaning.YES),
        ],
    )


@router.action("booking.new_mobile", states=[NEW_MOBILE], roles=STAFF)
async def mobile_picked(ctx: Context) -> None:
    """Stores whether it is mobile and asks when booking closes."""
    flow = ctx.load(OpenFlow)
    flow.mobile = value_id(ctx) == 1
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
    hours = value_id(ctx)
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
            Choice(_("Open it"), "booking.new_yes", meaning=meaning.YES),
            Choice(_("Stop, open nothing"), "booking.admin_abort", meaning=meaning.NO),
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
