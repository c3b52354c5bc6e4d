"""Who is still missing (/missing): paged by household, filtered, with marks (missing.mmd)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_date, format_datetime, format_number, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import dates
from bot.services import missing as service
from bot.services.identity import Role
from bot.services.missing import (
    EXEMPT_REASONS,
    Filter,
    Mark,
    MarkInfo,
    MissingPage,
    MissingPerson,
    NotAllowed,
)
from bot.services.phone import mask_phone
from bot.services.privacy.texts import call_label
from handlers.roster import offer_villages

router = Router("missing")
STAFF = [Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN]
router.menu(lazy_gettext("Who is still missing"), "missing.start", roles=STAFF, order=32)

LIST = "missing:list"
PICK_PERSON = "missing:pick_person"
PICK_MARK = "missing:pick_mark"
AWAY_DATE = "missing:away_date"
EXEMPT_REASON = "missing:exempt_reason"
EXEMPT_OTHER = "missing:exempt_other"
STEPS = [LIST, PICK_PERSON, PICK_MARK, AWAY_DATE, EXEMPT_REASON, EXEMPT_OTHER]


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


def _reason_names() -> dict[str, str]:
    return {
        "dead": _("Dead"),
        "abroad": _("Abroad"),
        "prison": _("In prison"),
        "army": _("In the army"),
        "other": _("Other reason"),
    }


@router.command("missing", roles=STAFF, description=lazy_gettext("Who is still missing"))
@router.action("missing.start", roles=STAFF)
async def start(ctx: Context) -> None:
    """Shows the list of the actor's village, or asks which village."""
    ctx.end()
    villages = await service.my_villages(ctx.tx, ctx.actor)
    if not villages:
        ctx.reply(_("No village is assigned to you yet. Ask the commune police."))
    elif len(villages) == 1:
        await show(ctx, View(village_id=villages[0].village_id))
    else:
        offer_villages(ctx, villages, "missing.village", _("Which village?"), whole=False)


@router.action("missing.village", roles=STAFF)
async def pick_village(ctx: Context) -> None:
    """Shows the first page of the picked village."""
    assert ctx.choice is not None
    kind, _sep, number = ctx.choice.value.partition(":")
    if kind != "v" or not number.isdigit():
        ctx.reply(_("You cannot see that village."))
        return
    await show(ctx, View(village_id=int(number)))


@router.action("missing.page", roles=STAFF)
async def turn_page(ctx: Context) -> None:
    """Shows the page or filter the button names (the scope is checked again)."""
    assert ctx.choice is not None
    view = view_of(ctx.choice.value)
    if view is None:
        ctx.reply(_("You cannot see that village."))
        return
    await show(ctx, view)


async def _page(ctx: Context, view: View) -> MissingPage | None:
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
    page = await _page(ctx, view)
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


@router.action("missing.mark", roles=STAFF, states=[LIST])
async def ask_person(ctx: Context) -> None:
    """Offers the people of the page shown, to mark one."""
    view = ctx.load(View)
    page = await _page(ctx, view)
    if page is None:
        return
    ctx.go(PICK_PERSON, view)
    ctx.reply(
        _("Whom do you want to mark?"),
        choices=[Choice(p.full_name, "missing.person", str(p.person_id)) for p in page.people]
        + [Choice(_("Back to the list"), "missing.page", view.value())],
    )


@router.action("missing.person", roles=STAFF, states=[PICK_PERSON])
async def ask_mark(ctx: Context) -> None:
    """Asks what to mark for the picked person."""
    assert ctx.choice is not None
    view = ctx.load(View)
    if not ctx.choice.value.isdigit():
        ctx.reply(_("You cannot see that person."))
        return
    try:
        person = await service.person_for(ctx.tx, ctx.actor, int(ctx.choice.value))
    except NotAllowed:
        ctx.reply(_("You cannot see that person."))
        return
    info = await service.mark_info(ctx.tx, ctx.actor, person.person_id)
    ctx.go(PICK_MARK, view.model_copy(update={"person_id": person.person_id}))
    question = _("{name}: what is the situation?").format(name=person.full_name)
    current = mark_line(info)
    ctx.reply(
        f"{current}\n{question}" if current else question,
        choices=[
            Choice(_("Away until a date (at sea, working away)"), "missing.set", Mark.AWAY),
            Choice(_("Moved away"), "missing.set", Mark.MOVED),
            Choice(_("Exempt (objective case)"), "missing.set", Mark.EXEMPT),
            Choice(_("Present (clear the mark)"), "missing.set", Mark.PRESENT),
            Choice(_("Back to the list"), "missing.page", view.value()),
        ],
    )


@router.action("missing.set", roles=STAFF, states=[PICK_MARK])
async def set_mark(ctx: Context) -> None:
    """Stores moved or present, or asks the return date or the exempt reason."""
    assert ctx.choice is not None
    view = ctx.load(View)
    if ctx.choice.value == Mark.AWAY:
        ctx.go(AWAY_DATE, view)
        ctx.reply(_("Until when? Type the return date, for example 12/7 or 15/01/2027."))
    elif ctx.choice.value == Mark.EXEMPT:
        ctx.go(EXEMPT_REASON, view)
        ctx.reply(
            _("Why is this an objective case?"),
            choices=[
                Choice(label, "missing.reason", reason)
                for reason, label in _reason_names().items()
            ],
        )
    elif ctx.choice.value in (Mark.MOVED, Mark.PRESENT):
        await save(ctx, view, Mark(ctx.choice.value))


@router.action("missing.reason", roles=STAFF, states=[EXEMPT_REASON])
async def set_reason(ctx: Context) -> None:
    """Stores the person as exempt with the picked reason; "other" asks what it is."""
    assert ctx.choice is not None
    if ctx.choice.value not in EXEMPT_REASONS:
        ctx.reply(_("Pick one of the reasons."))
        return
    if ctx.choice.value == "other":
        ask_other_reason(ctx, ctx.load(View))
        return
    await save(ctx, ctx.load(View), Mark.EXEMPT, reason=ctx.choice.value)


def ask_other_reason(ctx: Context, view: View) -> None:
    ctx.go(EXEMPT_OTHER, view)
    ctx.reply(_("What is the reason? Type it in a few words, for example: in prison."))


def mark_line(info: MarkInfo) -> str:
    """ "Now: moved away (marked by Lan at 14:05 29/11/2026)" or "" for an unmarked person."""
    if info.status == "present":
        return ""
    reasons = _reason_names()
    state = {
        "away": _("away until {day}").format(
            day=format_date(info.away_until, "dd/MM/yyyy") if info.away_until else "?"
        ),
        "moved": _("moved away"),
        "exempt": _("exempt: {reason}").format(
            reason=info.exempt_detail or reasons.get(info.exempt_reason or "", "")
        ),
    }.get(info.status, info.status)
    if info.marked_at is None:
        return _("Now: {state}.").format(state=state)
    return _("Now: {state} (marked by {who} at {when}).").format(
        state=state,
        who=info.marked_by or "?",
        when=format_datetime(info.marked_at, "HH:mm dd/MM/yyyy"),
    )


@router.state(AWAY_DATE, roles=STAFF)
async def read_away_date(ctx: Context) -> None:
    """Stores the person as away until the typed date, or asks again."""
    view = ctx.load(View)
    today = service.local_today(ctx.now())
    parsed = dates.parse(ctx.text[:60], today)
    if isinstance(parsed, dates.Found) and parsed.day > today:
        await save(ctx, view, Mark.AWAY, away_until=parsed.day)
        return
    if isinstance(parsed, dates.Ambiguous):
        ctx.reply(_("Which day exactly? Type it as day/month/year, for example 15/01/2027."))
    elif isinstance(parsed, dates.Refused) and parsed.problem is dates.Problem.TOO_FAR:
        ctx.reply(_("That is more than a year ahead. Type a nearer date, or /cancel."))
    else:
        ctx.reply(_("That is not a date after today. Type for example 12/7, or /cancel."))


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
