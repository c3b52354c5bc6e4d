"""Messages the booking service sends on its own: through the outbox, in the reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import format_time, use_locale
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services import outbox
from bot.services.booking import texts
from bot.storage import booking as store
from bot.storage import identities


async def send(
    tx: AsyncConnection,
    user_id: int,
    key: str,
    now: datetime,
    build: object,
) -> bool:
    """Queue the message `build()` makes, built in the recipient's language."""
    locale = await identities.user_locale(tx, user_id) or "vi"
    with use_locale(locale):
        text, choices = build()  # type: ignore[operator]
    return await outbox.enqueue(tx, user_id=user_id, key=key, text=text, now=now, choices=choices)


def slot_choices(options: Sequence[store.OpenSlot]) -> list[Choice]:
    """One "book this" choice per open slot (action booking.offer_slot)."""
    return [
        Choice(
            f"{texts.when(o.starts_at, o.ends_at)} · {o.point_name}",
            "booking.offer_slot",
            str(o.slot_id),
        )
        for o in options
    ]


def cancelled_session(
    booking: store.Booking, options: Sequence[store.OpenSlot]
) -> tuple[str, list[Choice]]:
    text = _(
        "Sorry: the session on {when} at {where} has been cancelled, and your booking with it."
    ).format(
        when=texts.when(booking.starts_at, booking.ends_at),
        where=texts.where(booking.point_name, booking.address),
    )
    if options:
        text += "\n" + _("Here are the next free times; pick one to book again:")
    else:
        text += "\n" + _("There is no other session open yet; we will tell you when there is.")
    return text, slot_choices(options)


def moved_session(booking: store.Booking) -> tuple[str, list[Choice]]:
    text = _(
        "Your booking has moved: the session at {where} is now on {when}. "
        "If that time does not suit you, change or cancel it below."
    ).format(
        when=texts.when(booking.starts_at, booking.ends_at),
        where=texts.where(booking.point_name, booking.address),
    )
    return text, [
        Choice(_("Change the time"), "booking.reschedule", str(booking.id)),
        Choice(_("Cancel the booking"), "booking.cancel", str(booking.id)),
    ]


def offer(
    entry_id: int, slot: store.Slot, point: str, expires_at: datetime
) -> tuple[str, list[Choice]]:

    text = _(
        "A place has freed up: {when} at {where}. It is kept for you until {deadline}; "
        "after that it goes to the next person on the waiting list."
    ).format(
        when=texts.when(slot.starts_at, slot.ends_at),
        where=point,
        deadline=format_time(expires_at),
    )
    return text, [
        Choice(_("Take this place"), "booking.accept_offer", str(entry_id)),
        Choice(_("I no longer need it"), "booking.decline_offer", str(entry_id)),
    ]


def offer_expired() -> tuple[str, list[Choice]]:
    return (
        _(
            "The place we kept for you was not taken in time, so it went to the next person. "
            "You can book another time from the menu."
        ),
        [Choice(_("Book a visit"), "booking.start")],
    )


def visit_assigned(when: str, where: str) -> tuple[str, list[Choice]]:
    return (
        _(
            "Your home visit request has been planned: the team 06 round on {when} ({where}). "
            "They will call before they come."
        ).format(when=when, where=where),
        [],
    )
