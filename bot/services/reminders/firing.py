"""Sending what fell due: through the outbox, once, never in quiet hours, missed if too late."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import use_locale
from bot.core.reply import Choice
from bot.services import outbox
from bot.services.reminders import texts
from bot.services.reminders.planning import Kind
from bot.services.reminders.policy import Policy, default_policy
from bot.storage import reminders as store

logger = logging.getLogger(__name__)

SLOT_OFFERS = 3
OFFER_ACTION = "booking.offer_slot"


@dataclass
class Fired:
    sent: list[int] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    deferred: int = 0

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.missed) + len(self.cancelled) + len(self.skipped)


def outbox_key(reminder_id: int) -> str:
    """The outbox key of a reminder: the same reminder can never be queued twice."""
    return f"rem:{reminder_id}"


async def run_due(
    tx: AsyncConnection, now: datetime, policy: Policy | None = None, limit: int = 500
) -> Fired:
    """Handle up to `limit` reminders due by `now`; the caller commits."""
    policy = policy or default_policy()
    fired = Fired()
    rows = await store.due(tx, now, limit)
    quiet_until = policy.out_of_quiet(now)
    for row in rows:
        if row.due_at < now - policy.grace:
            fired.missed.append(row.id)
        elif quiet_until > now:
            await store.move(tx, row.id, quiet_until)
            fired.deferred += 1
        else:
            getattr(fired, await _deliver(tx, row, now)).append(row.id)
    await store.mark(tx, fired.sent, "sent", now)
    for status in ("missed", "cancelled", "skipped"):
        await store.mark(tx, getattr(fired, status), status)
    if fired.missed:
        logger.warning("reminders missed (past the grace): %s", len(fired.missed))
    return fired


async def _deliver(tx: AsyncConnection, row: store.ReminderRow, now: datetime) -> str:
    """Queue one reminder; returns the list it belongs to (sent, cancelled, skipped)."""
    recipient = await store.recipient(tx, user_id=row.user_id, person_id=row.person_id)
    if recipient is None:
        return "skipped"
    with use_locale(recipient.locale or "vi"):
        if row.kind in (Kind.RETURN_DAY, Kind.FOLLOW_UP):
            message = await _return_message(tx, row, recipient, now)
        else:
            message = await _booking_message(tx, row, now)
    if message is None:
        return "cancelled"
    text, choices = message
    queued = await outbox.enqueue(
        tx,
        user_id=recipient.user_id,
        key=outbox_key(row.id),
        text=text,
        now=now,
        choices=choices,
    )
    return "sent" if queued else "skipped"


async def _return_message(
    tx: AsyncConnection, row: store.ReminderRow, recipient: store.Recipient, now: datetime
) -> tuple[str, list[Choice]] | None:
    person_id = row.person_id or recipient.person_id
    state = await store.person_state(tx, person_id) if person_id is not None else None
    if state is not None and not state.needs_visit:
        return None
    if await store.has_booked_since(
        tx, user_id=recipient.user_id, person_id=person_id, since=row.created_at
    ):
        return None
    slots = await open_slots(tx, state.village_id if state else None, now)
    choices = [Choice(texts.slot_label(s), OFFER_ACTION, str(s.id)) for s in slots]
    text = texts.return_day(slots) if row.kind == Kind.RETURN_DAY else texts.follow_up(slots)
    return text, choices


async def _booking_message(
    tx: AsyncConnection, row: store.ReminderRow, now: datetime
) -> tuple[str, list[Choice]] | None:
    booking = await store.booking_brief(tx, row.booking_id or 0)
    if booking is None or booking.status != "confirmed" or booking.starts_at <= now:
        return None
    if row.kind == Kind.BOOKING_EVE:
        return texts.booking_eve(booking.starts_at), []
    return texts.booking_soon(booking.starts_at), []


async def open_slots(tx: AsyncConnection, village_id: int | None, now: datetime) -> list[Any]:
    """The next open slots for the village, from the booking service (none if unknown)."""
    if village_id is None:
        return []
    from bot.services import booking  # a sibling area; imported late to keep start-up light

    finder = getattr(booking, "next_open_slots", None)
    if finder is None:
        return []
    return list(await finder(tx, village_id=village_id, now=now, limit=SLOT_OFFERS))
