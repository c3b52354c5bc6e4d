"""The database: WAL and busy timeout on SQLite, migrations applied once, UTC in and out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.storage.db import Database
from bot.storage.tables.core import users


@pytest.mark.engines("sqlite")
async def test_sqlite_runs_in_wal_with_busy_timeout(app: App) -> None:
    async with app.db.read() as tx:
        assert (await tx.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await tx.execute(text("PRAGMA busy_timeout"))).scalar() == 10_000
        assert (await tx.execute(text("PRAGMA foreign_keys"))).scalar() == 1


async def test_migrations_apply_once(settings: Settings, clock: FixedClock) -> None:
    first = await build_app(settings, clock)
    await first.close()
    again = await build_app(settings, clock)  # a second start finds nothing to do
    async with again.db.read() as tx:
        heads = (await tx.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    await again.close()
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from bot.storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    expected = set(ScriptDirectory.from_config(config).get_heads())
    assert sorted(heads) == sorted(expected)  # every branch at its head, each recorded once
    assert len(expected) >= 2


async def test_times_are_stored_utc_and_read_back_aware(app: App) -> None:
    local = datetime(2026, 12, 1, 8, 0, tzinfo=timezone(timedelta(hours=7)))
    async with app.db.write() as tx:
        await tx.execute(users.insert().values(created_at=local))
    async with app.db.read() as tx:
        stored = await tx.scalar(select(users.c.created_at))
        raw = await tx.scalar(text("SELECT created_at FROM users"))
    assert stored == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert str(raw).startswith("2026-12-01 01:00")


async def test_naive_times_are_refused(app: App) -> None:
    with pytest.raises(Exception, match="aware"):
        async with app.db.write() as tx:
            await tx.execute(users.insert().values(created_at=datetime(2026, 1, 1)))  # noqa: DTZ001
    async with app.db.read() as tx:
        assert await tx.scalar(select(users.c.id)) is None


@pytest.mark.engines("sqlite")
async def test_a_write_waits_for_another_process_without_stopping_the_bot(
    app: App, db_url: str
) -> None:
    """BEGIN IMMEDIATE is tried on the event loop; a lock held elsewhere is waited for in the
    thread, so other tasks keep running and the write goes in once the lock is free."""
    import asyncio
    import sqlite3

    from sqlalchemy import insert

    other = sqlite3.connect(db_url.removeprefix("sqlite+aiosqlite:///"), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # as another process writing

    async def write() -> None:
        async with app.db.write() as tx:
            await tx.execute(insert(users).values(created_at=datetime.now(UTC), locale="zz"))

    waiting = asyncio.create_task(write())
    ticks = 0
    for _ in range(5):  # the event loop is free while the write waits
        await asyncio.sleep(0.02)
        ticks += 1
    assert ticks == 5 and not waiting.done()
    other.execute("COMMIT")
    await waiting
    other.close()
    async with app.db.read() as tx:
        assert await tx.scalar(select(users.c.id).where(users.c.locale == "zz")) is not None


async def test_a_failed_message_leaves_nothing_of_its_small_statements(app: App) -> None:
    """The statements run on the event loop are rolled back with the rest of the transaction."""
    from bot.core.inbound import Inbound
    from bot.services import identity

    inbound = Inbound(channel="console", chat_id="gone", user_id="gone", text="hi")
    with pytest.raises(RuntimeError):
        async with app.db.write() as tx:
            await identity.resolve_chat(tx, inbound, datetime.now(UTC))  # creates the user
            raise RuntimeError
    async with app.db.read() as tx:
        assert await identity.locale_of(tx, "console", "gone") is None
        from bot.storage.identities import find_actor

        assert await find_actor(tx, "console", "gone") is None
    async with app.db.write() as tx:  # and the next write goes through
        await identity.resolve_chat(tx, inbound, datetime.now(UTC))
    async with app.db.read() as tx:
        assert await find_actor(tx, "console", "gone") is not None


async def test_a_single_statement_commits_and_leaves_its_connection_transactional(
    app: App, settings: Settings
) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    db = Database(settings.db_url, pool_size=1)  # one connection, handed out again and again
    try:
        async with db.single() as tx:
            await tx.execute(users.insert().values(created_at=now))
            used = tx.sync_connection.connection.dbapi_connection  # type: ignore[union-attr]
        async with db.read() as tx:
            assert await tx.scalar(select(func.count()).select_from(users)) == 1
        with pytest.raises(RuntimeError):
            async with db.write() as tx:
                assert tx.sync_connection.connection.dbapi_connection is used  # type: ignore[union-attr]
                await tx.execute(users.insert().values(created_at=now))
                raise RuntimeError("the message failed")
        async with db.read() as tx:  # the failed write rolled back whole
            assert await tx.scalar(select(func.count()).select_from(users)) == 1
    finally:
        await db.close()
