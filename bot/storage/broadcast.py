"""Broadcast rows: audiences from the roster, the recipient snapshot, replies, outbox counts."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, delete, exists, func, insert, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.sql import upsert
from bot.storage.tables.broadcast import broadcast_recipients, broadcast_replies, broadcasts
from bot.storage.tables.core import (
    boats,
    chat_identities,
    households,
    outbox,
    persons,
    users,
    villages,
)

ACTIVE = ("scheduled", "sending")  # broadcast statuses still waiting for their report
UNSENT = ("pending", "sending")  # outbox statuses of messages not settled yet
NOT_RESIDENT = ("moved", "exempt")
MISSED = ("failed", "blocked", None)  # None: a chat, but no message in the outbox


@dataclass(frozen=True)
class AudienceRow:
    """One roster person of the audience and, when linked, where to write to them."""

    person_id: int
    household_id: int
    user_id: int | None
    identity_id: int | None
    channel: str | None
    chat_id: str | None
    reachable: bool
    locale: str | None

    @property
    def has_chat(self) -> bool:
        return self.identity_id is not None and self.reachable


@dataclass(frozen=True)
class BroadcastRow:
    id: int
    author_user_id: int
    text: str
    audience: dict[str, Any]
    session_id: int | None
    with_replies: bool
    status: str
    scheduled_at: datetime
    created_at: datetime
    finished_at: datetime | None
    replies_notified: int


@dataclass(frozen=True)
class NotReachedRow:
    """A person of the audience the chat did not reach: no chat, blocked, or failed."""

    village: str
    household_code: str
    address: str
    full_name: str
    birth_year: int | None
    phone: str | None
    outbox_status: str | None  # None: no chat at all


_BROADCAST_COLUMNS = (
    broadcasts.c.id,
    broadcasts.c.author_user_id,
    broadcasts.c.text,
    broadcasts.c.audience,
    broadcasts.c.session_id,
    broadcasts.c.with_replies,
    broadcasts.c.status,
    broadcasts.c.scheduled_at,
    broadcasts.c.created_at,
    broadcasts.c.finished_at,
    broadcasts.c.replies_notified,
)


async def audience(
    tx: AsyncConnection,
    *,
    village_ids: Iterable[int],
    kind: str,
    date_from: date | None = None,
    date_to: date | None = None,
    born_by: int | None = None,
) -> list[AudienceRow]:
    """The roster people of `village_ids` matching `kind` (all, missing, returning).

    "missing" counts only people born by `born_by` (old enough for the card), as /missing.
    """
    stmt = (
        select(
            persons.c.id,
            persons.c.household_id,
            users.c.id,
            chat_identities.c.id,
            chat_identities.c.channel,
            chat_identities.c.chat_id,
            chat_identities.c.unreachable_at.is_(None),
            users.c.locale,
        )
        .select_from(
            persons.join(households, households.c.id == persons.c.household_id)
            .outerjoin(users, users.c.person_id == persons.c.id)
            .outerjoin(chat_identities, chat_identities.c.id == users.c.last_identity_id)
        )
        .where(
            households.c.village_id.in_(list(village_ids)),
            persons.c.status.notin_(NOT_RESIDENT),
        )
        .order_by(persons.c.id)
    )
    if kind == "missing":
        stmt = stmt.where(or_(not_(persons.c.has_id_card), not_(persons.c.has_eid_level2)))
        if born_by is not None:
            stmt = stmt.where(or_(persons.c.birth_year.is_(None), persons.c.birth_year <= born_by))
    elif kind == "returning":
        stmt = stmt.outerjoin(boats, boats.c.id == persons.c.boat_id).where(
            or_(
                persons.c.away_until.between(date_from, date_to),
                boats.c.return_on.between(date_from, date_to),
            )
        )
    rows = await tx.execute(stmt)
    return [AudienceRow(*row[:6], bool(row[6]), row[7]) for row in rows]


async def not_resident(tx: AsyncConnection, village_ids: Iterable[int]) -> dict[str, int]:
    """How many people of the villages are marked moved or exempt, by status."""
    rows = await tx.execute(
        select(persons.c.status, func.count())
        .select_from(persons.join(households, households.c.id == persons.c.household_id))
        .where(
            households.c.village_id.in_(list(village_ids)),
            persons.c.status.in_(NOT_RESIDENT),
        )
        .group_by(persons.c.status)
    )
    return {status: int(count) for status, count in rows}


async def insert_broadcast(tx: AsyncConnection, values: dict[str, Any]) -> int:
    result = await tx.execute(insert(broadcasts).values(**values))
    return int(result.inserted_primary_key[0])


async def insert_recipients(tx: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        await tx.execute(insert(broadcast_recipients), list(rows))


async def find(tx: AsyncConnection, broadcast_id: int) -> BroadcastRow | None:
    row = (
        await tx.execute(select(*_BROADCAST_COLUMNS).where(broadcasts.c.id == broadcast_id))
    ).first()
    return BroadcastRow(*row) if row else None


async def recent(
    tx: AsyncConnection, limit: int, before_id: int | None = None
) -> list[BroadcastRow]:
    """The latest broadcasts, newest first (older than `before_id`, to page on)."""
    query = select(*_BROADCAST_COLUMNS).order_by(broadcasts.c.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(broadcasts.c.id < before_id)
    return [BroadcastRow(*row) for row in await tx.execute(query)]


async def outbox_counts(tx: AsyncConnection, broadcast_id: int) -> dict[str, int]:
    """How many of the broadcast's messages are in each outbox status."""
    rows = await tx.execute(
        select(outbox.c.status, func.count())
        .where(outbox.c.broadcast_id == broadcast_id)
        .group_by(outbox.c.status)
    )
    return {status: int(n) for status, n in rows}


async def recipient_counts(tx: AsyncConnection, broadcast_id: int) -> tuple[int, int]:
    """(people in the audience, of whom without a chat)."""
    row = (
        await tx.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((broadcast_recipients.c.has_chat, 0), else_=1)), 0),
            ).where(broadcast_recipients.c.broadcast_id == broadcast_id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def reply_counts(tx: AsyncConnection, broadcast_id: int) -> dict[str, int]:
    rows = await tx.execute(
        select(broadcast_replies.c.answer, func.count())
        .where(broadcast_replies.c.broadcast_id == broadcast_id)
        .group_by(broadcast_replies.c.answer)
    )
    return {answer: int(n) for answer, n in rows}


async def is_recipient(tx: AsyncConnection, broadcast_id: int, user_id: int) -> bool:
    return bool(
        await tx.scalar(
            select(
                exists().where(
                    broadcast_recipients.c.broadcast_id == broadcast_id,
                    broadcast_recipients.c.user_id == user_id,
                )
            )
        )
    )


async def reply_of(tx: AsyncConnection, broadcast_id: int, user_id: int) -> str | None:
    return await tx.scalar(
        select(broadcast_replies.c.answer).where(
            broadcast_replies.c.broadcast_id == broadcast_id,
            broadcast_replies.c.user_id == user_id,
        )
    )


async def save_reply(
    tx: AsyncConnection, broadcast_id: int, user_id: int, answer: str, now: datetime
) -> None:
    await upsert(
        tx,
        broadcast_replies,
        {"broadcast_id": broadcast_id, "user_id": user_id, "answer": answer, "answered_at": now},
        keys=["broadcast_id", "user_id"],
    )


async def set_replies_notified(tx: AsyncConnection, broadcast_id: int, count: int) -> bool:
    """Record that the author was told about `count` replies; False if already told about more."""
    result = await tx.execute(
        update(broadcasts)
        .where(broadcasts.c.id == broadcast_id, broadcasts.c.replies_notified < count)
        .values(replies_notified=count)
    )
    return result.rowcount == 1


async def start_due(tx: AsyncConnection, now: datetime) -> None:
    """Scheduled broadcasts whose time has come are now sending."""
    await tx.execute(
        update(broadcasts)
        .where(broadcasts.c.status == "scheduled", broadcasts.c.scheduled_at <= now)
        .values(status="sending")
    )


async def settled(tx: AsyncConnection, now: datetime) -> list[int]:
    """Ids of due, unfinished broadcasts that have no message left to send."""
    unsent = exists().where(outbox.c.broadcast_id == broadcasts.c.id, outbox.c.status.in_(UNSENT))
    rows = await tx.execute(
        select(broadcasts.c.id).where(
            broadcasts.c.status.in_(ACTIVE), broadcasts.c.scheduled_at <= now, not_(unsent)
        )
    )
    return [int(row[0]) for row in rows]


async def finish(tx: AsyncConnection, broadcast_id: int, status: str, now: datetime) -> bool:
    """Close an active broadcast as `status` (done or cancelled); False if it was not active."""
    result = await tx.execute(
        update(broadcasts)
        .where(broadcasts.c.id == broadcast_id, broadcasts.c.status.in_(ACTIVE))
        .values(status=status, finished_at=now)
    )
    return result.rowcount == 1


async def drop_unsent(tx: AsyncConnection, broadcast_id: int) -> int:
    """Remove the broadcast's messages still waiting in the outbox (a claimed one may go)."""
    result = await tx.execute(
        delete(outbox).where(outbox.c.broadcast_id == broadcast_id, outbox.c.status == "pending")
    )
    return result.rowcount


async def not_reached(
    tx: AsyncConnection, broadcast_id: int, village_ids: Iterable[int]
) -> list[NotReachedRow]:
    """People of the audience in `village_ids` with no chat, or whose message did not arrive.

    The outbox statuses are read apart and matched here: joining the outbox on its
    broadcast index would scan the broadcast's rows once per recipient.
    """
    statuses = dict(
        (
            await tx.execute(
                select(outbox.c.user_id, outbox.c.status).where(
                    outbox.c.broadcast_id == broadcast_id
                )
            )
        ).all()
    )
    rows = await tx.execute(
        select(
            villages.c.name,
            households.c.code,
            households.c.address,
            persons.c.full_name,
            persons.c.birth_year,
            persons.c.phone,
            broadcast_recipients.c.user_id,
            broadcast_recipients.c.has_chat,
        )
        .select_from(
            broadcast_recipients.join(persons, persons.c.id == broadcast_recipients.c.person_id)
            .join(households, households.c.id == broadcast_recipients.c.household_id)
            .join(villages, villages.c.id == households.c.village_id)
        )
        .where(
            broadcast_recipients.c.broadcast_id == broadcast_id,
            households.c.village_id.in_(list(village_ids)),
        )
        .order_by(villages.c.name, households.c.code, persons.c.id)
    )
    out: list[NotReachedRow] = []
    for *person, user_id, has_chat in rows:
        status = statuses.get(user_id) if has_chat else None
        if not has_chat or status in MISSED:
            out.append(NotReachedRow(*person, status))
    return out


async def village_names(tx: AsyncConnection, village_ids: Iterable[int]) -> dict[int, str]:
    rows = await tx.execute(
        select(villages.c.id, villages.c.name).where(villages.c.id.in_(list(village_ids)))
    )
    return {int(vid): name for vid, name in rows}
