"""One leader among the workers: a component that runs in whichever process holds a lock.

On PostgreSQL the lock is a session advisory lock held on a connection of its own: when the
leader dies its connection closes, the server drops the lock, and a follower polling every
`retry_s` takes over (within a few seconds). The leader checks its connection as often; if it
is lost, it stops leading before anyone else can start. On SQLite there is one process, and
it leads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.db import Database

logger = logging.getLogger(__name__)

SCHEDULER_LOCK = 0x7472_6F06  # "tro" 06: the advisory lock key of the scheduler leader


class Component(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class Leader:
    """Starts `inner` only while this process holds the lock `key`; stops it when lost."""

    def __init__(
        self, db: Database, inner: Component, *, key: int = SCHEDULER_LOCK, retry_s: float = 2.0
    ) -> None:
        self.db = db
        self.inner = inner
        self.key = key
        self.retry_s = retry_s
        self.leading = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._conn: AsyncConnection | None = None

    async def start(self) -> None:
        if self.db.is_sqlite:
            await self._lead()
            return
        self._task = asyncio.create_task(self._campaign(), name=f"leader-{self.key}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._step_down()

    async def _lead(self) -> None:
        await self.inner.start()
        self.leading.set()
        logger.info("leading: lock %s", self.key)

    async def _step_down(self) -> None:
        if self.leading.is_set():
            self.leading.clear()
            try:
                await self.inner.stop()
            except Exception:
                logger.exception("leader: could not stop cleanly")
        if self._conn is not None:
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):
                await conn.invalidate()  # closes the session, and with it the lock
            with contextlib.suppress(Exception):
                await conn.close()

    async def _campaign(self) -> None:
        while True:
            try:
                if self._conn is None:
                    await self._try_lock()
                else:
                    await self._conn.execute(text("SELECT 1"))
                    await self._conn.commit()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning("leader: lost the database; stepping down", exc_info=True)
                await self._step_down()
            await asyncio.sleep(self.retry_s)

    async def _try_lock(self) -> None:
        conn = await self.db.engine.connect()
        try:
            taken = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
            await conn.commit()
        except BaseException:
            await conn.close()
            raise
        if not taken:
            await conn.close()
            return
        self._conn = conn
        await self._lead()
