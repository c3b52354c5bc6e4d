"""What the booking flows share: staff roles, state names, record lines, error texts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_date, format_time, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.understand.dates import day as read_day
from bot.core.understand.times import clock as read_clock
from bot.services.booking import (
    Booking,
    Session,
    Slot,
    reservations,
    sessions,
    texts,
)
from bot.services.booking.rules import (
    MAX_PEOPLE,
    BookError,
    SessionError,
    local_today,
)
from bot.services.identity import Role

STAFF = [Role.TEAM_LEAD, Role.ADMIN]

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
DESK_WALKIN = "booking:desk_walkin"
CONFIRM_CANCEL = "booking:confirm_cancel"
JOIN_EXISTING = "booking:join_existing"
CUTOFF_HOURS = (0, 2, 24)


class ManageFlow(BaseModel):
    session_id: int
    day: date | None = None
    booking_id: int | None = None
    came: list[int] | None = None  # the members who came, when not all did
    person_id: int | None = None  # a walk-in without a booking


def session_errors() -> dict[SessionError, str]:
    return {error: texts.session_error(error) for error in SessionError}


def local_day(day: date) -> str:
    return format_date(day, "EEEE, dd/MM/yyyy")


def book_errors() -> dict[BookError, str]:
    return {
        BookError.NOT_FOUND: _("That session or time no longer exists."),
        BookError.CANCELLED: _("That session has been cancelled."),
        BookError.PAST: _("That time has already started or passed."),
        BookError.CUTOFF: _("Booking for that session has closed."),
        BookError.FULL: _("Sorry, that time has just filled up."),
        BookError.DUPLICATE: _(
            "Someone in this booking already has a booking for this. "
            "See “My bookings” to change or cancel it."
        ),
        BookError.NOT_YOURS: _("That booking is not yours, so nothing was changed."),
        BookError.NOT_ACTIVE: _("That booking was already cancelled or checked in."),
        BookError.BAD_PEOPLE: _("Please choose between 1 and {max} people.").format(
            max=MAX_PEOPLE
        ),
        BookError.SAME_SLOT: _("That is the time you already have."),
        BookError.EXPIRED: _("Sorry, the time to take that place has passed."),
        BookError.TOO_YOUNG: too_young_text(),
    }


def value_id(ctx: Context) -> int | None:
    """The id carried by the picked choice, if it is one."""
    value = ctx.choice.value if ctx.choice else ""
    return int(value) if value.isdigit() else None


def session_line(session: Session) -> str:
    return " · ".join(
        (
            texts.when(session.starts_at, session.ends_at),
            session.point_name,
            texts.places(session.free_ahead),
        )
    )


def slot_line(slot: Slot) -> str:
    return f"{format_time(slot.starts_at)}–{format_time(slot.ends_at)} · {texts.places(slot.free)}"


async def managed(ctx: Context, session_id: int | None) -> Session | None:
    session = await reservations.session_info(ctx.tx, session_id or 0, ctx.now())
    if session is None or not sessions.may_manage(ctx.actor, session.commune_id):
        ctx.end()
        ctx.main_menu(session_errors()[SessionError.NOT_ALLOWED])
        return None
    return session


async def say_booked(ctx: Context, booking_id: int, *, moved: bool = False) -> None:
    """Tells the resident their booking, what to bring, and shows the menu."""
    booking = await reservations.booking_info(ctx.tx, booking_id)
    assert booking is not None
    head = _("Your booking has been moved.") if moved else _("You are booked.")
    ctx.main_menu(
        "\n".join(
            [
                f"✅ {head} " + _("Booking number: #{id}").format(id=booking.id),
                f"{texts.service_label(booking.service)} · "
                + _("{count} people").format(count=booking.people),
                texts.when(booking.starts_at, booking.ends_at),
                texts.where(booking.point_name, booking.address),
                "",
                texts.what_to_bring(booking.service),
                "",
                texts.local_note(),
            ]
        )
    )


async def own_booking(ctx: Context) -> object | None:
    """The user's active booking the choice names, or None after saying why not."""
    booking_id = value_id(ctx)
    household = await reservations.household_ids(ctx.tx, ctx.actor.person_id)
    booking = await reservations.own_active(ctx.tx, booking_id or 0, ctx.actor.user_id, household)
    if isinstance(booking, BookError):
        ctx.end()
        ctx.reply(book_errors()[booking], choices=[Choice(_("My bookings"), "booking.mine")])
        return None
    return booking


async def booking_lines(
    ctx: Context, found: Sequence[Booking]
) -> tuple[list[str], dict[int, list[str]]]:
    """One line per booking: number, when, where, what, who, and who booked it if not you."""
    names = await reservations.names(ctx.tx, [b.id for b in found])
    others = await reservations.bookers(
        ctx.tx, [b.user_id for b in found if b.user_id != ctx.actor.user_id]
    )
    lines = []
    for number, booking in enumerate(found, start=1):
        who = ", ".join(names.get(booking.id, [])) or _("{count} people").format(
            count=booking.people
        )
        line = (
            f"{number}. #{booking.id} · {texts.when(booking.starts_at, booking.ends_at)} · "
            f"{texts.where(booking.point_name, booking.address)} · "
            f"{texts.service_label(booking.service)} · {who}"
        )
        if booking.user_id != ctx.actor.user_id:
            line += " · " + _("booked by {name}").format(
                name=others.get(booking.user_id, _("another member of your household"))
            )
        lines.append(line)
    return lines, names


async def show_household_bookings(
    ctx: Context, found: Sequence[Booking], *, joinable: bool = False
) -> None:
    """Bookings that already hold someone of the household: join, move or cancel them."""
    lines, _names = await booking_lines(ctx, found)
    choices = []
    for booking in found:
        day = to_local(booking.starts_at).strftime("%d/%m %H:%M")
        if joinable:
            choices.append(
                Choice(_("Go with {when}").format(when=day), "booking.join", str(booking.id))
            )
        choices += [
            Choice(_("Change {when}").format(when=day), "booking.reschedule", str(booking.id)),
            Choice(_("Cancel {when}").format(when=day), "booking.cancel", str(booking.id)),
        ]
    choices.append(Choice(_("Main menu"), "booking.abort"))
    ctx.reply(
        "\n".join([_("Someone in this booking is already booked:"), *lines]), choices=choices
    )


def too_young_text() -> str:
    return _(
        "Children under 6 do not come to the desk: a parent with a level 2 account asks for "
        "their card in VNeID (Thủ tục hành chính → Cấp thẻ căn cước cho người dưới 14 tuổi), "
        "and they cannot have level 2 yet."
    )


def typed_day(ctx: Context) -> date | None:
    """The day typed, today or later; else says what is wrong (the step stays) and None."""
    today = local_today(ctx.now())
    day = read_day(ctx.text, today)
    if day is None:
        ctx.reply(_("I could not read that date. Type it like 12/7 or 12/7/2027."))
        return None
    if day < today:
        ctx.reply(_("{day} has already passed. Which day?").format(day=local_day(day)))
        return None
    return day


def typed_time(ctx: Context, *, end: bool = False) -> time | None:
    """The time of day typed (a start, or an `end`); else says how to type it and None."""
    found = read_clock(ctx.text)
    if found is None:
        ctx.reply(
            _("I could not read that time. Type it like 11h, 16:30 or 22h.")
            if end
            else _("I could not read that time. Type it like 7h, 7:30 or 19h30.")
        )
    return found
