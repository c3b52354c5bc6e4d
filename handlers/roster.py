"""The roster in the chat: staff export lists; picking villages (import: roster_file.py)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_number, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services import export as export_service
from bot.services import missing as missing_service
from bot.services.export import Format, Subset
from bot.services.identity import Role
from bot.services.missing import NotAllowed, VillageInfo
from handlers.roster_common import offer_villages, village_value

router = Router("roster")
STAFF = [Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN]
router.menu(lazy_gettext("Export the list"), "export.start", roles=STAFF, order=34)


# ---------------------------------------------------------------- picking villages


def scope_ids(value: str, villages: list[VillageInfo]) -> list[int] | None:
    """Village ids of a scope value: "v:ID", "c:COMMUNE_ID" (all I cover there) or "all"."""
    kind, _sep, number = value.partition(":")
    if value == "all":
        return [v.village_id for v in villages]
    if not number.isdigit():
        return None
    if kind == "v":
        return [int(number)]  # the service checks the scope
    if kind == "c":
        return [v.village_id for v in villages if v.commune_id == int(number)] or None
    return None


@router.action("roster.commune", roles=STAFF)
async def pick_commune(ctx: Context) -> None:
    """Offers the villages of the picked commune for the action that asked."""
    assert ctx.choice is not None
    action, whole, commune = [*ctx.choice.value.split("|"), "", "", ""][:3]
    villages = [
        v
        for v in await missing_service.my_villages(ctx.tx, ctx.actor)
        if str(v.commune_id) == commune
    ]
    if not villages or action not in ("missing.village", "export.scope"):
        ctx.reply(_("You cannot see that village."))
        return
    offer_villages(ctx, villages, action, _("Which village?"), whole=whole == "1")


# ---------------------------------------------------------------- export


@router.command("export", roles=STAFF, description=lazy_gettext("Export the list (Excel, CSV)"))
@router.action("export.start", roles=STAFF)
async def start_export(ctx: Context) -> None:
    """Asks which villages to export, or goes straight to the formats for a single one."""
    ctx.end()
    villages = await missing_service.my_villages(ctx.tx, ctx.actor)
    if not villages:
        ctx.reply(_("No village is assigned to you yet. Ask the commune police."))
    elif len(villages) == 1:
        offer_formats(ctx, village_value(villages[0].village_id))
    else:
        offer_villages(ctx, villages, "export.scope", _("Export which villages?"), whole=True)


@router.action("export.scope", roles=STAFF)
async def pick_export_scope(ctx: Context) -> None:
    """Offers what to export for the picked villages."""
    assert ctx.choice is not None
    offer_formats(ctx, ctx.choice.value)


def offer_formats(ctx: Context, scope: str) -> None:
    options = [
        (_("Still missing, Excel"), Subset.MISSING, Format.XLSX),
        (_("Still missing, CSV"), Subset.MISSING, Format.CSV),
        (_("Everyone, Excel"), Subset.ALL, Format.XLSX),
        (_("Everyone, CSV"), Subset.ALL, Format.CSV),
    ]
    ctx.reply(
        _("Which list, in which format? The file has whole phone numbers: keep it safe."),
        choices=[
            Choice(label, "export.file", f"{scope}|{subset}|{fmt}")
            for label, subset, fmt in options
        ],
    )


@router.action("export.file", roles=STAFF)
async def send_export(ctx: Context) -> None:
    """Sends the list as a file (the export is logged)."""
    assert ctx.choice is not None
    scope, _sep, rest = ctx.choice.value.partition("|")
    subset, _sep, fmt = rest.partition("|")
    villages = await missing_service.my_villages(ctx.tx, ctx.actor)
    ids = scope_ids(scope, villages)
    if ids is None or subset not in set(Subset) or fmt not in set(Format):
        ctx.reply(_("You cannot see that village."))
        return
    try:
        done = await export_service.export(
            ctx.tx, ctx.actor, ids, Subset(subset), Format(fmt), ctx.now()
        )
    except NotAllowed:
        ctx.reply(_("You cannot see that village."))
        return
    except export_service.TooLarge:
        ctx.reply(_("That is too many people for one file. Export one commune or village."))
        return
    ctx.reply(
        _("The list: {rows} people.").format(rows=format_number(done.rows)),
        document=done.document,
    )
