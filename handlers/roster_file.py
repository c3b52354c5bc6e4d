"""A roster file sent in the chat by an admin: a preview first, written only once confirmed."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.context import Context
from bot.core.i18n import format_number
from bot.core.i18n import gettext as _
from bot.core.reply import Attachment, Choice
from bot.core.router import Router
from bot.core.understand.yesno import yes_no
from bot.services import roster_import
from bot.services.identity import Role
from bot.services.privacy.safe_files import CSV_MIME, csv_bytes
from bot.services.roster_import import ImportReport, RosterFileError, uploads
from bot.storage.db import Database

router = Router("roster_file")
ADMIN = [Role.ADMIN]
CONFIRM = "roster:confirm"
REPORT_LINES = 20
# Typed answers to the preview beyond a plain yes or no (folded); "huỷ" is the cancel word.
YES_WORDS = frozenset(
    {"dong y", "ok", "oke", "okay", "co", "yes", "y", "nhap", "nhap di", "dong y nhap"}
)
NO_WORDS = frozenset({"khong", "no", "n", "bo", "thoi", "khong nhap"})


@router.file(roles=ADMIN)
async def preview_file(ctx: Context) -> None:
    """Checks the file without writing anything and asks to confirm the import.

    The file is read after this message's transaction, outside any (others are answered
    meanwhile); the preview is given, and the file kept, in a new one.
    """
    sent = ctx.inbound.file
    if sent is None:
        return
    now, progress = ctx.now(), _progress(ctx, _("Checking the roster file: {percent}%"))
    actor = ctx.actor
    max_rows = ctx.settings.roster_max_rows

    async def work(db: Database) -> ImportReport | RosterFileError:
        try:
            return await uploads.check(db, actor, sent.name, sent.data, now, max_rows, progress)
        except RosterFileError as exc:
            return exc

    async def then(ctx: Context, report: ImportReport | RosterFileError) -> None:
        if isinstance(report, RosterFileError):
            ctx.end()
            ctx.reply(str(report))
            return
        if not report.rows or len(report.rejected) == report.rows:
            await uploads.discard(ctx.tx, ctx.actor.user_id)
            ctx.end()
            ctx.reply(report_text(report), document=rejections_file(report))
            return
        await uploads.keep(ctx.tx, ctx.actor.user_id, sent.name, sent.data, now)
        ctx.go(CONFIRM)
        ctx.reply(
            report_text(report)
            + "\n\n"
            + _(
                'Nothing is written yet. Import it? Type "đồng ý" (or ok) to import, '
                '"huỷ" to drop.'
            ),
            choices=_yes_no_choices(),
            document=rejections_file(report),
        )

    ctx.defer(work, then)


@router.action("roster.confirm", roles=ADMIN, states=[CONFIRM])
async def confirm(ctx: Context) -> None:
    """Imports the previewed file, in short steps after this message's transaction.

    The flow and the kept file stay until the last step is written: if a step fails (or
    the bot stops), the admin is told, and confirming again finishes the import.
    """
    upload = await uploads.waiting(ctx.tx, ctx.actor.user_id)
    if upload is None:
        ctx.end()
        ctx.reply(_("There is no roster file waiting. Send the file again."))
        return
    name, data = upload
    now, progress = ctx.now(), _progress(ctx, _("Importing the roster: {percent}%"))
    actor = ctx.actor
    max_rows = ctx.settings.roster_max_rows

    async def work(db: Database) -> ImportReport | RosterFileError:
        try:
            return await uploads.write(db, actor, name, data, now, max_rows, progress)
        except RosterFileError as exc:
            return exc

    ctx.defer(work, _imported)


async def _imported(ctx: Context, report: ImportReport | RosterFileError) -> None:
    if isinstance(report, ImportReport) and report.interrupted:
        ctx.reply(
            _(
                "The import stopped after {done} of {total} people were written; nothing "
                'else is lost. Type "đồng ý" (or ok) to finish it, "huỷ" to stop here.'
            ).format(
                done=format_number(report.written),
                total=format_number(report.imported + report.updated),
            ),
            choices=_yes_no_choices(),
        )
        return
    ctx.end()
    await uploads.discard(ctx.tx, ctx.actor.user_id)
    ctx.reply(str(report) if isinstance(report, RosterFileError) else report_text(report))


@router.action("roster.discard", roles=ADMIN, states=[CONFIRM])
async def discard(ctx: Context) -> None:
    """Drops the previewed file."""
    ctx.end()
    await uploads.discard(ctx.tx, ctx.actor.user_id)
    ctx.reply(_("Nothing was imported."))


@router.state(CONFIRM, roles=ADMIN)
async def typed_answer(ctx: Context) -> None:
    """A yes ("đồng ý", "đúng", "ok", "ừ") imports, a no ("không") drops; else ask again."""
    answer = yes_no(ctx.text)
    if answer is True or ctx.folded in YES_WORDS:
        await confirm(ctx)
    elif answer is False or ctx.folded in NO_WORDS:
        await discard(ctx)
    else:
        ctx.reply(
            _('Type "đồng ý" (or ok) to import the file, or "huỷ" to drop it.'),
            choices=_yes_no_choices(),
        )


def _yes_no_choices() -> list[Choice]:
    return [
        Choice(_("Import"), "roster.confirm", "yes"),
        Choice(_("Do not import"), "roster.discard", "no"),
    ]


def _progress(ctx: Context, text: str) -> Callable[[float], None] | None:
    """The share done, shown in the chat (where the channel can) with `text` ({percent})."""
    sink = ctx.inbound.progress
    if sink is None:
        return None
    return lambda share: sink(share, text)


def report_text(report: roster_import.ImportReport) -> str:
    """The preview (dry run) or the result: counts, villages not on file, then problems."""
    counts = _(
        "{rows} rows, {new} new people, {updated} updated, {same} unchanged, {bad} rejected."
    ).format(
        rows=format_number(report.rows),
        new=format_number(report.imported),
        updated=format_number(report.updated),
        same=format_number(report.unchanged),
        bad=format_number(len(report.rejected)),
    )
    head = _("Preview of the roster file:") if report.dry_run else _("Roster imported:")
    lines = [f"{head} {counts}"]
    if report.warnings:
        lines.append(
            _("{n} cells left out (the people are imported):").format(
                n=format_number(len(report.warnings))
            )
        )
        for warned in report.warnings[:REPORT_LINES]:
            lines.append(_("Line {line}: {reason}").format(line=warned.line, reason=warned.reason))
    for place in report.unknown:
        lines.append(_unknown_line(place))
    for rejected in report.rejected[:REPORT_LINES]:
        lines.append(_("Line {line}: {reason}").format(line=rejected.line, reason=rejected.reason))
    if len(report.rejected) > REPORT_LINES or len(report.warnings) > REPORT_LINES:
        lines.append(_("Every rejected row and left-out cell is in the attached file."))
    if report.unknown_places:
        lines.append(
            _(
                "Villages are created only by the command line: "
                "troly06 import-roster FILE --create-places"
            )
        )
    return "\n".join(lines)


def _unknown_line(place: roster_import.UnknownPlace) -> str:
    if place.closest:
        return _("Village not on file: {name} ({rows} rows). Did you mean {closest}?").format(
            name=place.name, rows=format_number(place.rows), closest=place.closest
        )
    return _("Village not on file: {name} ({rows} rows).").format(
        name=place.name, rows=format_number(place.rows)
    )


def rejections_file(report: roster_import.ImportReport) -> Attachment | None:
    """All rejected rows and left-out cells as a CSV (with BOM), when they do not fit."""
    if len(report.rejected) <= REPORT_LINES and len(report.warnings) <= REPORT_LINES:
        return None
    problems = sorted([*report.rejected, *report.warnings], key=lambda r: r.line)
    rows = ((r.line, r.reason) for r in problems)
    return Attachment("dong-bi-loai.csv", csv_bytes([_("Line"), _("Reason")], rows), CSV_MIME)
