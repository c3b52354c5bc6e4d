"""Booking a visit, shared by its handlers: who comes, their names, and the summary."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.understand import meaning
from bot.services.booking import (
    reservations,
    texts,
)
from bot.services.booking.rules import (
    MAX_PEOPLE,
    age_on,
    child,
    local_today,
    too_young,
)
from handlers.booking_common import (
    session_line,
)
from handlers.booking_flow_common import (
    CONFIRM,
    PICK_NAMES,
    PICK_PEOPLE,
    BookingFlow,
    ask_service,
    ask_session,
    ask_slot,
    current_session,
    group_size,
)


async def ask_people(ctx: Context, flow: BookingFlow, note: str = "") -> None:
    if flow.rebook_id is not None:
        await ask_confirm(ctx, flow)
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    if len(members) == 1:
        flow.person_ids, flow.people_set = [members[0].person_id], True
        await ask_confirm(ctx, flow)
        return
    ctx.go(PICK_PEOPLE, flow)
    if not members:
        ctx.reply(
            _("How many people will come? Pick, or type a number from 1 to {max}.").format(
                max=MAX_PEOPLE
            ),
            choices=[Choice(str(n), "booking.count", str(n)) for n in range(1, 7)],
        )
        return
    if not flow.person_ids and ctx.actor.person_id is not None:
        flow.person_ids = [ctx.actor.person_id]
        ctx.go(PICK_PEOPLE, flow)
    chosen = set(flow.person_ids)
    today = local_today(ctx.now())
    young = {m.person_id for m in members if too_young(age_on(today, m.birth_year, m.birth_date))}
    ctx.reply(
        "\n".join(
            filter(
                None,
                [
                    note,
                    _("Who will come? Tap a name to add or remove it, then continue."),
                    _("Children under 6 are done online by a parent, not at the desk.")
                    if young
                    else "",
                ],
            )
        ),
        choices=[
            *(
                Choice(
                    ("🚫 " if m.person_id in young else "✅ " if m.person_id in chosen else "⬜ ")
                    + m.full_name,
                    "booking.toggle",
                    str(m.person_id),
                )
                for m in members
            ),
            Choice(
                _("Continue with {count} people").format(count=len(chosen)), "booking.people_done"
            ),
        ],
    )


def ask_names(ctx: Context, flow: BookingFlow, note: str = "") -> None:
    ctx.go(PICK_NAMES, flow)
    ctx.reply(
        "\n".join(
            filter(
                None,
                [
                    note,
                    _(
                        "Type the names of the {count} people, separated by commas, so the "
                        "desk finds you (or skip)."
                    ).format(count=flow.people),
                ],
            )
        ),
        choices=[Choice(_("Skip"), "booking.skip_names")],
    )


async def after_people(ctx: Context, flow: BookingFlow) -> None:
    """Once who comes is known: the summary, or the times again when none is picked yet."""
    if flow.slot_id is None and not flow.wait and flow.session_id is not None:
        session = await current_session(ctx, flow)
        if session is not None:
            await ask_slot(ctx, flow, session)
        return
    await ask_confirm(ctx, flow)


async def has_child(ctx: Context, person_ids: list[int]) -> bool:
    today = local_today(ctx.now())
    return any(
        child(age_on(today, m.birth_year, m.birth_date))
        for m in await reservations.household(ctx.tx, ctx.actor.person_id)
        if m.person_id in person_ids
    )


async def ask_confirm(ctx: Context, flow: BookingFlow) -> None:
    if flow.service is None or flow.session_id is None:
        await ask_service(ctx, BookingFlow())
        return
    session = await reservations.session_info(ctx.tx, flow.session_id, ctx.now())
    slot = await reservations.slot_info(ctx.tx, flow.slot_id) if flow.slot_id else None
    if session is None or (slot is None and not flow.wait):
        await ask_session(ctx, flow, _("That time is no longer offered."))
        return
    if slot is not None and group_size(flow) > slot.free:
        await ask_slot(
            ctx,
            flow,
            session,
            _("That time has only {free} places left for your {count} people.").format(
                free=slot.free, count=group_size(flow)
            ),
        )
        return
    who = (
        _("{count} people from your household").format(count=len(flow.person_ids))
        if flow.person_ids
        else _("{count} people").format(count=flow.people)
    )
    if flow.guest_names and not flow.person_ids:
        who += ": " + ", ".join(flow.guest_names)
    when = texts.when(slot.starts_at, slot.ends_at) if slot else session_line(session)
    lines = [
        _("Join the waiting list?") if flow.wait else _("Please check your booking:"),
        f"• {texts.service_label(flow.service)}",
        f"• {when}",
        f"• {texts.where(session.point_name, session.address)}",
    ]
    if flow.rebook_id is None:
        lines.append(f"• {who}")
    if flow.person_ids and await has_child(ctx, flow.person_ids):
        lines.append(_("Children of 6 to 13 come with a parent."))
    ctx.go(CONFIRM, flow)
    ctx.reply(
        "\n".join(lines),
        choices=[
            Choice(_("Confirm"), "booking.confirm", meaning=meaning.YES),
            *(
                [Choice(_("Add the names of who comes"), "booking.add_names")]
                if not flow.person_ids and flow.rebook_id is None
                else []
            ),
            Choice(_("Pick another time"), "booking.back"),
            Choice(_("Stop, book nothing"), "booking.abort", meaning=meaning.NO),
        ],
    )
