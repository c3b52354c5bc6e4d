"""What the flows that show a phone share (the privacy menu, the missing list typed): one
number to call, looked up by name, shown and logged."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services.privacy import reveal
from bot.services.privacy.clean import one_line

CALL_WORDS = ("goi ", "call ")


async def call_typed(ctx: Context) -> None:
    """ "Gọi Nguyễn Văn An" typed: the words after the first name whom to call."""
    await call_by_name(ctx, ctx.text.split(maxsplit=1)[1] if " " in ctx.text else "")


async def call_by_name(ctx: Context, name: str) -> None:
    """The phone of the one person of the actor's villages so named, or whom to pick."""
    found = await reveal.find(ctx.tx, ctx.actor, name)
    if not found:
        ctx.reply(
            _('Nobody with a phone is called "{name}" in your villages.').format(
                name=one_line(name, 40)
            )
        )
        return
    if len(found) == 1:
        await reveal_phone(ctx, found[0].person_id)
        return
    ctx.reply(
        _("Several people match. Whose number?"),
        choices=[
            Choice(f"{p.full_name} · {p.household_code}", "privacy.reveal", str(p.person_id))
            for p in found[: reveal.MAX_MATCHES]
        ],
    )


async def reveal_phone(ctx: Context, person_id: int) -> None:
    """Shows one person's phone to the staff member, logged by the service."""
    found = await reveal.reveal(ctx.tx, ctx.actor, person_id, ctx.now())
    if found is None:
        ctx.reply(_("That person is not in your villages."))
        return
    if not found.phone:
        ctx.reply(_("{name} has no phone number in the list.").format(name=found.full_name))
        return
    ctx.reply(_("{name}: {phone}").format(name=found.full_name, phone=found.phone))
