"""At sea or working far away until a date: read it, confirm it, remind on the return day."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_time, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import dates
from bot.core.understand.dates import Problem, Refused
from bot.services import reminders
from bot.services.reminders.texts import spoken_date
from handlers.away_common import (
    AwayData,
    answer_date,
    picked_day,
    today,
)

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


def says_away_until(folded: str) -> bool:
    """ "đi biển đến 12/7", "tôi đi biển tới rằm mới về": away words, a date, no question."""
    padded = f" {folded} "
    return (
        any(word in folded for word in AWAY_WORDS)
        and not any(word in padded for word in QUESTION_WORDS)
        and dates.mentions_date(folded)
    )


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
