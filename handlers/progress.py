"""Progress (/progress): shares per village and commune against the target, and a chart."""

from __future__ import annotations

import asyncio

from bot.core.context import Context
from bot.core.i18n import format_number, format_percent, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Attachment
from bot.core.router import Router
from bot.services import progress as service
from bot.services.identity import Role
from bot.services.missing import MIN_AGE, local_today
from bot.services.progress import CommuneProgress, Tally

router = Router("progress")
STAFF = [Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN]
router.menu(lazy_gettext("Progress"), "progress.show", roles=STAFF, order=33)

MAX_VILLAGE_LINES = 40  # beyond this, only the communes are listed (the chart has the rest)


@router.command("progress", roles=STAFF, description=lazy_gettext("Progress against the target"))
@router.action("progress.show", roles=STAFF)
async def show_progress(ctx: Context) -> None:
    """Shows the progress of the villages the actor covers, as text and as a chart."""
    communes = await service.progress(ctx.tx, ctx.actor, local_today(ctx.now()))
    if not communes:
        ctx.reply(_("No village is assigned to you yet. Ask the commune police."))
        return
    ctx.reply(render(communes))
    png = await asyncio.to_thread(service.render_chart, communes)
    ctx.reply(_("Chart of progress"), photo=Attachment("tien-do.png", png, "image/png"))


def render(communes: list[CommuneProgress]) -> str:
    """Each commune's totals and target, then a line per village."""
    many = sum(len(c.villages) for c in communes) > MAX_VILLAGE_LINES
    blocks = []
    for commune in communes:
        lines = [_commune_header(commune), *_tally_lines(commune.tally)]
        if not many:
            lines += [_village_line(v.info.name, v.tally) for v in commune.villages]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _commune_header(commune: CommuneProgress) -> str:
    header = _("{commune} ({villages} villages)").format(
        commune=commune.name, villages=len(commune.villages)
    )
    if commune.target_share is None:
        return header + "\n" + _("No target set.")
    target = _("Target: {share} with a level 2 account.").format(
        share=format_percent(commune.target_share)
    )
    if commune.still_needed:
        target += " " + _("{n} more people needed.").format(n=format_number(commune.still_needed))
    else:
        target += " " + _("Reached!")
    return header + "\n" + target


def _tally_lines(tally: Tally) -> list[str]:
    counted = format_number(tally.counted)
    return [
        _("Level 2 account: {done} of {counted} ({share})").format(
            done=format_number(tally.with_level2),
            counted=counted,
            share=format_percent(tally.level2_share),
        ),
        _("Chip ID card: {done} of {counted} ({share})").format(
            done=format_number(tally.with_card),
            counted=counted,
            share=format_percent(tally.card_share),
        ),
        _(
            "Present {present} · away {away} · moved away {moved} · objective cases {exempt} · "
            "under {age} (not counted) {young}"
        ).format(
            present=format_number(tally.present),
            away=format_number(tally.away),
            moved=format_number(tally.moved),
            exempt=format_number(tally.exempt),
            age=MIN_AGE,
            young=format_number(tally.too_young),
        ),
    ]


def _village_line(name: str, tally: Tally) -> str:
    return _("• {village}: level 2 {level2}, card {card} of {counted} people").format(
        village=name,
        level2=format_percent(tally.level2_share),
        card=format_percent(tally.card_share),
        counted=format_number(tally.counted),
    )
