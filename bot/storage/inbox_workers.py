"""Which inbox workers are alive: each holds a PostgreSQL session advisory lock named by its id.

The lock lives on a connection of its own, so when the worker dies (even by kill -9) the
server drops its session and the lock with it; a starting worker that can take the lock
knows the worker is gone and may take up its rows. On SQLite there is one process: no locks.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import socket

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.db import Database, advisory_key

logger = logging.getLogger(__name__)

_HOLD = select(func.pg_try_advisory_lock(advisory_key()))
# Taken only for the checker's transaction: it also keeps two starting workers from both
# deciding a worker is gone at once (the second finds the lock taken and leaves its rows).
_GONE = select(func.pg_try_advisory_xact_lock(advisory_key()))
_PING = text("SELECT 1")


def new_worker_id() -> str:
    """A name for this worker, unique across processes and restarts (fits the 64-char column)."""
    return f"{os.getpid()}-{secrets.token_hex(6)}@{socket.gethostname()}"[:64]


def lock_name(worker: str) -> str:
    """The name of `worker`'s lock (keyed by db.advisory_key)."""
    return f"inbox-worker:{worker}"


async def gone(tx: AsyncConnection, worker: str) -> bool:
    """Whether `worker` no longer holds its lock (PostgreSQL; its lock is held until commit)."""
    return bool(await tx.scalar(_GONE, {"key": lock_name(worker)}))


class Presence:
    """This worker's lock, held on its own connection from `enter` to `leave`."""

    def __init__(self, db: Database, worker: str) -> None:
        self.db = db
        self.worker = worker
        self._conn: AsyncConnection | None = None

    async def enter(self) -> None:
        """Take the lock (nothing on SQLite)."""
        if self.db.is_sqlite or self._conn is not None:
            return
        conn = await self.db.engine.connect()
        try:
            taken = await conn.scalar(_HOLD, {"key": lock_name(self.worker)})
            await conn.commit()  # the session lock outlives the transaction
        except BaseException:
            await conn.close()
            raise
        if not taken:  # only a hash clash with a live worker's id could do this
            await _drop(conn)
            raise RuntimeError(f"inbox worker lock {self.worker} is held by another session")
        self._conn = conn

    async def check(self) -> None:
        """Make sure the lock is still held: after a lost connection, take it again."""
        if self._conn is None:
            if not self.db.is_sqlite:
                await self.enter()
            return
        try:
            await self._conn.execute(_PING)
            await self._conn.commit()
        except Exception:
            logger.warning("inbox worker %s: lost its lock connection; retaking", self.worker)
            conn, self._conn = self._conn, None
            await _drop(conn)
            await self.enter()

    async def leave(self) -> None:
        """Let the lock go: others may take up what this worker left."""
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await _drop(conn)


async def _drop(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.invalidate()  # closes the session, and with it the lock
    with contextlib.suppress(Exception):
        await conn.close()
