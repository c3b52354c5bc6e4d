"""At sea or working far away until a date: read it, confirm it, remind on the return day."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_time, lazy_gettext, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import dates
from bot.core.understand.dates import Ambiguous, Found, Parsed, Problem, Refused
from bot.services import reminders
from bot.services.reminders.texts import lunar_words, spoken_date

router = Router("away")
router.menu(lazy_gettext("I am going to sea / working away"), "away.start", order=30)

ASK = "away:ask_date"
CONFIRM = "away:confirm"
AWAY_WORDS = (
    "di bien",
    "ra khoi",
    "di tau",
    "bam bien",
    "di danh ca",
    "di lam xa",
    "di lam an xa",
    "lam an xa",
    "di xa",
    "ngoai khoi",
)
QUESTION_WORDS = (" khong", " ko", " k ", "?", " sao", " the nao", " nhu nao", " chua")


class AwayData(BaseModel):
    day: date | None = None


def says_away_until(folded: str) -> bool:
    """ "đi biển đến 12/7", "tôi đi biển tới rằm mới về": away words, a date, no question."""
    padded = f" {folded} "
    return (
        any(word in folded for word in AWAY_WORDS)
        and not any(word in padded for word in QUESTION_WORDS)
        and dates.mentions_date(folded)
    )


def today(ctx: Context) -> date:
    return to_local(ctx.now()).date()


def refusal(refused: Refused) -> str:
    if refused.problem is Problem.PAST and refused.day:
        return _("{day} has already passed. When will you be back?").format(
            day=spoken_date(refused.day).capitalize()
        )
    if refused.problem is Problem.TOO_FAR and refused.day:
        return _(
            "{day} is more than a year away. I can only remind you within a year: "
            "tell me a nearer date."
        ).format(day=spoken_date(refused.day).capitalize())
    return _(
        "I could not read a date in that. Try for example: 12/7, ngày mốt, thứ 6 tuần sau, "
        "3 ngày nữa, rằm, mùng 5 tháng sau."
    )


def read_back(found: Found) -> str:
    words = spoken_date(found.day)
    if found.lunar is not None:
        words = f"{words} ({lunar_words(found.lunar)})"
    return words


async def answer_date(ctx: Context, parsed: Parsed, action_prefix: str, state: str) -> None:
    """Reads a parsed date back for confirmation, asks which day, or says why not."""
    if isinstance(parsed, Found):
        ctx.go(state, AwayData(day=parsed.day))
        ctx.reply(
            _("You will be back on {day}. Is that right?").format(day=read_back(parsed)),
            choices=[
                Choice(_("Yes, that is right"), f"{action_prefix}.confirm"),
                Choice(_("No, another date"), f"{action_prefix}.again"),
            ],
        )
    elif isinstance(parsed, Ambiguous):
        ctx.reply(
            _("Which day do you mean?"),
            choices=[
                Choice(spoken_date(day), f"{action_prefix}.pick", day.isoformat())
                for day in parsed.candidates
            ],
        )
    else:
        ctx.reply(refusal(parsed))


def picked_day(ctx: Context) -> date | None:
    assert ctx.choice is not None
    try:
        return date.fromisoformat(ctx.choice.value)
    except ValueError:
        return None


@router.action("away.start")
async def ask_date(ctx: Context) -> None:
    """Asks until when the user is away."""
    ctx.go(ASK, AwayData())
    ctx.reply(
        _(
            "Until when are you at sea or away? Write it your way, for example: 12/7, "
            "ngày mốt, thứ 6 tuần sau, 3 ngày nữa, cuối tháng, rằm, mùng 5 tháng sau, 15 âm."
        )
    )


@router.action("away.again", states=[CONFIRM])
async def ask_again(ctx: Context) -> None:
    """Asks for the date once more."""
    await ask_date(ctx)


@router.state(ASK)
async def read_date(ctx: Context) -> None:
    """Reads the typed date and asks to confirm it."""
    await answer_date(ctx, dates.parse(ctx.text, today(ctx)), "away", CONFIRM)


@router.text(says_away_until)
async def read_away_message(ctx: Context) -> None:
    """Picks the date out of "đi biển đến 12/7" and asks to confirm it."""
    parsed = dates.find_in_text(ctx.text, today(ctx))
    if parsed is None:
        await ask_date(ctx)
        return
    ctx.go(ASK, AwayData())
    await answer_date(ctx, parsed, "away", CONFIRM)


@router.action("away.pick", states=[ASK])
async def pick_date(ctx: Context) -> None:
    """Takes the day picked among the possible ones and asks to confirm it."""
    day = picked_day(ctx)
    parsed = dates.parse(day.strftime("%d/%m/%Y"), today(ctx)) if day else None
    await answer_date(ctx, parsed or Refused(Problem.NOT_A_DATE), "away", CONFIRM)


@router.action("away.confirm", states=[CONFIRM])
async def confirm(ctx: Context) -> None:
    """Stores the return date and schedules the return-day reminder."""
    data = ctx.load(AwayData)
    if data.day is None or data.day < today(ctx):
        await ask_date(ctx)
        return
    policy = reminders.Policy.from_settings(ctx.settings)
    due = await reminders.set_away(
        ctx.tx,
        user_id=ctx.actor.user_id,
        person_id=ctx.actor.person_id,
        return_on=data.day,
        now=ctx.now(),
        policy=policy,
    )
    ctx.end()
    text = _(
        "Noted: you are away until {day}. On that day at {time} I will send you the "
        "free time slots to make your ID card and level 2 account. Safe trip!"
    ).format(day=spoken_date(data.day), time=format_time(due))
    if ctx.actor.person_id is None:
        ctx.reply(
            text
            + "\n"
            + _(
                "Your chat is not linked to the commune's resident list yet, so your village "
                "head does not see this date. Link it with the button below."
            ),
            choices=[Choice(_("Link my chat to the resident list"), "identity.link")],
        )
        return
    ctx.main_menu(text)
