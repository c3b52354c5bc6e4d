"""One scheduler leader among workers: an advisory lock, taken over when its session dies."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from bot.services.leader import Leader
from bot.storage.db import Database


class Counting:
    """A component that records whether it runs."""

    def __init__(self) -> None:
        self.running = False
        self.starts = 0

    async def start(self) -> None:
        self.running = True
        self.starts += 1

    async def stop(self) -> None:
        self.running = False


async def _until(condition: object, within_s: float = 20.0) -> None:
    async def wait() -> None:
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110
            await asyncio.sleep(0.02)

    await asyncio.wait_for(wait(), within_s)


@pytest.mark.engines("postgresql")
async def test_one_worker_leads_and_another_takes_over_when_its_session_dies(
    db_url: str,
) -> None:
    dbs = [Database(db_url) for _ in range(3)]
    inners = [Counting() for _ in dbs]
    leaders = [
        Leader(db, inner, key=4242, retry_s=0.05) for db, inner in zip(dbs, inners, strict=True)
    ]
    try:
        for leader in leaders:
            await leader.start()
        await _until(lambda: sum(i.running for i in inners) == 1)
        await asyncio.sleep(0.3)  # several more polls: still one
        assert sum(i.running for i in inners) == 1
        first = next(n for n, i in enumerate(inners) if i.running)

        # The leader's session is killed (as when its process dies or its link drops).
        async with dbs[first].engine.connect() as conn:
            pid = await conn.scalar(
                text("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242")
            )
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            await conn.commit()
        await _until(lambda: not inners[first].running)  # it steps down on its own
        await _until(lambda: sum(i.running for i in inners) == 1)
        assert not inners[first].running
    finally:
        for leader in leaders:
            await leader.stop()
        for db in dbs:
            await db.close()
    assert not any(i.running for i in inners)


@pytest.mark.engines("sqlite")
async def test_on_sqlite_the_only_process_leads(db_url: str) -> None:
    db = Database(db_url)
    inner = Counting()
    leader = Leader(db, inner)
    await leader.start()
    assert inner.running
    await leader.stop()
    assert not inner.running
    await db.close()
