"""A sender process SIGKILLed after Telegram accepted its requests, before it committed them,
sends none of them again: its sent journal names them, and the next sender settles them.

The window is made wide on purpose: the test holds SQLite's write lock, so the sender's
requests already marked in flight are answered (and journaled) but their outcomes cannot be
committed; then the sender is killed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy.engine import make_url

from bench import broadcast as bench
from bot.config import Settings
from bot.services.sender.journal import journal_dir, read


async def _until(check: Callable[[], Awaitable[bool]], within_s: float = 60.0) -> None:
    deadline = time.monotonic() + within_s
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _rows(lock: sqlite3.Connection, status: str) -> set[int]:
    return {
        row_id for (row_id,) in lock.execute("SELECT id FROM outbox WHERE status = ?", [status])
    }


@pytest.mark.engines("sqlite")  # the journal does not depend on the engine; the lock trick does
async def test_a_sender_killed_between_accept_and_commit_sends_nothing_twice(
    settings: Settings,
) -> None:
    recipients = 200
    args = argparse.Namespace(rate=60.0, per_chat=1.0, random_429=0.0, blocked_every=0)
    actor, village_ids = await bench.seed(settings, recipients, 0)
    await bench.compose(settings, actor, village_ids)
    folder = journal_dir(settings)
    assert folder is not None
    fake = bench.start_fake(args, recipients)
    lock = sqlite3.connect(str(make_url(settings.db_url).database), timeout=30)
    lock.isolation_level = None
    try:
        proc = bench.start_sender(settings.db_url, fake, args.rate, args.per_chat)
        await _until(lambda: asyncio.to_thread(lambda: fake.stats()["sent"] >= 40))
        for _ in range(500):  # hold the write lock at an instant with rows in flight
            lock.execute("BEGIN IMMEDIATE")
            inflight = _rows(lock, "inflight")
            if inflight:
                break
            lock.execute("ROLLBACK")
            await asyncio.sleep(0.01)
        assert inflight

        async def all_answered() -> bool:  # every request out was accepted and journaled
            journaled: set[int] = set()
            for path in folder.glob("*.sent"):
                journaled |= read(path).keys()
            return inflight <= journaled

        await _until(all_answered)
        accepted_before = (await asyncio.to_thread(fake.stats))["sent"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert _rows(lock, "inflight") == inflight  # none of them was committed as sent
        lock.execute("ROLLBACK")

        proc = bench.start_sender(settings.db_url, fake, args.rate, args.per_chat)
        await asyncio.to_thread(proc.wait, 120)
        after = fake.stats()
    finally:
        lock.close()
        fake.stop()
    assert accepted_before < recipients  # killed in the middle
    assert after["duplicates"] == 0
    assert after["chats"] == after["sent"] == recipients
    lock = sqlite3.connect(str(make_url(settings.db_url).database))
    try:
        assert len(_rows(lock, "sent")) == recipients
    finally:
        lock.close()
    assert not list(folder.glob("*.sent"))
