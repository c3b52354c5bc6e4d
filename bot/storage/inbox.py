"""Rows of the inbox: each update received, from its arrival to its answer.

A row goes new -> handled (the message's effects and its replies committed together, by the
dispatcher's transaction) -> done (the replies were sent). An update nobody could read is
`bad` (kept raw with the error); one dropped by the flood limit is `dropped`. The unique key
(channel, update_key) makes a replayed update a no-op. Each row names the worker holding it
(`worker`): its receiver, then the worker that handled it or took it up; a starting worker takes
up only the rows of workers that are gone (inbox_workers.py), so a live one's are answered once.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Integer,
    String,
    any_,
    bindparam,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from bot.core.reply import Attachment, Choice, Reply
from bot.storage.db import advisory_key, lock_for_transaction
from bot.storage.inbox_workers import gone
from bot.storage.prepared import Prepared
from bot.storage.sql import hot
from bot.storage.tables.inbox import inbox

logger = logging.getLogger(__name__)

NEW, HANDLED, DONE, BAD, DROPPED = "new", "handled", "done", "bad", "dropped"
FLOOD = "flood"

# The inbox worker running this task (set by each of its tasks): `mark_handled` records it, as
# the dispatcher that calls it knows nothing of workers. None: the row keeps its worker.
WORKER: ContextVar[str | None] = ContextVar("inbox_worker", default=None)


class AlreadyHandled(Exception):
    """Another worker handled this row first (one that took it up at its start): roll back."""


class EarlierFirst(Exception):
    """The row's chat has earlier rows still new, another worker's: handle those first."""


@dataclass(frozen=True)
class Received:
    """One update as a channel hands it over, before it is stored."""

    update_key: str
    chat_key: str
    user_key: str
    payload: str  # the update as JSON text
    status: str = NEW
    notice: str = ""


@dataclass(frozen=True)
class Open:
    """A stored row still to handle (`new`) or to answer (`handled`)."""

    id: int
    chat_key: str
    user_key: str
    payload: str
    status: str
    notice: str
    replies: tuple[Reply, ...] = ()


# Built once (they run for every update). One insert for every batch (executemany, its SQL
# compiled once and cached): a multi-row VALUES built per batch was compiled afresh each time,
# a tenth of the intake.
_INSERT = {
    postgres: hot(
        dialect.insert(inbox).on_conflict_do_nothing().returning(inbox.c.id, inbox.c.update_key)
    )
    for postgres, dialect in ((False, sqlite), (True, postgresql))
}
_MARK_HANDLED = Prepared(
    update(inbox)
    .where(inbox.c.id == bindparam("row"), inbox.c.status == NEW)  # a row two workers hold
    .values(
        status=HANDLED,
        replies=bindparam("replies", type_=inbox.c.replies.type),
        handled_at=bindparam("at", type_=inbox.c.handled_at.type),
        worker=func.coalesce(bindparam("worker", type_=String), inbox.c.worker),
    )
)
_MARK_DONE = Prepared(  # SQLite: run for each row, one statement text whatever the batch's size
    update(inbox)
    .where(inbox.c.id == bindparam("row"), or_(inbox.c.status == NEW, inbox.c.status == HANDLED))
    .values(status=DONE, replies=None)
)
_MARK_ALL_DONE = (  # PostgreSQL: the batch in one statement (an executemany is one per row)
    update(inbox)
    .where(
        inbox.c.id == any_(bindparam("rows", type_=postgresql.ARRAY(Integer))),
        or_(inbox.c.status == NEW, inbox.c.status == HANDLED),
    )
    .values(status=DONE, replies=None)
)


ROWS_PER_STATEMENT = 1000  # SQLAlchemy's insertmanyvalues page: more rows, more INSERTs


async def insert_received(
    tx: AsyncConnection,
    channel: str,
    rows: Sequence[Received],
    now: datetime,
    worker: str | None = None,
) -> list[Open]:
    """Store the updates, held by `worker`; returns the new rows (a replayed key is skipped)."""
    if not rows:
        return []
    values = [
        {
            "channel": channel,
            "update_key": row.update_key[:80],
            "chat_key": row.chat_key[:64],
            "user_key": row.user_key[:64],
            "status": row.status,
            "notice": row.notice,
            "payload": row.payload,
            "received_at": now,
            "worker": worker,
        }
        for row in rows
    ]
    statement = _INSERT[tx.dialect.name == "postgresql"]
    inserted = {key: row_id for row_id, key in (await tx.execute(statement, values)).all()}
    by_key = {row.update_key[:80]: row for row in rows}
    return sorted(
        (
            Open(
                row_id,
                by_key[key].chat_key[:64],
                by_key[key].user_key[:64],
                by_key[key].payload,
                by_key[key].status,
                by_key[key].notice,
            )
            for key, row_id in inserted.items()
        ),
        key=lambda row: row.id,
    )


async def mark_handled(
    tx: AsyncConnection, row_id: int, replies: Sequence[Reply], now: datetime
) -> None:
    """The message's effects are in this transaction: keep its replies until they are sent.

    Raises AlreadyHandled when the row is no longer new, so its effects are not made twice.
    """
    result = await _MARK_HANDLED.run(
        tx,
        {"row": row_id, "replies": [_dump(r) for r in replies], "at": now, "worker": WORKER.get()},
    )
    if result.rowcount == 0:
        raise AlreadyHandled(row_id)


_STATUS = select(inbox.c.status).where(inbox.c.id == bindparam("row"))
_EARLIER = inbox.alias("earlier")
_FIRST_IN_CHAT = select(  # the row's status, and whether an earlier row of its chat is still new
    inbox.c.status,
    exists()
    .where(
        _EARLIER.c.status == NEW,
        _EARLIER.c.channel == inbox.c.channel,
        _EARLIER.c.chat_key == inbox.c.chat_key,
        _EARLIER.c.id < inbox.c.id,
        _EARLIER.c.notice == "",  # a flood notice changes nothing: its order does not matter
        inbox.c.chat_key != "",  # updates of no known chat do not wait for one another
    )
    .label("earlier"),
).where(inbox.c.id == bindparam("row"))


# The chat's lock (the one db.lock_for_transaction waits for), tried without waiting.
_TRY_LOCK = func.pg_try_advisory_xact_lock(advisory_key("lock")).label("locked")
_TURN_IF_FREE = {
    False: _FIRST_IN_CHAT.add_columns(_TRY_LOCK),
    True: _STATUS.add_columns(_TRY_LOCK),
}


async def take_turn(tx: AsyncConnection, row_id: int, lock: str, *, ordered: bool) -> None:
    """Hold the chat's lock named `lock` until `tx` ends (PostgreSQL), then check the row's
    turn: AlreadyHandled when it was handled meanwhile (by another worker), EarlierFirst when an
    earlier row of its chat is still new; when `ordered` (its chat's earlier rows were just
    handled here), only whether it is still new.

    When the lock is free this is one statement, the lock tried with the check. That check's
    snapshot may predate a commit the lock's last holder just made: at worst it finds the row
    new when it was just handled (mark_handled finds it handled, and the work is rolled back)
    or an earlier row new that was just handled (the row waits a turn, as if it were new).
    When another transaction holds the lock, this waits for it, then checks."""
    found = (await tx.execute(_TURN_IF_FREE[ordered], {"row": row_id, "lock": lock})).first()
    if found is not None and not found.locked:  # another worker is on the chat: wait for it
        await lock_for_transaction(tx, lock)
        check = _STATUS if ordered else _FIRST_IN_CHAT
        found = (await tx.execute(check, {"row": row_id})).first()
    _check_turn(row_id, found)


def _check_turn(row_id: int, found: Any) -> None:
    if found is not None and getattr(found, "earlier", False):
        raise EarlierFirst(row_id)
    if found is None or found.status != NEW:
        raise AlreadyHandled(row_id)


async def mark_done(tx: AsyncConnection, ids: Sequence[int]) -> None:
    """The replies went out (or there were none): the row is finished."""
    if not ids:
        return
    if tx.dialect.name == "postgresql":
        await tx.execute(_MARK_ALL_DONE, {"rows": list(ids)})
    else:
        await _MARK_DONE.run_many(tx, [{"row": row_id} for row_id in ids])


async def mark_bad(tx: AsyncConnection, row_id: int, error: str, now: datetime) -> None:
    """Nobody could read this update: keep it raw, with why, and never try it again."""
    await tx.execute(
        update(inbox)
        .where(inbox.c.id == row_id)
        .values(status=BAD, error=error[:300], handled_at=now)
    )


_OPEN_COLUMNS = (
    inbox.c.id,
    inbox.c.chat_key,
    inbox.c.user_key,
    inbox.c.payload,
    inbox.c.status,
    inbox.c.notice,
    inbox.c.replies,
)


def _open(row: Any) -> Open:
    """A row read with `_OPEN_COLUMNS`, its stored replies read back."""
    replies = _load_all(row.id, row.replies)
    return Open(row.id, row.chat_key, row.user_key, row.payload, row.status, row.notice, replies)


async def unfinished(tx: AsyncConnection, channel: str) -> list[Open]:
    """Rows a previous run received and did not finish, oldest first."""
    rows = await tx.execute(
        select(*_OPEN_COLUMNS)
        .where(inbox.c.channel == channel, inbox.c.status.in_([NEW, HANDLED]))
        .order_by(inbox.c.id)
    )
    return [_open(r) for r in rows]


async def take_up(tx: AsyncConnection, channel: str, worker: str) -> list[Open]:
    """The channel's unfinished rows `worker` may answer, now held by it, oldest first.

    Those of a live worker are left to it (it may be sending their replies this instant): only
    rows of workers that are gone, of none, or of `worker` itself. On SQLite (one process) every
    unfinished row is left from a previous run.
    """
    where = _unfinished(channel)
    if tx.dialect.name == "postgresql":
        mine = [worker, *await gone_holders(tx, channel, worker)]
        where.append(or_(inbox.c.worker.is_(None), inbox.c.worker.in_(mine)))
    return await _hold(tx, where, worker)


async def gone_holders(tx: AsyncConnection, channel: str, worker: str) -> list[str]:
    """The workers other than `worker` holding unfinished rows of the channel that are gone
    (PostgreSQL; their locks are held until `tx` ends, so no other checker takes them too)."""
    holders = await tx.scalars(select(inbox.c.worker).where(*_unfinished(channel)).distinct())
    return [
        other
        for other in holders.all()
        if other is not None and other != worker and await gone(tx, other)
    ]


async def take_up_of(
    tx: AsyncConnection, channel: str, worker: str, holders: Sequence[str]
) -> list[Open]:
    """The channel's unfinished rows of `holders` (workers found gone), now held by `worker`."""
    if not holders:
        return []
    return await _hold(tx, [*_unfinished(channel), inbox.c.worker.in_(holders)], worker)


def _unfinished(channel: str) -> list[ColumnElement[bool]]:
    return [inbox.c.channel == channel, inbox.c.status.in_([NEW, HANDLED])]


async def _hold(
    tx: AsyncConnection, where: Sequence[ColumnElement[bool]], worker: str
) -> list[Open]:
    # By name, not "all but the live ones": a row another worker took meanwhile now names
    # that worker, and the update finds it no longer matches.
    rows = await tx.execute(
        update(inbox).where(*where).values(worker=worker).returning(*_OPEN_COLUMNS)
    )
    return sorted((_open(r) for r in rows), key=lambda row: row.id)


async def new_up_to(tx: AsyncConnection, channel: str, row: Open) -> list[Open]:
    """The chat's rows up to `row` (itself included) not handled yet, oldest first."""
    rows = await tx.execute(
        select(inbox.c.id, inbox.c.user_key, inbox.c.payload, inbox.c.notice)
        .where(
            inbox.c.status == NEW,
            # a flood notice changes nothing: its order does not matter
            or_(inbox.c.notice == "", inbox.c.id == row.id),
            inbox.c.id <= row.id,
            inbox.c.channel == channel,
            inbox.c.chat_key == row.chat_key,
        )
        .order_by(inbox.c.id)
    )
    return [Open(r.id, row.chat_key, r.user_key, r.payload, NEW, r.notice) for r in rows]


async def purge_finished(tx: AsyncConnection, before: datetime) -> int:
    """Forget finished rows received before `before` (platforms replay within a day)."""
    result = await tx.execute(
        delete(inbox).where(inbox.c.received_at < before, inbox.c.status.in_([DONE, DROPPED]))
    )
    return max(result.rowcount, 0)


async def count_by_status(tx: AsyncConnection, channel: str | None = None) -> dict[str, int]:
    from sqlalchemy import func

    query = select(inbox.c.status, func.count()).group_by(inbox.c.status)
    if channel is not None:
        query = query.where(inbox.c.channel == channel)
    return {status: int(n) for status, n in await tx.execute(query)}


# ---- replies as JSON ------------------------------------------------------------------------


def _attachment(item: Attachment | None) -> dict[str, str] | None:
    if item is None:
        return None
    data = base64.b64encode(item.data).decode("ascii")
    return {"filename": item.filename, "mime_type": item.mime_type, "data": data}


def _dump(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "choices": [[c.label, c.key] for c in reply.choices],
        "photo": _attachment(reply.photo),
        "document": _attachment(reply.document),
        "request_phone": reply.request_phone,
        "edit": reply.edit,
        "notice": reply.notice,
    }


def _restore(item: Any) -> Attachment | None:
    if not isinstance(item, dict):
        return None
    data = base64.b64decode(str(item.get("data", "")))
    return Attachment(str(item.get("filename", "file")), data, str(item.get("mime_type", "")))


def _load(raw: dict[str, Any]) -> Reply:
    return Reply(
        text=str(raw.get("text", "")),
        choices=tuple(Choice(str(label), "", "", str(key)) for label, key in raw["choices"]),
        photo=_restore(raw.get("photo")),
        document=_restore(raw.get("document")),
        request_phone=bool(raw.get("request_phone")),
        edit=bool(raw.get("edit")),
        notice=bool(raw.get("notice")),
    )


def _load_all(row_id: int, raw: Any) -> tuple[Reply, ...]:
    """The stored replies; a malformed entry is skipped (logged), the others still go."""
    replies: list[Reply] = []
    for item in raw if isinstance(raw, list) else []:
        try:
            replies.append(_load(item))
        except (KeyError, TypeError, ValueError):
            logger.warning("inbox row %s: a stored reply could not be read", row_id)
    return tuple(replies)
