"""A village head sets a boat's return date for its whole crew: /boat KH-91234-TS 12/7."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.router import Router
from bot.core.understand import dates
from bot.services import reminders
from bot.services.identity import Role
from bot.services.privacy.texts import other_crew_text
from bot.services.reminders import BoatError
from bot.services.reminders.texts import spoken_date
from handlers.away_common import answer_date, picked_day, today

router = Router("boats")
STAFF = [Role.VILLAGE_HEAD, Role.TEAM_LEAD]
router.menu(lazy_gettext("Set a boat's return date"), "boats.start", roles=STAFF, order=45)
router.menu(lazy_gettext("Boats coming in today"), "boats.today", roles=STAFF, order=44)

ASK_BOAT = "boats:ask_registration"
ASK_DATE = "boats:ask_date"
CONFIRM = "boats:confirm"


class BoatData(BaseModel):
    registration: str
    day: date | None = None


def boat_error(error: BoatError) -> str:
    return {
        BoatError.BAD_NUMBER: _(
            "That does not look like a registration number. Write it like KH-91234-TS."
        ),
        BoatError.UNKNOWN: _("There is no boat with that registration number on the list."),
    }[error]


@router.command(
    "today", roles=STAFF, description=lazy_gettext("Who comes back to shore today, still missing")
)
@router.action("boats.today", roles=STAFF)
async def arrivals_today(ctx: Context) -> None:
    """Lists, per village and boat, who comes back today and still lacks the card or level 2."""
    text = await reminders.arrivals_today(ctx.tx, ctx.actor, ctx.now())
    ctx.main_menu(text or _("Nobody who comes back to shore today is still missing."))


@router.command(
    "boat",
    roles=STAFF,
    description=lazy_gettext("Set a boat's return date: /boat KH-91234-TS 12/7"),
)
async def command_boat(ctx: Context) -> None:
    """Checks the boat named after /boat and reads the date after it back, or asks for it."""
    registration, _sep, when = ctx.inbound.args.strip().partition(" ")
    if not registration:
        await ask_boat(ctx)
        return
    if not await remember_boat(ctx, registration):
        return
    if when.strip():
        await read_boat_date(ctx, when)
    else:
        ask_boat_date(ctx)


@router.action("boats.start", roles=STAFF)
async def ask_boat(ctx: Context) -> None:
    """Asks for the boat's registration number."""
    ctx.go(ASK_BOAT)
    ctx.reply(_("Which boat? Type its registration number, for example KH-91234-TS."))


@router.state(ASK_BOAT, roles=STAFF)
async def read_boat(ctx: Context) -> None:
    """Checks the registration number and asks for the return date."""
    if await remember_boat(ctx, ctx.text):
        ask_boat_date(ctx)


async def remember_boat(ctx: Context, registration: str) -> bool:
    boat = await reminders.find_boat(ctx.tx, ctx.actor, registration)
    if isinstance(boat, BoatError):
        ctx.go(ASK_BOAT)
        ctx.reply(boat_error(boat))
        return False
    ctx.go(ASK_DATE, BoatData(registration=boat.registration))
    return True


def ask_boat_date(ctx: Context) -> None:
    data = ctx.load(BoatData)
    ctx.reply(
        _("When does boat {registration} come back? For example: 12/7, rằm, 3 ngày nữa.").format(
            registration=data.registration
        )
    )


@router.state(ASK_DATE, roles=STAFF)
async def read_boat_text(ctx: Context) -> None:
    """Reads the typed return date and asks to confirm it."""
    await read_boat_date(ctx, ctx.text)


async def read_boat_date(ctx: Context, text: str) -> None:
    data = ctx.load(BoatData)
    ctx.go(ASK_DATE, data)
    await answer_date(ctx, dates.parse(text, today(ctx)), "boats", CONFIRM)
    if ctx.state == CONFIRM:  # answer_date stored only the day: keep the boat with it
        ctx.go(CONFIRM, BoatData(registration=data.registration, day=ctx.convo.data["day"]))


@router.action("boats.pick", states=[ASK_DATE], roles=STAFF)
async def pick_boat_date(ctx: Context) -> None:
    """Takes the picked day and asks to confirm it."""
    day = picked_day(ctx)
    await read_boat_date(ctx, day.strftime("%d/%m/%Y") if day else "")


@router.action("boats.again", states=[CONFIRM], roles=STAFF)
async def ask_boat_date_again(ctx: Context) -> None:
    """Asks for the return date once more."""
    data = ctx.load(BoatData)
    ctx.go(ASK_DATE, BoatData(registration=data.registration))
    ask_boat_date(ctx)


@router.action("boats.confirm", states=[CONFIRM], roles=STAFF)
async def confirm_boat(ctx: Context) -> None:
    """Sets the return date for the whole crew and moves their reminders."""
    data = ctx.load(BoatData)
    if data.day is None or data.day < today(ctx):
        ask_boat_date(ctx)
        return
    result = await reminders.set_boat_return(
        ctx.tx,
        ctx.actor,
        data.registration,
        data.day,
        ctx.now(),
        reminders.Policy.from_settings(ctx.settings),
    )
    ctx.end()
    if isinstance(result, BoatError):
        ctx.main_menu(boat_error(result))
        return
    text = _("Boat {registration} comes back on {day}: set for {count} crew members.").format(
        registration=result.registration, day=spoken_date(data.day), count=result.crew
    )
    if result.previous and result.previous != data.day:
        text += "\n" + _("Their reminders for {old} were moved.").format(
            old=spoken_date(result.previous)
        )
    if result.other_villages:
        text += "\n" + other_crew_text(result.other_villages)
    ctx.main_menu(text)
