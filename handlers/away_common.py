"""What the return-date flows share (away, boats): reading a date back, asking which day."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import to_local
from bot.core.reply import Choice
from bot.core.understand.dates import Ambiguous, Found, Parsed, Problem, Refused
from bot.services.reminders.texts import lunar_words, spoken_date


class AwayData(BaseModel):
    day: date | None = None


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
