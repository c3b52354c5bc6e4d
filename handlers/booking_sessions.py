"""Team leads and admins: list sessions; move, resize or cancel one."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning
from bot.core.understand.numbers import whole_number as parse_int
from bot.services.booking import (
    Session,
    reservations,
    sessions,
    texts,
)
from bot.services.booking.labels import session_label
from bot.services.booking.rules import (
    MAX_MACHINES,
    SessionError,
)
from handlers.booking_common import (
    CANCEL_SESSION,
    DESK,
    DESK_OUTCOME,
    DESK_WALKIN,
    MANAGE,
    MOVE_DAY,
    MOVE_START,
    NEW_CONFIRM,
    SET_MACHINES,
    STAFF,
    ManageFlow,
    managed,
    session_errors,
    typed_day,
    typed_time,
    value_id,
)

router = Router("booking_sessions")
router.menu(lazy_gettext("Sessions and check-in"), "booking.sessions", roles=STAFF, order=31)


@router.action(
    "booking.admin_abort",
    roles=STAFF,
    states=[
        NEW_CONFIRM,
        MANAGE,
        CANCEL_SESSION,
        DESK,
        DESK_OUTCOME,
        DESK_WALKIN,
        MOVE_DAY,
        MOVE_START,
    ],
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
            Choice(
                session_label(s, taken=True),
                "booking.manage",
                str(s.id),
                meaning=meaning.during(s.starts_at, s.ends_at),
            )
            for s in found[:20]
        ],
    )


@router.action("booking.manage", roles=STAFF)
async def manage(ctx: Context) -> None:
    """Shows one session and what can be done with it."""
    session = await managed(ctx, value_id(ctx))
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
    day = typed_day(ctx)
    if day is None:
        return
    flow.day = day
    ctx.go(MOVE_START, flow)
    ctx.reply(_("New start time? (the session keeps its length)"))


@router.state(MOVE_START, roles=STAFF)
async def move_start(ctx: Context) -> None:
    """Moves the session and tells everyone booked."""
    flow = ctx.load(ManageFlow)
    start = typed_time(ctx)
    if start is None or flow.day is None:
        return
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    told = await sessions.move_session(
        ctx.tx, ctx.actor, session.id, day=flow.day, start=start, now=ctx.now()
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
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    result = await sessions.set_machines(ctx.tx, ctx.actor, session.id, machines, ctx.now())
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
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    ctx.go(CANCEL_SESSION, flow)
    ctx.reply(
        _("Cancel this session? The {taken} people booked will be told.").format(
            taken=session.taken
        ),
        choices=[
            Choice(
                _("Yes, cancel the session"), "booking.cancel_session_yes", meaning=meaning.YES
            ),
            Choice(_("No"), "booking.admin_abort", meaning=meaning.NO),
        ],
    )


@router.action("booking.cancel_session_yes", states=[CANCEL_SESSION], roles=STAFF)
async def cancel_session(ctx: Context) -> None:
    """Cancels the session and tells everyone booked, with the next options."""
    flow = ctx.load(ManageFlow)
    session = await managed(ctx, flow.session_id)
    if session is None:
        return
    ctx.end()
    told = await sessions.cancel_session(ctx.tx, ctx.actor, session.id, ctx.now())
    if isinstance(told, SessionError):
        ctx.main_menu(session_errors()[told])
        return
    ctx.main_menu(_("The session is cancelled; {count} bookings were told.").format(count=told))
