"""What the missing list's flows share (pressed and typed): the view, a page, a mark saved."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_date, format_number
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services import missing as service
from bot.services.identity import Role
from bot.services.missing import (
    Filter,
    Mark,
    MissingPage,
    MissingPerson,
    NotAllowed,
)
from bot.services.phone import mask_phone
from bot.services.privacy.texts import call_label

STAFF = [Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN]
LIST = "missing:list"
PICK_PERSON = "missing:pick_person"
PICK_MARK = "missing:pick_mark"
AWAY_DATE = "missing:away_date"
EXEMPT_REASON = "missing:exempt_reason"
EXEMPT_OTHER = "missing:exempt_other"


class View(BaseModel):
    """Which page of which list is shown, and the person being marked."""

    village_id: int
    kind: Filter = Filter.ALL
    page: int = 1
    person_id: int | None = None

    def value(self, *, kind: Filter | None = None, page: int | None = None) -> str:
        """A button's value: the whole view, so a press stands on its own."""
        return f"{self.village_id}|{(kind or self.kind).value}|{page or self.page}"


def view_of(value: str) -> View | None:
    parts = value.split("|")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit():
        return None
    if parts[1] not in set(Filter):
        return None
    return View(village_id=int(parts[0]), kind=Filter(parts[1]), page=int(parts[2]))


def _filter_names() -> dict[Filter, str]:
    return {
        Filter.ALL: _("Everyone missing"),
        Filter.NO_CARD: _("No ID card"),
        Filter.NO_LEVEL2: _("No level 2"),
        Filter.AT_SEA: _("At sea / away"),
        Filter.OVER_70: _("Over 70"),
    }


def status_names() -> dict[str, str]:
    return {"away": _("away"), "moved": _("moved away"), "exempt": _("exempt")}


def reason_names() -> dict[str, str]:
    return {
        "dead": _("Dead"),
        "abroad": _("Abroad"),
        "prison": _("In prison"),
        "army": _("In the army"),
        "other": _("Other reason"),
    }


async def page_of(ctx: Context, view: View) -> MissingPage | None:
    """The page the view names, or None (and a refusal) outside the actor's villages."""
    today = service.local_today(ctx.now())
    try:
        return await service.missing_page(
            ctx.tx, ctx.actor, view.village_id, view.kind, view.page, today
        )
    except NotAllowed:
        ctx.end()
        ctx.reply(_("You cannot see that village."))
        return None


async def show(ctx: Context, view: View, notice: str = "") -> None:
    """Shows one page of the list with its buttons."""
    page = await page_of(ctx, view)
    if page is None:
        return
    view = View(village_id=view.village_id, kind=view.kind, page=page.page)
    ctx.go(LIST, view)
    text = render_page(page)
    ctx.reply(f"{notice}\n\n{text}" if notice else text, choices=page_choices(page, view))


def render_page(page: MissingPage) -> str:
    """The page as text: a header, then each household and its people, numbered."""
    village = page.village
    header = _("{village}: {people} people in {households} households still missing").format(
        village=village.name,
        people=format_number(page.people_total),
        households=format_number(page.households_total),
    )
    if page.kind is not Filter.ALL:
        header += " · " + _filter_names()[page.kind]
    if not page.households:
        return header + "\n" + _("Nobody on this list. Well done!")
    lines = [header, _("Page {page} of {pages}").format(page=page.page, pages=page.pages)]
    lines.append(
        _(
            'Type a name to find someone (moved and exempt people too), "hộ 12", '
            '"trang 5" or "trang sau", "chỉ người đi biển".'
        )
    )
    for household in page.households:
        row = household.household
        address = f" · {row.address}" if row.address else ""
        lines.append("")
        lines.append(_("Household {code}").format(code=row.code) + address)
        # Bullets, not numbers: on Zalo and the console the options below are numbered.
        lines.extend(f"• {person_line(person)}" for person in household.people)
    return "\n".join(lines)


def person_line(person: MissingPerson) -> str:
    """ "Nguyễn Văn Hùng (1968) · no ID card · 091****678 · away until ..." """
    parts = [person.full_name + (f" ({person.birth_year})" if person.birth_year else "")]
    if not person.has_id_card:
        parts.append(_("no ID card"))
    elif not person.has_eid_level2:
        parts.append(_("no level 2"))
    if person.phone:
        parts.append(mask_phone(person.phone))
    if person.status == "away" and person.away_until:
        parts.append(
            _("away until {day}").format(day=format_date(person.away_until, "dd/MM/yyyy"))
        )
    elif person.status == "away":
        parts.append(_("away"))
    elif person.boat_return_on:
        parts.append(
            _("boat {boat} back on {day}").format(
                boat=person.boat, day=format_date(person.boat_return_on, "dd/MM/yyyy")
            )
        )
    return " · ".join(parts)


def page_choices(page: MissingPage, view: View) -> list[Choice]:
    choices: list[Choice] = []
    if page.page > 1:
        choices.append(
            Choice(_("◀ Previous page"), "missing.page", view.value(page=page.page - 1))
        )
    if page.page < page.pages:
        choices.append(Choice(_("Next page ▶"), "missing.page", view.value(page=page.page + 1)))
    if page.people:
        choices.append(Choice(_("Mark someone"), "missing.mark", view.value()))
    if any(person.phone for person in page.people):  # reveals one phone, logged
        choices.append(Choice(call_label(), "privacy.call", view.value()))
    for kind, label in _filter_names().items():
        if kind is not page.kind:
            choices.append(Choice(label, "missing.page", view.value(kind=kind, page=1)))
    return choices


async def choose_mark(ctx: Context, value: str) -> None:
    """Stores moved or present, or asks the return date or the exempt reason."""
    view = ctx.load(View)
    if value == Mark.AWAY:
        ctx.go(AWAY_DATE, view)
        ctx.reply(_("Until when? Type the return date, for example 12/7 or 15/01/2027."))
    elif value == Mark.EXEMPT:
        ctx.go(EXEMPT_REASON, view)
        ctx.reply(
            _("Why is this an objective case?"),
            choices=[
                Choice(label, "missing.reason", reason) for reason, label in reason_names().items()
            ],
        )
    elif value in (Mark.MOVED, Mark.PRESENT):
        await save(ctx, view, Mark(value))


def ask_other_reason(ctx: Context, view: View) -> None:
    ctx.go(EXEMPT_OTHER, view)
    ctx.reply(_("What is the reason? Type it in a few words, for example: in prison."))


async def save(
    ctx: Context,
    view: View,
    status: Mark,
    *,
    away_until: date | None = None,
    reason: str | None = None,
    detail: str | None = None,
) -> None:
    if view.person_id is None:
        await show(ctx, view)
        return
    try:
        person = await service.mark(
            ctx.tx,
            ctx.actor,
            view.person_id,
            status,
            ctx.now(),
            away_until=away_until,
            reason=reason,
            detail=detail,
        )
    except NotAllowed:
        ctx.end()
        ctx.reply(_("You cannot see that person."))
        return
    except ValueError:
        ctx.reply(_("That is not a date after today. Type for example 12/7, or /cancel."))
        return
    notice = {
        Mark.AWAY: _("Saved: {name} is away until {day}."),
        Mark.MOVED: _("Saved: {name} has moved away and is no longer counted."),
        Mark.EXEMPT: _("Saved: {name} is an objective case and is no longer counted."),
        Mark.PRESENT: _("Saved: {name} is present again."),
    }[status].format(
        name=person.full_name,
        day=format_date(away_until, "dd/MM/yyyy") if away_until else "",
    )
    await show(ctx, view.model_copy(update={"person_id": None}), notice)
