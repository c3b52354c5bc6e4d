"""The database: WAL and busy timeout on SQLite, migrations applied once, UTC in and out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
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
