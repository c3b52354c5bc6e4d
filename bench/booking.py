"""1,000 residents race for one session with 40 places, through the booking service on SQLite.

Each attempt is one write transaction (as the dispatcher opens for a message): book a place,
or, once the session is full, join its waiting list. A plain read-the-count-then-insert over
aiosqlite runs in the same process as a baseline, to show what the capacity rule prevents.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

import aiosqlite
from sqlalchemy import func, insert, select

from bench.common import temp_db_url
from bot.app import build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.services.booking import reservations, waitlist
from bot.services.booking.rules import BookError
from bot.services.booking.sessions import SessionSpec, open_session
from bot.storage import booking as store
from bot.storage import identities
from bot.storage.tables.booking import bookings
from bot.storage.tables.core import communes

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


async def _setup(app: object, residents: int) -> tuple[int, int, list[int]]:
    async with app.db.write() as tx:  # type: ignore[attr-defined]
        commune = (
            await tx.execute(insert(communes).values(name="Vạn Thạnh", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        point = await store.insert_point(
            tx, commune_id=commune, village_id=None, name="Công an xã", address="", is_island=False
        )
        # 4 machines × 30 minutes ÷ 3 minutes per person = 40 places in one slot
        session_id = await open_session(
            tx,
            SessionSpec(
                point, (NOW + timedelta(days=1)).date(), clock_time(7), clock_time(7, 30), 4, 3
            ),
            now=NOW,
            created_by=None,
        )
        assert isinstance(session_id, int)
        (slot,) = await store.slots(tx, session_id)
        users = [await identities.create_user(tx, NOW) for _ in range(residents)]
    return session_id, slot.id, users


async def _race(residents: int) -> dict[str, object]:
    url = temp_db_url()
    app = await build_app(Settings(db_url=url, _env_file=None), FixedClock(NOW))  # type: ignore[call-arg]
    try:
        session_id, slot_id, users = await _setup(app, residents)
        outcomes: list[str] = []

        async def attempt(user_id: int) -> None:
            async with app.db.write() as tx:
                result = await reservations.book(
                    tx, user_id=user_id, slot_id=slot_id, service="eid_level2", now=NOW
                )
                if result is BookError.FULL:
                    await waitlist.join(
                        tx,
                        user_id=user_id,
                        session_id=session_id,
                        service="eid_level2",
                        people=1,
                        now=NOW,
                    )
                    outcomes.append("waitlisted")
                else:
                    outcomes.append("confirmed" if isinstance(result, int) else str(result))

        started = time.perf_counter()
        await asyncio.gather(*(attempt(u) for u in users))
        elapsed = time.perf_counter() - started
        async with app.db.read() as tx:
            stored = int(await tx.scalar(select(func.count()).select_from(bookings)) or 0)
            (slot,) = await store.slots(tx, session_id)
    finally:
        await app.close()
    return {
        "attempts": residents,
        "capacity": slot.capacity,
        "confirmed": stored,
        "waitlisted": outcomes.count("waitlisted"),
        "overbooked": max(stored - slot.capacity, 0) + max(slot.taken - slot.capacity, 0),
        "bookings_per_s": round(residents / elapsed, 1),
        "db": url.rsplit("/", 1)[-1],
    }


async def _baseline(residents: int, capacity: int) -> dict[str, object]:
    """Read the count, then insert: the check and the insert are not one step."""
    path = Path(temp_db_url("plain.db").split("///", 1)[1])
    async with aiosqlite.connect(path) as setup:
        await setup.execute("PRAGMA journal_mode=WAL")
        await setup.execute("CREATE TABLE b (id INTEGER PRIMARY KEY, user_id INTEGER)")
        await setup.commit()

    async def attempt(user_id: int) -> None:
        async with aiosqlite.connect(path, timeout=30) as conn:
            cursor = await conn.execute("SELECT count(*) FROM b")
            (count,) = await cursor.fetchone()  # type: ignore[misc]
            if count < capacity:
                await conn.execute("INSERT INTO b (user_id) VALUES (?)", (user_id,))
                await conn.commit()

    started = time.perf_counter()
    await asyncio.gather(*(attempt(u) for u in range(residents)))
    elapsed = time.perf_counter() - started
    async with aiosqlite.connect(path) as conn:
        cursor = await conn.execute("SELECT count(*) FROM b")
        (stored,) = await cursor.fetchone()  # type: ignore[misc]
    return {
        "confirmed": stored,
        "overbooked": max(stored - capacity, 0),
        "attempts_per_s": round(residents / elapsed, 1),
    }


def main(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="python -m bench booking")
    parser.add_argument("--residents", type=int, default=1000)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args(argv)
    result = asyncio.run(_race(args.residents))
    if not args.no_baseline:
        result["baseline_read_then_insert"] = asyncio.run(
            _baseline(args.residents, int(result["capacity"]))  # type: ignore[call-overload]
        )
    return result
