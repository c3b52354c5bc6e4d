"""Who is still missing (/missing): paged by household, filtered, with marks (missing.mmd)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_date, format_datetime, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import dates
from bot.services import missing as service
from bot.services.missing import (
    EXEMPT_REASONS,
    Mark,
    MarkInfo,
    NotAllowed,
)
from handlers.missing_common import (
    AWAY_DATE,
    EXEMPT_REASON,
    LIST,
    PICK_MARK,
    PICK_PERSON,
    STAFF,
    View,
    ask_other_reason,
    choose_mark,
    page_of,
    reason_names,
    save,
    show,
    view_of,
)
from handlers.roster_common import offer_villages

router = Router("missing")
router.menu(lazy_gettext("Who is still missing"), "missing.start", roles=STAFF, order=32)


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


@router.action("missing.mark", roles=STAFF, states=[LIST])
async def ask_person(ctx: Context) -> None:
    """Offers the people of the page shown, to mark one."""
    view = ctx.load(View)
    page = await page_of(ctx, view)
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
    await choose_mark(ctx, ctx.choice.value)


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


def mark_line(info: MarkInfo) -> str:
    """ "Now: moved away (marked by Lan at 14:05 29/11/2026)" or "" for an unmarked person."""
    if info.status == "present":
        return ""
    reasons = reason_names()
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
