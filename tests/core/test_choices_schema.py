"""The choices table after migration 0019: no per-row check of the identity, a cheap purge
index on PostgreSQL, and the migration undone and done again on both engines."""

from __future__ import annotations

from datetime import timedelta

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, text

from bot.app import App
from bot.storage import conversations
from bot.storage.conversations import StoredChoice
from bot.storage.db import MIGRATIONS_DIR

REVISION = "0019_choices_unchecked"


def _schema(sync_conn: Connection) -> tuple[list[str], str]:
    found = inspect(sync_conn)
    keys = [fk["referred_table"] for fk in found.get_foreign_keys("choices")]
    if sync_conn.dialect.name != "postgresql":
        return keys, "btree"
    definition = sync_conn.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_choices_created'")
    )
    return keys, "brin" if " USING brin " in str(definition) else "btree"


def _migrate(sync_conn: Connection, down: bool) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = sync_conn
    if down:
        command.downgrade(config, f"{REVISION}-1")
    else:
        command.upgrade(config, "heads")


async def test_choices_name_their_identity_unchecked_and_are_purged_by_age(app: App) -> None:
    async with app.db.read() as tx:
        keys, method = await tx.run_sync(_schema)
    assert keys == []
    assert method == ("brin" if not app.db.is_sqlite else "btree")
    now = app.clock.now()
    async with app.db.write() as tx:
        old = [StoredChoice("old1", 1, "menu", "", "Cũ", "")]
        await conversations.add_choices(tx, old, now - timedelta(days=40))
        await conversations.add_choices(tx, [StoredChoice("new1", 1, "menu", "", "Mới", "")], now)
    async with app.db.write() as tx:
        assert await conversations.purge_choices(tx, now - timedelta(days=30)) == 1
    async with app.db.read() as tx:
        assert await conversations.find_choice(tx, "old1") is None
        assert await conversations.find_choice(tx, "new1") is not None


async def test_choices_migration_is_undone_and_done_again(app: App) -> None:
    async with app.db.write() as tx:
        await tx.run_sync(_migrate, True)
        keys, method = await tx.run_sync(_schema)
    assert keys == ["chat_identities"]
    assert method == "btree"
    async with app.db.write() as tx:
        await tx.run_sync(_migrate, False)
        assert await tx.run_sync(_schema) == ([], "btree" if app.db.is_sqlite else "brin")
