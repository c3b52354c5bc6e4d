"""Roster bench, the chat round: how long others wait for /help while a roster file is imported.

Three phases on the same database, each with `OTHERS` users sending /help in a loop through
the dispatcher (a message, its transaction, its reply) and their latency recorded:
- alone: nothing else runs;
- one transaction: a file imported in one write transaction, as the chat did before (the
  file read and written inside the message's transaction);
- chat: an admin sends a file in the chat (read and matched outside the transaction) and
  types "đồng ý" (written in short steps).
The files hold new people in the villages the bench already has (`roster_csv` with another
seed), so each import inserts `rows` people.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import text

from bench.common import percentile
from bot.app import App
from bot.core.inbound import Inbound, InboundFile, Kind
from bot.services.identity import Role
from bot.services.roster_import import import_roster
from bot.storage import roster as store

OTHERS = 5
PAUSE_S = 0.02  # between one user's messages
ALONE_S = 3.0


async def chat_round(
    app: App,
    rows: int,
    now: datetime,
    roster_csv: Callable[[int, int], bytes],
    staff: Callable[..., Awaitable[Inbound]],
) -> dict[str, Any]:
    async with app.db.read() as tx:  # with several communes, an admin has one
        commune_id = await tx.scalar(text("SELECT MIN(id) FROM communes"))
    admin = await staff(app, "bench-admin", Role.ADMIN, commune_id=commune_id)
    others = [Inbound(channel="console", chat_id=f"o{n}", user_id=f"o{n}") for n in range(OTHERS)]
    for other in others:  # their identities exist before the timing starts
        await app.dispatcher.handle(replace(other, text="/help"))
    before = await _people(app)

    async def one_transaction() -> None:
        async with app.db.write() as tx:
            await import_roster(tx, "before.csv", roster_csv(rows, 7), now)

    async def chat() -> None:
        sent = replace(admin, kind=Kind.FILE, file=InboundFile("chat.csv", roster_csv(rows, 8)))
        preview = await app.dispatcher.handle(sent)
        assert "Xem trước" in preview[-1].text, preview[-1].text
        done = await app.dispatcher.handle(replace(admin, text="đồng ý"))
        assert "Đã nhập" in done[-1].text, done[-1].text

    result = {
        "chat_rows": rows,
        "others": OTHERS,
        "others_help_alone_ms": await _others_during(app, others, asyncio.sleep(ALONE_S)),
        "others_help_during_one_transaction_import_ms": await _others_during(
            app, others, one_transaction()
        ),
        "others_help_during_chat_import_ms": await _others_during(app, others, chat()),
    }
    assert await _people(app) == before + 2 * rows
    return result


async def _others_during(app: App, others: list[Inbound], work: Awaitable[Any]) -> dict[str, Any]:
    """/help latency (ms) of `others` while `work` runs, and how long it ran."""
    stop = asyncio.Event()
    latencies: list[float] = []

    async def user(inbound: Inbound) -> None:
        while not stop.is_set():
            start = time.perf_counter()
            replies = await app.dispatcher.handle(replace(inbound, text="/help"))
            latencies.append((time.perf_counter() - start) * 1000)
            assert replies
            await asyncio.sleep(PAUSE_S)

    users = [asyncio.create_task(user(other)) for other in others]
    start = time.perf_counter()
    try:
        await work
    finally:
        took = time.perf_counter() - start
        stop.set()
        await asyncio.gather(*users)
    return {
        "n": len(latencies),
        "p50": round(statistics.median(latencies), 1) if latencies else 0.0,
        "p99": round(percentile(latencies, 0.99), 1),
        "max": round(max(latencies, default=0.0), 1),
        "work_s": round(took, 2),
    }


async def _people(app: App) -> int:
    async with app.db.read() as tx:
        return await store.count_people(tx)
