"""The sent journal: a send the platform accepted is not sent again after a crash.

The crash is simulated: the sender's commit of `sent` never comes (the marker hangs on it),
its tasks are cancelled without a stop, and its lease is dropped, as a dead process's is. The
next sender reads the dead one's journal before taking its rows back.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.config import Settings
from bot.core.reply import Reply
from bot.services import outbox
from bot.services.sender import Sender
from bot.services.sender.journal import SentJournal, journal_dir, read
from bot.storage import conversations
from bot.storage import outbox_leases as leases
from bot.storage.tables.core import outbox as outbox_table
from tests.driver import ChatDriver

DEAD = "gone-host:4242:abcd"  # a worker with no lease: dead


class Counting:
    """A console channel that accepts every send and remembers its text."""

    name = "console"
    text_limit = 4096

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        self.texts.append(reply.text)
        return SendResult(SendStatus.SENT)


async def _queue(app: App, *texts: str) -> dict[str, int]:
    """Queue one row per text; returns their ids by text."""
    actor = await ChatDriver(app, "fisher").actor()
    async with app.db.write() as tx:
        for text in texts:
            await outbox.enqueue(
                tx, user_id=actor.user_id, key=text, text=text, now=app.clock.now()
            )
        rows = await tx.execute(select(outbox_table.c.text, outbox_table.c.id))
        return {text: row_id for text, row_id in rows}


async def _statuses(app: App) -> dict[str, str]:
    async with app.db.read() as tx:
        rows = await tx.execute(select(outbox_table.c.text, outbox_table.c.status))
        return {text: status for text, status in rows}


async def _crash_after_accept(app: App, settings: Settings) -> None:
    """A sender whose send is accepted (and journaled) dies before committing `sent`."""
    channel = Counting()
    sender = Sender(app.db, app.clock, settings, [channel], idle_poll_s=0.05)
    accepted = asyncio.Event()
    apply = sender.marker._apply

    async def hang_on_sent(batch: Any, taking_off: list[int]) -> None:
        if batch.sent:
            accepted.set()
            await asyncio.Event().wait()
        await apply(batch, taking_off)

    sender.marker._apply = hang_on_sent  # type: ignore[method-assign]
    await sender.start()
    await asyncio.wait_for(accepted.wait(), 20)
    sends = [task for lane in sender.lanes.values() for task in lane.inflight]
    tasks = [t for t in (sender._main, *sender._tasks, *sends) if t is not None]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    async with app.db.write() as tx:
        await leases.leave(tx, sender.lease_name, sender.owner)
    assert channel.texts == ["Nhắc lịch"]


async def _send_the_rest(app: App, settings: Settings) -> list[str]:
    """Start a sender after the crash, let it send what is due; returns what it sent."""
    channel = Counting()
    sender = Sender(app.db, app.clock, settings, [channel], idle_poll_s=0.05)
    await sender.start()
    try:
        for _ in range(2000):  # until it has taken the dead worker's rows back
            if sender.holding_lease:
                break
            await asyncio.sleep(0.01)
        app.clock.advance(timedelta(seconds=5))  # past the chat's interval: re-sends are due
        await sender.wait_idle(within_s=20)
    finally:
        await sender.stop()
    return channel.texts


@pytest.mark.parametrize(("journal", "sent_again"), [(True, []), (False, ["Nhắc lịch"])])
async def test_a_send_accepted_before_a_crash_is_not_sent_again(
    app: App, settings: Settings, tmp_path: Path, journal: bool, sent_again: list[str]
) -> None:
    folder = tmp_path / "journals"
    settings = settings.model_copy(
        update={"outbox_journal_dir": str(folder) if journal else "off"}
    )
    await _queue(app, "Nhắc lịch")
    await _crash_after_accept(app, settings)
    assert await _statuses(app) == {"Nhắc lịch": "inflight"}  # the commit never came

    assert await _send_the_rest(app, settings) == sent_again
    assert await _statuses(app) == {"Nhắc lịch": "sent"}
    assert not list(folder.glob("*.sent"))  # settled, so the journal is gone


async def test_torn_or_garbled_lines_are_skipped_and_their_rows_sent_again(
    app: App, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "journals"
    settings = settings.model_copy(update={"outbox_journal_dir": str(folder)})
    ids = await _queue(app, "kept", "garbled", "torn")
    async with app.db.write() as tx:  # a dead worker had all three in flight
        await tx.execute(update(outbox_table).values(status="inflight", claimed_by=DEAD))
        await tx.execute(  # the one it had sent carried a choice
            update(outbox_table)
            .where(outbox_table.c.id == ids["kept"])
            .values(payload={"choices": [["Có", "k-yes"]]})
        )
    dead = SentJournal(folder, DEAD)
    for text in ("kept", "garbled", "torn"):
        dead.sent(ids[text], datetime.now(UTC))
    path = next(folder.glob("*.sent"))
    lines = path.read_bytes().split(b"\n")
    lines[1] = lines[1].replace(str(ids["garbled"]).encode(), b"99", 1)  # checksum fails
    path.write_bytes(b"\n".join(lines[:2]) + b"\n" + lines[2][:-6])  # the last line is cut

    assert sorted(await _send_the_rest(app, settings)) == ["garbled", "torn"]
    assert set((await _statuses(app)).values()) == {"sent"}
    assert not path.exists()
    async with app.db.read() as tx:  # its choice is the user's numbered list, as when sent
        identity = await tx.scalar(
            select(outbox_table.c.identity_id).where(outbox_table.c.id == ids["kept"])
        )
        assert (await conversations.load(tx, identity)).menu_keys == ["k-yes"]


def test_the_journal_rotates_and_drops_what_a_commit_covered(tmp_path: Path) -> None:
    folder = tmp_path / "journals"
    journal = SentJournal(folder, "host:1:a", rotate_lines=2)
    at = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    journal.sent(1, at)
    journal.sent(2, at)
    mark = journal.checkpoint()  # full: the next line goes to a new file
    journal.sent(3, at)
    assert len(list(folder.glob("*.sent"))) == 2
    journal.committed(mark)
    (left,) = folder.glob("*.sent")
    assert read(left) == {3: at}
    assert SentJournal(folder, "host:2:b").left_by(live=[]).sent == {3: at}
    assert SentJournal(folder, "host:2:b").left_by(live=["host:1:a"]).sent == {}
    journal.close()
    assert not folder.exists()  # a clean stop leaves nothing


def test_the_journals_live_beside_the_database_or_where_told() -> None:
    def where(**values: str) -> Path | None:
        return journal_dir(Settings(_env_file=None, **values))  # type: ignore[call-arg]

    assert where(db_url="sqlite+aiosqlite:////srv/bot/troly06.db") == Path("/srv/bot/troly06-sent")
    assert where(db_url="postgresql+asyncpg://u@db/troly06") == Path("data/troly06-sent")
    assert where(db_url="sqlite+aiosqlite://") is None
    assert where(outbox_journal_dir="/var/lib/troly06/sent") == Path("/var/lib/troly06/sent")
    assert where(outbox_journal_dir="off") is None
