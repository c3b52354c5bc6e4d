"""Rows of the outbox: one message to one recipient, sent at most once per key.

A row goes pending -> sending (claimed by the sender, waiting for its turn) -> inflight
(committed just before its request goes out) -> sent | failed | blocked, or back to pending
to be retried. After a crash, `sending` rows were never tried and simply go back; `inflight`
rows are the only ones whose outcome is unknown, except those the dead worker's sent journal
names (the sender's journal.py): those are settled as sent. Each claim names its worker
(`claimed_by`); the workers' leases are in outbox_leases.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.db import lock_for_transaction
from bot.storage.sql import insert_ignore
from bot.storage.tables.core import chat_identities, outbox, users

logger = logging.getLogger(__name__)

PENDING, SENDING, SENT, FAILED, BLOCKED = "pending", "sending", "sent", "failed", "blocked"
INFLIGHT = "inflight"
UNKNOWN = "outcome unknown: the sender died with the request in flight"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    identity_id: int
    channel: str
    chat_id: str
    reachable: bool


async def recipients_of(tx: AsyncConnection, user_ids: Sequence[int]) -> dict[int, Recipient]:
    """Where to write to each user: the identity they used last (users without one left out)."""
    rows = await tx.execute(
        select(
            users.c.id,
            chat_identities.c.id,
            chat_identities.c.channel,
            chat_identities.c.chat_id,
            chat_identities.c.unreachable_at.is_(None),
        )
        .join(chat_identities, chat_identities.c.id == users.c.last_identity_id)
        .where(users.c.id.in_(list(user_ids)))
    )
    return {row[0]: Recipient(*row) for row in rows}


async def insert_messages(tx: AsyncConnection, rows: list[dict[str, Any]]) -> int:
    """Insert outbox rows, skipping keys already there; returns how many were new."""
    return await insert_ignore(tx, outbox, rows)


def message_row(
    *,
    key: str,
    recipient: Recipient,
    text: str,
    now: datetime,
    not_before: datetime,
    choices: list[list[str]] | None = None,
    broadcast_id: int | None = None,
) -> dict[str, Any]:
    return {
        "key": key[:120],
        "user_id": recipient.user_id,
        "identity_id": recipient.identity_id,
        "channel": recipient.channel,
        "chat_id": recipient.chat_id,
        "text": text,
        "payload": {"choices": choices or []},
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": not_before,
        "broadcast_id": broadcast_id,
        "created_at": now,
    }


@dataclass(frozen=True)
class OutboxMessage:
    """A claimed row, ready to send."""

    id: int
    key: str
    identity_id: int
    channel: str
    chat_id: str
    text: str
    choices: tuple[tuple[str, str], ...]  # (label, choice key)
    attempts: int  # including the one being made


def _is_pair(item: Any) -> bool:
    return (
        isinstance(item, list | tuple)
        and len(item) == 2
        and all(isinstance(part, str) and part for part in item)
    )


def _choices_of(row_id: int, payload: Any) -> tuple[tuple[str, str], ...]:
    """The (label, key) pairs of a row's payload; a malformed payload sends no buttons."""
    raw = payload.get("choices", []) if isinstance(payload, dict) else None
    if isinstance(raw, list) and all(_is_pair(item) for item in raw):
        return tuple((item[0], item[1]) for item in raw)
    logger.warning("outbox row %s: malformed choices, sent without buttons", row_id)
    return ()


_MESSAGE_COLUMNS = (
    outbox.c.id,
    outbox.c.key,
    outbox.c.identity_id,
    outbox.c.channel,
    outbox.c.chat_id,
    outbox.c.text,
    outbox.c.payload,
    outbox.c.attempts,
)


def _message_of(row: Any, attempts: int) -> OutboxMessage:
    return OutboxMessage(
        row.id,
        row.key,
        row.identity_id,
        row.channel,
        row.chat_id,
        row.text or "",
        _choices_of(row.id, row.payload),
        attempts,
    )


CLAIM_LOCK = "outbox-claim"  # claims run one at a time across workers (see claim_due)


async def claim_due(
    tx: AsyncConnection,
    channel: str,
    now: datetime,
    limit: int,
    *,
    owner: str = "",
    chat_free_before: datetime | None = None,
) -> list[OutboxMessage]:
    """Claim up to `limit` due pending rows of `channel` for `owner`, oldest first.

    Each claim counts as an attempt, so a row that keeps killing the process is given up.
    Several workers claim at once: rows are taken `FOR UPDATE SKIP LOCKED` on PostgreSQL, and
    a row is left alone while its chat is another worker's (a row of it claimed or in flight
    there) or got a message from another worker after `chat_free_before`. The
    claims themselves take turns (an advisory transaction lock), so two workers never take
    two rows of one chat at the same instant; a worker paces the rows of a chat it holds.
    """
    await lock_for_transaction(tx, CLAIM_LOCK)
    other = outbox.alias("other")
    conditions = [
        other.c.channel == outbox.c.channel,
        other.c.chat_id == outbox.c.chat_id,
    ]
    held_elsewhere = and_(
        other.c.status.in_([SENDING, INFLIGHT]),
        or_(other.c.claimed_by.is_(None), other.c.claimed_by != owner),
    )
    if chat_free_before is not None:  # a worker paces the chats it sent to itself
        sent_elsewhere = and_(
            other.c.sent_at > chat_free_before,
            or_(other.c.claimed_by.is_(None), other.c.claimed_by != owner),
        )
        held_elsewhere = or_(held_elsewhere, sent_elsewhere)
    busy = select(other.c.id).where(*conditions, held_elsewhere).exists()
    query = (
        select(*_MESSAGE_COLUMNS)
        .where(
            outbox.c.status == PENDING,
            outbox.c.channel == channel,
            outbox.c.next_attempt_at <= now,
            ~busy,
        )
        .order_by(outbox.c.next_attempt_at, outbox.c.id)
        .limit(limit)
    )
    if tx.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=outbox)
    rows = (await tx.execute(query)).all()
    if not rows:
        return []
    await tx.execute(
        update(outbox)
        .where(outbox.c.id.in_([row.id for row in rows]), outbox.c.status == PENDING)
        .values(status=SENDING, attempts=outbox.c.attempts + 1, claimed_by=owner or None)
    )
    return [_message_of(row, row.attempts + 1) for row in rows]


async def next_due_at(tx: AsyncConnection, channels: Sequence[str]) -> datetime | None:
    """When the next pending row of these channels falls due (None: nothing pending)."""
    return await tx.scalar(
        select(func.min(outbox.c.next_attempt_at)).where(
            outbox.c.status == PENDING, outbox.c.channel.in_(list(channels))
        )
    )


async def mark_inflight(tx: AsyncConnection, ids: Sequence[int]) -> None:
    """These rows' requests go out now: after a crash, only they may have arrived."""
    if ids:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.status == SENDING)
            .values(status=INFLIGHT)
        )


async def mark_refused(tx: AsyncConnection, ids: Sequence[int]) -> None:
    """The platform refused these requests (429): they did not arrive, and wait to go again."""
    if ids:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.status == INFLIGHT)
            .values(status=SENDING)
        )


async def mark_sent(tx: AsyncConnection, ids: Sequence[int], now: datetime) -> None:
    if ids:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)))
            .values(status=SENT, sent_at=now, last_error=None)
        )


async def mark_retry(tx: AsyncConnection, items: Sequence[tuple[int, datetime, str]]) -> None:
    """Put rows back to pending: (id, when to try again, why it failed)."""
    if items:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"))
            .values(
                status=PENDING,
                next_attempt_at=bindparam("next_at"),
                last_error=bindparam("error"),
            ),
            [{"row_id": i, "next_at": at, "error": err[:200]} for i, at, err in items],
        )


async def mark_failed(tx: AsyncConnection, items: Sequence[tuple[int, str]]) -> None:
    """Give rows up for good: (id, why)."""
    if items:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"))
            .values(status=FAILED, last_error=bindparam("error")),
            [{"row_id": i, "error": err[:200]} for i, err in items],
        )


async def mark_blocked(
    tx: AsyncConnection, ids: Sequence[int], identity_ids: Iterable[int], now: datetime
) -> None:
    """The users blocked the bot: rows blocked, and their chats unreachable until they write."""
    if ids:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)))
            .values(status=BLOCKED, last_error="blocked by the user")
        )
        await tx.execute(
            update(chat_identities)
            .where(chat_identities.c.id.in_(set(identity_ids)))
            .values(unreachable_at=now)
        )


async def release(tx: AsyncConnection, ids: Sequence[int]) -> None:
    """Claimed rows that were never sent go back to pending, as they were."""
    if ids:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id.in_(list(ids)), outbox.c.status == SENDING)
            .values(status=PENDING, attempts=outbox.c.attempts - 1, claimed_by=None)
        )


def _orphan(live: Sequence[str]) -> Any:
    """Claims of no live worker."""
    return or_(outbox.c.claimed_by.is_(None), outbox.c.claimed_by.not_in(list(live)))


async def settle_accepted(
    tx: AsyncConnection, accepted: Mapping[int, datetime], live: Sequence[str]
) -> list[OutboxMessage]:
    """Rows dead workers left in flight that the platform had accepted (id -> when): sent.

    Call before `reclaim_abandoned`, which would send them again. Returns the rows settled.
    """
    if not accepted:
        return []
    rows = (
        await tx.execute(
            select(*_MESSAGE_COLUMNS).where(outbox.c.status == INFLIGHT, _orphan(live))
        )
    ).all()
    settled = [row for row in rows if row.id in accepted]
    if settled:
        await tx.execute(
            update(outbox)
            .where(outbox.c.id == bindparam("row_id"), outbox.c.status == INFLIGHT)
            .values(status=SENT, sent_at=bindparam("at"), last_error=None),
            [{"row_id": row.id, "at": accepted[row.id]} for row in settled],
        )
    return [_message_of(row, row.attempts) for row in settled]


async def reclaim_abandoned(
    tx: AsyncConnection, live: Sequence[str], unknown_not_before: datetime
) -> tuple[int, int]:
    """What dead workers left (claims of an owner not in `live`): (never tried, unknown).

    Both go back to pending. Claimed rows never tried go back as they were; rows in flight are
    sent again (we cannot ask the platform whether they arrived), not before
    `unknown_not_before`, so a chat that just got one is not written to again at once.
    """
    orphan = _orphan(live)
    untried = await tx.execute(
        update(outbox)
        .where(outbox.c.status == SENDING, orphan)
        .values(status=PENDING, attempts=outbox.c.attempts - 1, claimed_by=None)
    )
    unknown = await tx.execute(
        update(outbox)
        .where(outbox.c.status == INFLIGHT, orphan)
        .values(
            status=PENDING, next_attempt_at=unknown_not_before, last_error=UNKNOWN, claimed_by=None
        )
    )
    return max(untried.rowcount, 0), max(unknown.rowcount, 0)


async def count_by_status(tx: AsyncConnection) -> dict[str, int]:
    rows = await tx.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))
    return {status: int(n) for status, n in rows}
