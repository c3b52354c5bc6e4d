"""Composing a notice to villages (`/broadcast`): villages, audience, text, replies, when.

Team leads, village heads (their own villages only) and admins compose: villages, audience,
text, reply buttons, a preview with the number of recipients, then now or at a set time.
Following notices sent is in broadcast_status.py; residents' answers in broadcast_replies.py.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.core.context import Context
from bot.core.i18n import format_datetime, format_number, lazy_gettext, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning
from bot.services import broadcast as service
from bot.services.broadcast import (
    AudienceKind,
    OutOfScope,
    RangeError,
    WhenError,
)
from handlers.broadcast_common import STAFF, Draft, cancel_choice, preview_lines

logger = logging.getLogger(__name__)

router = Router("broadcast")
router.menu(lazy_gettext("Send a notice"), "broadcast.start", roles=STAFF, order=60)

VILLAGES = "broadcast:villages"
AUDIENCE = "broadcast:audience"
DATES = "broadcast:dates"
TEXT = "broadcast:text"
REPLIES = "broadcast:replies"
PREVIEW = "broadcast:preview"
WHEN = "broadcast:when"
CONFIRM = "broadcast:confirm"
ALL_STEPS = (VILLAGES, AUDIENCE, DATES, TEXT, REPLIES, PREVIEW, WHEN, CONFIRM)
MIN_TEXT = 5


@router.command("broadcast", roles=STAFF, description=lazy_gettext("Send a notice to villages"))
@router.action("broadcast.start", roles=STAFF)
async def start(ctx: Context) -> None:
    """Starts a notice and asks which villages it is for (skipped when there is one)."""
    villages = await service.villages_for(ctx.tx, ctx.actor)
    if not villages:
        ctx.end()
        ctx.reply(_("You have no village to send notices to. Ask the commune police."))
        return
    draft = Draft()
    if len(villages) == 1:
        draft.village_ids = [villages[0].id]
        await _ask_audience(ctx, draft)
        return
    await _show_villages(ctx, draft, "")


async def _show_villages(ctx: Context, draft: Draft, note: str) -> None:
    villages = await service.villages_for(ctx.tx, ctx.actor)
    picked = [v.name for v in villages if v.id in draft.village_ids]
    text = _("Which villages is the notice for? Tap a village to pick or unpick it.")
    if picked:
        text += "\n" + _("Picked: {names}.").format(names=", ".join(picked))
    choices = [
        Choice(
            ("✓ " if v.id in draft.village_ids else "") + v.name, "broadcast.village", str(v.id)
        )
        for v in villages
    ]
    choices.append(Choice(_("All my villages"), "broadcast.all_villages"))
    if draft.village_ids:
        choices.append(Choice(_("Continue"), "broadcast.villages_done"))
    choices.append(cancel_choice())
    ctx.go(VILLAGES, draft)
    ctx.reply(f"{note}\n{text}".strip(), choices=choices)


@router.action("broadcast.village", roles=STAFF, states=[VILLAGES])
async def toggle_village(ctx: Context) -> None:
    """Picks or unpicks one village and shows the list again."""
    assert ctx.choice is not None
    draft = ctx.load(Draft)
    allowed = {v.id for v in await service.villages_for(ctx.tx, ctx.actor)}
    village_id = int(ctx.choice.value) if ctx.choice.value.isdigit() else -1
    if village_id not in allowed:
        await _show_villages(ctx, draft, _("That village is not one of yours."))
        return
    if village_id in draft.village_ids:
        draft.village_ids.remove(village_id)
    else:
        draft.village_ids.append(village_id)
    await _show_villages(ctx, draft, "")


@router.action("broadcast.all_villages", roles=STAFF, states=[VILLAGES])
async def pick_all_villages(ctx: Context) -> None:
    """Takes every village of the actor and asks for the audience."""
    draft = ctx.load(Draft)
    draft.village_ids = [v.id for v in await service.villages_for(ctx.tx, ctx.actor)]
    await _ask_audience(ctx, draft)


@router.action("broadcast.villages_done", roles=STAFF, states=[VILLAGES])
async def villages_done(ctx: Context) -> None:
    """Keeps the picked villages and asks for the audience."""
    draft = ctx.load(Draft)
    if not draft.village_ids:
        await _show_villages(ctx, draft, _("Pick at least one village."))
        return
    await _ask_audience(ctx, draft)


async def _ask_audience(ctx: Context, draft: Draft) -> None:
    ctx.go(AUDIENCE, draft)
    ctx.reply(
        _("Who should get the notice?"),
        choices=[
            Choice(_("Everyone in these villages"), "broadcast.audience", AudienceKind.ALL),
            Choice(
                _("Only people still missing (no ID card or no level 2 account)"),
                "broadcast.audience",
                AudienceKind.MISSING,
            ),
            Choice(
                _("Fishermen coming in between two dates"),
                "broadcast.audience",
                AudienceKind.RETURNING,
            ),
            cancel_choice(),
        ],
    )


@router.action("broadcast.audience", roles=STAFF, states=[AUDIENCE])
async def pick_audience(ctx: Context) -> None:
    """Stores the audience; asks for the dates of the fishermen's return, or for the text."""
    assert ctx.choice is not None
    draft = ctx.load(Draft)
    if ctx.choice.value not in set(AudienceKind):
        await _ask_audience(ctx, draft)
        return
    draft.kind = AudienceKind(ctx.choice.value)
    if draft.kind is AudienceKind.RETURNING:
        ctx.go(DATES, draft)
        ctx.reply(
            _("Between which dates do they come in? For example: 3/12 - 10/12"),
            choices=[cancel_choice()],
        )
        return
    await _ask_text(ctx, draft)


@router.state(DATES, roles=STAFF)
async def take_dates(ctx: Context) -> None:
    """Stores the return window and asks for the text."""
    draft = ctx.load(Draft)
    found = service.parse_range(ctx.text, to_local(ctx.now()).date())
    if isinstance(found, RangeError):
        errors = {
            RangeError.BAD: _("I could not read the dates. Type them like this: 3/12 - 10/12"),
            RangeError.PAST: _("Those dates are already past. Type dates from today on."),
            RangeError.TOO_LONG: _("That is more than two months. Type a shorter window."),
        }
        ctx.reply(errors[found], choices=[cancel_choice()])
        return
    draft.date_from, draft.date_to = found
    await _ask_text(ctx, draft)


async def _ask_text(ctx: Context, draft: Draft) -> None:
    sessions = await service.sessions_to_announce(ctx.tx, draft.village_ids[0], ctx.now())
    text = _(
        "Type the notice as people should read it: what, where, when, what to bring. "
        "Up to {limit} characters."
    ).format(limit=format_number(ctx.settings.max_text_length))
    if sessions:
        text += "\n" + _("Or start from an open session (place and time filled in):")
    ctx.go(TEXT, draft)
    ctx.reply(
        text,
        choices=[
            *(Choice(label, "broadcast.session", str(sid)) for sid, label in sessions),
            cancel_choice(),
        ],
    )


@router.action("broadcast.session", roles=STAFF, states=[TEXT])
async def pick_session(ctx: Context) -> None:
    """Fills the text from a session and asks whether to add reply buttons."""
    assert ctx.choice is not None
    draft = ctx.load(Draft)
    value = ctx.choice.value
    text = await service.session_text(ctx.tx, int(value), ctx.now()) if value.isdigit() else None
    if text is None:
        ctx.reply(_("That session is no longer open. Type the notice instead."))
        await _ask_text(ctx, draft)
        return
    draft.text, draft.session_id = text, int(value)
    _ask_replies(ctx, draft)


@router.state(TEXT, roles=STAFF)
async def take_text(ctx: Context) -> None:
    """Stores the text and asks whether to add reply buttons."""
    draft = ctx.load(Draft)
    if len(ctx.text) < MIN_TEXT:
        ctx.reply(_("That is too short for a notice. Type the whole text."))
        return
    draft.text, draft.session_id = ctx.text, None
    _ask_replies(ctx, draft)


def _ask_replies(ctx: Context, draft: Draft) -> None:
    ctx.go(REPLIES, draft)
    question = _('Add the reply buttons "I will come" / "I cannot come"?')
    ctx.reply(
        f"{draft.text}\n\n{question}" if draft.session_id else question,
        choices=[
            Choice(_("Yes, with reply buttons"), "broadcast.replies", "1", meaning=meaning.YES),
            Choice(_("No"), "broadcast.replies", "0", meaning=meaning.NO),
            cancel_choice(),
        ],
    )


@router.action("broadcast.replies", roles=STAFF, states=[REPLIES])
async def pick_replies(ctx: Context) -> None:
    """Stores the reply-button choice and shows the preview."""
    assert ctx.choice is not None
    draft = ctx.load(Draft)
    draft.with_replies = ctx.choice.value == "1"
    await _show_preview(ctx, draft)


async def _show_preview(ctx: Context, draft: Draft) -> None:
    try:
        counts = await service.preview(
            ctx.tx, ctx.actor, draft.audience(), to_local(ctx.now()).date()
        )
    except OutOfScope:
        ctx.end()
        ctx.main_menu(_("Those villages are no longer yours. Start again."))
        return
    names = await service.village_names(ctx.tx, draft.village_ids)
    lines = preview_lines(draft, counts, names)
    ctx.go(PREVIEW, draft)
    if not counts.people:
        lines.append(_("Nobody matches this audience."))
        ctx.reply(
            "\n".join(lines),
            choices=[
                Choice(_("Choose the audience again"), "broadcast.restart"),
                cancel_choice(),
            ],
        )
        return
    ctx.reply(
        "\n".join(lines),
        choices=[
            Choice(
                _("Send now"), "broadcast.send_now", meaning=meaning.says("gửi luôn", "gửi ngay")
            ),
            Choice(_("Send at a set time"), "broadcast.ask_time"),
            Choice(_("Change the text"), "broadcast.edit_text"),
            cancel_choice(),
        ],
    )


@router.action("broadcast.restart", roles=STAFF, states=[PREVIEW])
async def restart(ctx: Context) -> None:
    """Goes back to the audience question, keeping the villages."""
    await _ask_audience(ctx, ctx.load(Draft))


@router.action("broadcast.edit_text", roles=STAFF, states=[PREVIEW])
async def edit_text(ctx: Context) -> None:
    """Asks for the text again."""
    await _ask_text(ctx, ctx.load(Draft))


@router.action("broadcast.send_now", roles=STAFF, states=[PREVIEW])
async def send_now(ctx: Context) -> None:
    """Sends at once, or asks to confirm the end of the quiet hours if it is night."""
    draft = ctx.load(Draft)
    at, moved = _quiet(ctx, ctx.now())
    if moved:
        draft.send_at, draft.moved = at, True
        _ask_confirm(ctx, draft)
        return
    await _create(ctx, draft, ctx.now())


@router.action("broadcast.ask_time", roles=STAFF, states=[PREVIEW, CONFIRM])
async def ask_time(ctx: Context) -> None:
    """Asks when to send."""
    ctx.go(WHEN, ctx.load(Draft))
    ctx.reply(
        _('When should it go out? For example: "17h", "18:30 5/12", "mai 7h".'),
        choices=[cancel_choice()],
    )


@router.state(WHEN, roles=STAFF)
async def take_time(ctx: Context) -> None:
    """Reads the time, moves it out of the quiet hours, and asks to confirm."""
    draft = ctx.load(Draft)
    found = service.parse_when(ctx.text, ctx.now())
    if isinstance(found, WhenError):
        errors = {
            WhenError.BAD: _('I could not read that time. For example: "17h" or "18:30 5/12".'),
            WhenError.PAST: _("That time is already past. Type a later time."),
            WhenError.TOO_FAR: _("That is more than two months ahead. Type an earlier time."),
        }
        ctx.reply(errors[found], choices=[cancel_choice()])
        return
    draft.send_at, draft.moved = _quiet(ctx, found)
    _ask_confirm(ctx, draft)


def _quiet(ctx: Context, moment: datetime) -> tuple[datetime, bool]:
    return service.out_of_quiet_hours(moment, ctx.settings.quiet_start, ctx.settings.quiet_end)


def _ask_confirm(ctx: Context, draft: Draft) -> None:
    assert draft.send_at is not None
    text = _("The notice will go out at {when}.").format(
        when=format_datetime(draft.send_at, "short")
    )
    if draft.moved:
        text = (
            _("No notices are sent during the quiet hours ({start}–{end}).").format(
                start=ctx.settings.quiet_start.strftime("%H:%M"),
                end=ctx.settings.quiet_end.strftime("%H:%M"),
            )
            + " "
            + text
        )
    ctx.go(CONFIRM, draft)
    ctx.reply(
        text,
        choices=[
            Choice(_("Confirm"), "broadcast.confirm", meaning=meaning.YES),
            Choice(_("Another time"), "broadcast.ask_time"),
            cancel_choice(),
        ],
    )


@router.action("broadcast.confirm", roles=STAFF, states=[CONFIRM])
async def confirm(ctx: Context) -> None:
    """Queues the notice for the confirmed time (still out of the quiet hours)."""
    draft = ctx.load(Draft)
    at = max(draft.send_at or ctx.now(), ctx.now())
    await _create(ctx, draft, _quiet(ctx, at)[0])


async def _create(ctx: Context, draft: Draft, at: datetime) -> None:
    try:
        created = await service.create(
            ctx.tx,
            ctx.actor,
            audience=draft.audience(),
            text=draft.text,
            with_replies=draft.with_replies,
            scheduled_at=at,
            now=ctx.now(),
            session_id=draft.session_id,
            default_locale=ctx.settings.default_locale,
        )
    except OutOfScope:
        ctx.end()
        ctx.main_menu(_("Those villages are no longer yours. Start again."))
        return
    ctx.end()
    if at > ctx.now():
        text = _("Scheduled for {when}: {queued} people will get it in the chat.").format(
            when=format_datetime(at, "short"), queued=format_number(created.queued)
        )
    else:
        text = _("Sending now to {queued} people.").format(queued=format_number(created.queued))
    text += "\n" + _(
        "You will get the report when it is done. /broadcast_status shows where it stands."
    )
    ctx.main_menu(text)


@router.action("broadcast.cancel_draft", roles=STAFF, states=ALL_STEPS)
async def cancel_draft(ctx: Context) -> None:
    """Drops the notice being composed."""
    ctx.end()
    ctx.main_menu(_("The notice was not sent."))
