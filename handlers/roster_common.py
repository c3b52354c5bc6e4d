"""What the staff's list flows share: offering villages (a commune first when several)."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services.missing import VillageInfo


def village_value(village_id: int) -> str:
    return f"v:{village_id}"


def offer_villages(
    ctx: Context, villages: list[VillageInfo], action: str, prompt: str, *, whole: bool
) -> None:
    """Offer villages for `action`; several communes are offered first, one by one."""
    communes = {v.commune_id: v.commune for v in villages}
    if len(communes) > 1:
        choices = [
            Choice(name, "roster.commune", f"{action}|{int(whole)}|{commune_id}")
            for commune_id, name in communes.items()
        ]
        if whole:
            choices.append(Choice(_("Everything I cover"), action, "all"))
        ctx.reply(prompt, choices=choices)
        return
    choices = [Choice(v.name, action, village_value(v.village_id)) for v in villages]
    if whole and len(villages) > 1:
        commune_id, name = next(iter(communes.items()))
        choices.append(
            Choice(_("The whole commune {name}").format(name=name), action, f"c:{commune_id}")
        )
    ctx.reply(prompt, choices=choices)
