"""Sending what fell due: through the outbox, once, never in quiet hours, missed if too late.

A run handles a batch of due reminders with a few queries for the whole batch (who gets
them, who booked meanwhile, who no longer needs a visit), so thousands falling due together
go out within a second; each message is an outbox row keyed by its reminder id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import use_locale
from bot.core.reply import Choice
from bot.services import outbox
from bot.services.outbox import Outgoing
from bot.services.reminders import texts
from bot.services.reminders.planning import Kind
from bot.services.reminders.policy import Policy, default_policy
from bot.storage import reminders as store
from bot.storage.booking import OpenSlot

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


@dataclass
class _Batch:
    """What the reminders of one run need to know, loaded together."""

    by_user: dict[int, store.Recipient]
    by_person: dict[int, store.Recipient]
    states: dict[int, store.PersonState]
    booked_by_user: dict[int, datetime]
    booked_for_person: dict[int, datetime]
    slots: dict[int | None, list[OpenSlot]] = field(default_factory=dict)

    @classmethod
    async def load(cls, tx: AsyncConnection, rows: list[store.ReminderRow]) -> _Batch:
        user_ids = [r.user_id for r in rows if r.user_id is not None]
        person_ids = [r.person_id for r in rows if r.person_id is not None]
        by_user, by_person = await store.recipients(tx, user_ids, person_ids)
        linked = person_ids + [r.person_id for r in by_user.values() if r.person_id]
        every_user = list({*user_ids, *(r.user_id for r in by_person.values())})
        return cls(
            by_user,
            by_person,
            await store.person_states(tx, linked),
            *await store.latest_bookings(tx, every_user, linked),
        )

    def recipient(self, row: store.ReminderRow) -> store.Recipient | None:
        if row.user_id is not None:
            return self.by_user.get(row.user_id)
        return self.by_person.get(row.person_id or 0)

    def booked_since(self, user_id: int, person_id: int | None, since: datetime) -> bool:
        latest = [self.booked_by_user.get(user_id), self.booked_for_person.get(person_id or 0)]
        return any(moment is not None and moment >= since for moment in latest)


@dataclass(frozen=True)
class _Message:
    reminder_id: int
    user_id: int
    text: str
    choices: list[Choice]


async def run_due(
    tx: AsyncConnection, now: datetime, policy: Policy | None = None, limit: int = 500
) -> Fired:
    """Handle up to `limit` reminders due by `now`; the caller commits."""
    policy = policy or default_policy()
    fired = Fired()
    live: list[store.ReminderRow] = []
    quiet_until = policy.out_of_quiet(now)
    for row in await store.due(tx, now, limit):
        if row.due_at < now - policy.grace:
            fired.missed.append(row.id)
        elif quiet_until > now:
            await store.move(tx, row.id, quiet_until)
            fired.deferred += 1
        else:
            live.append(row)
    messages = await _compose_all(tx, live, now, fired)
    fired.sent.extend(await _enqueue(tx, messages, now))
    fired.skipped.extend(m.reminder_id for m in messages if m.reminder_id not in fired.sent)
    await store.mark(tx, fired.sent, "sent", now)
    for status in ("missed", "cancelled", "skipped"):
        await store.mark(tx, getattr(fired, status), status)
    if fired.missed:
        logger.warning("reminders missed (past the grace): %s", len(fired.missed))
    return fired


async def _compose_all(
    tx: AsyncConnection, rows: list[store.ReminderRow], now: datetime, fired: Fired
) -> list[_Message]:
    if not rows:
        return []
    batch = await _Batch.load(tx, rows)
    messages = []
    for row in rows:
        recipient = batch.recipient(row)
        if recipient is None:
            fired.skipped.append(row.id)
            continue
        with use_locale(recipient.locale or "vi"):
            if row.kind in (Kind.RETURN_DAY, Kind.FOLLOW_UP):
                composed = await _return_message(tx, row, recipient, batch, now)
            else:
                composed = await _booking_message(tx, row, now)
        if composed is None:
            fired.cancelled.append(row.id)
        else:
            messages.append(_Message(row.id, recipient.user_id, *composed))
    return messages


async def _return_message(
    tx: AsyncConnection,
    row: store.ReminderRow,
    recipient: store.Recipient,
    batch: _Batch,
    now: datetime,
) -> tuple[str, list[Choice]] | None:
    person_id = row.person_id or recipient.person_id
    state = batch.states.get(person_id) if person_id is not None else None
    if state is not None and not state.needs_visit:
        return None
    if batch.booked_since(recipient.user_id, person_id, row.created_at):
        return None
    village_id = state.village_id if state is not None else None
    if village_id not in batch.slots:
        batch.slots[village_id] = await open_slots(tx, village_id, now)
    slots = batch.slots[village_id]
    choices = [Choice(texts.slot_label(s), OFFER_ACTION, str(s.slot_id)) for s in slots]
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


async def _enqueue(tx: AsyncConnection, messages: list[_Message], now: datetime) -> list[int]:
    """Queue the messages in one insert; returns the ids of the reminders that had a chat."""
    outgoing = [
        Outgoing(m.user_id, outbox_key(m.reminder_id), m.text, tuple(m.choices), now)
        for m in messages
    ]
    queued, _ = await outbox.enqueue_many(tx, outgoing, now)
    ids = {outbox_key(m.reminder_id): m.reminder_id for m in messages}
    return [ids[m.key] for m in queued]


async def open_slots(tx: AsyncConnection, village_id: int | None, now: datetime) -> list[OpenSlot]:
    """The next open slots, nearest to the village first (any village if not known)."""
    from bot.services import booking  # a sibling area; imported late to keep start-up light

    return list(
        await booking.next_open_slots(tx, village_id=village_id, now=now, limit=SLOT_OFFERS)
    )
