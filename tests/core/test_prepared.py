"""A message's own statements (bot/storage/prepared.py): the same values as through SQLAlchemy,
straight on SQLite's write connection, SQLAlchemy's errors, and nothing kept of a failed write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, event, exc, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import App
from bot.storage import conversations as convo_store
from bot.storage import identities
from bot.storage.conversations import ConversationRow, StoredChoice
from bot.storage.prepared import Prepared
from bot.storage.tables.core import choices, conversations

NOW = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)


async def _identity(tx: AsyncConnection) -> int:
    user = await identities.create_user(tx, NOW)
    return await identities.create_identity(
        tx,
        user_id=user,
        channel="console",
        external_id="ngu-dan-1",
        chat_id="ngu-dan-1",
        display_name="Ngư dân",
        now=NOW,
    )


def _sqlalchemy_statements(app: App) -> list[str]:
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(app.db.engine.sync_engine, "before_cursor_execute", note)
    return seen


async def test_a_conversation_reads_back_as_sqlalchemy_reads_it(app: App) -> None:
    saved = ConversationRow("booking.day", {"people": [1, 2], "note": "Lê Văn Tám"}, ["k1"], "?")
    local = NOW.astimezone(timezone(timedelta(hours=7)))
    async with app.db.write() as tx:
        identity = await _identity(tx)
        await convo_store.save(tx, identity, saved, local)
    async with app.db.write() as tx:
        loaded = await convo_store.load(tx, identity)
        actor = await identities.find_actor(tx, "console", "ngu-dan-1", with_conversation=True)
        plain = (
            await tx.execute(
                select(conversations.c.data, conversations.c.menu_keys, conversations.c.updated_at)
            )
        ).one()
    assert loaded == saved
    assert actor is not None and actor.conversation == saved
    assert actor.last_seen_at == NOW and actor.last_seen_at.tzinfo is not None
    assert actor.reachable is True
    assert tuple(plain) == (saved.data, saved.menu_keys, NOW)  # stored in UTC, as SQLAlchemy does


@pytest.mark.engines("sqlite")
async def test_on_sqlite_they_skip_sqlalchemys_execution(app: App) -> None:
    async with app.db.write() as tx:
        identity = await _identity(tx)
    seen = _sqlalchemy_statements(app)
    async with app.db.write() as tx:
        await identities.find_actor(tx, "console", "ngu-dan-1", with_conversation=True)
        await convo_store.save(tx, identity, ConversationRow("faq"), NOW)
        await convo_store.add_choices(tx, [StoredChoice("abc", identity, "pick", "1", "A")], NOW)
    assert seen == []  # BEGIN and COMMIT too run on the driver
    async with app.db.read() as tx:
        assert await convo_store.find_choice(tx, "abc") == StoredChoice(
            "abc", identity, "pick", "1", "A"
        )


@pytest.mark.engines("postgresql")
async def test_on_postgresql_they_go_through_sqlalchemy(app: App) -> None:
    async with app.db.write() as tx:
        await _identity(tx)
    seen = _sqlalchemy_statements(app)
    async with app.db.write() as tx:
        assert await identities.find_actor(tx, "console", "ngu-dan-1") is not None
    assert any("chat_identities" in statement for statement in seen)


async def test_a_failed_write_is_sqlalchemys_error_and_keeps_nothing(app: App) -> None:
    async with app.db.write() as tx:
        identity = await _identity(tx)
        await convo_store.add_choices(tx, [StoredChoice("dup", identity, "pick", "1", "A")], NOW)
    with pytest.raises(exc.IntegrityError):
        async with app.db.write() as tx:
            await convo_store.save(tx, identity, ConversationRow("changed"), NOW)
            clash = [StoredChoice("new", identity, "pick", "2", "B")]
            clash.append(StoredChoice("dup", identity, "pick", "3", "C"))
            await convo_store.add_choices(tx, clash, NOW)
    async with app.db.read() as tx:
        keys = (await tx.execute(select(choices.c.key, choices.c.label))).all()
        assert await convo_store.load(tx, identity) == ConversationRow()
    assert [tuple(k) for k in keys] == [("dup", "A")]


def test_a_statement_with_an_in_list_cannot_be_prepared(app: App) -> None:
    listed = Prepared(select(choices.c.key).where(choices.c.key.in_(bindparam("keys"))))
    with pytest.raises(ValueError, match="IN list"):
        listed._render(app.db.engine.dialect)


@pytest.mark.parametrize("count", [1, 5, 5_000])  # a reply's buttons; a notice's, one a recipient
async def test_choices_in_any_number_are_stored_and_found(app: App, count: int) -> None:
    async with app.db.write() as tx:
        identity = await _identity(tx)
        made = [
            StoredChoice(f"k{n}", identity, "pick", str(n), f"Lựa chọn {n}") for n in range(count)
        ]
        await convo_store.add_choices(tx, made, NOW)
    async with app.db.read() as tx:
        found = await convo_store.find_choices(tx, [choice.key for choice in made])
    assert found == made


@pytest.mark.engines("postgresql")
async def test_a_few_rows_are_one_insert_rendered_once_per_number_of_rows(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.storage import prepared

    rendered: list[str] = []
    render = prepared._render

    def counted(*args: Any) -> Any:
        done = render(*args)
        rendered.append(done.sql)
        return done

    monkeypatch.setattr(prepared, "_render", counted)
    insert = Prepared(choices.insert())
    async with app.db.write() as tx:
        identity = await _identity(tx)
    seen = _sqlalchemy_statements(app)
    for batch in range(3):
        made = [StoredChoice(f"b{batch}-{n}", identity, "pick", str(n), "Có") for n in range(5)]
        rows = [{**vars(c), "created_at": NOW} for c in made]
        async with app.db.write() as tx:
            await insert.run_many(tx, rows)
        async with app.db.read() as tx:
            assert await convo_store.find_choices(tx, [c.key for c in made]) == made
    inserts = [s for s in seen if s.startswith("INSERT INTO choices")]
    assert len(inserts) == 3  # one statement a batch, not one a row
    assert [s.count("VALUES") for s in inserts] == [1, 1, 1]
    assert len(rendered) == 1  # not compiled again
