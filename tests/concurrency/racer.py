"""Racing attempts at one resource, each in its own transaction on its own connection.

On PostgreSQL every attempt runs in this process on a connection of its own, all of them
inside an open transaction at once (a barrier) before they fire. On SQLite, where one process
queues its writers behind an in-process lock, the attempts are spread over separate processes
(`python -m tests.concurrency.racer`), released together through a file.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import identity
from bot.services.booking import checkin, reservations
from bot.storage.db import Database


async def attempt(kind: str, tx: AsyncConnection, params: dict[str, Any], i: int) -> str:
    """One attempt of the race; returns what came of it as a string."""
    now = datetime.fromisoformat(params["now"])
    if kind == "book":
        result: object = await reservations.book(
            tx,
            user_id=params["users"][i],
            slot_id=params["slot_id"],
            service="eid_level2",
            now=now,
        )
        return "booked" if isinstance(result, int) else str(result)
    if kind == "cancel":
        booking_id, user_id = params["bookings"][i]
        result = await reservations.cancel(tx, booking_id=booking_id, user_id=user_id, now=now)
        return "cancelled" if not isinstance(result, str) else str(result)
    if kind == "check_in":
        desk = identity.Actor(
            params["users"][i],
            0,
            "console",
            str(i),
            None,
            None,
            grants=(identity.Grant(identity.Role.ADMIN),),
        )
        result = await checkin.check_in(
            tx, desk, booking_id=params["booking_id"], outcome="both", now=now
        )
        return "checked_in" if not isinstance(result, str) else str(result)
    if kind == "invite":
        actor = identity.Actor(params["users"][i], 0, "console", str(i), None, None)
        result = await identity.redeem_invite(tx, actor, params["code"], now)
        return "redeemed" if isinstance(result, identity.Redeemed) else str(result)
    raise ValueError(kind)


async def race_in_process(url: str, kind: str, params: dict[str, Any], n: int) -> list[str]:
    """n attempts, each on its own connection, all inside a transaction before any fires."""
    db = Database(url, pool_size=n)
    barrier = asyncio.Barrier(n)

    async def one(i: int) -> str:
        async with db.write() as tx:
            await tx.execute(text("SELECT 1"))  # the transaction is open on the server
            await barrier.wait()
            return await attempt(kind, tx, params, i)

    try:
        return list(await asyncio.gather(*(one(i) for i in range(n))))
    finally:
        await db.close()


def race_in_processes(
    url: str, kind: str, params: dict[str, Any], n: int, processes: int, folder: Path
) -> list[str]:
    """n attempts spread over separate processes, released together."""
    go = folder / "go"
    spec = json.dumps({"url": url, "kind": kind, "params": params, "go": str(go)})
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.concurrency.racer", spec, ",".join(map(str, share))],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        for share in (range(p, n, processes) for p in range(processes))
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready"
        go.touch()
        results: list[str] = []
        for proc in procs:
            out, _ = proc.communicate(timeout=90)
            assert proc.returncode == 0
            results.extend(json.loads(out))
        return results
    finally:  # a failed child must not leave the others running or their pipes open
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()


async def _child(spec: dict[str, Any], indexes: list[int]) -> list[str]:
    db = Database(spec["url"])
    try:
        async with db.read() as tx:  # connect before the start
            await tx.execute(text("SELECT 1"))
        print("ready", flush=True)
        go = spec["go"]
        while not os.path.exists(go):  # noqa: ASYNC240 (all the process does is wait)
            time.sleep(0.005)  # noqa: ASYNC251

        async def one(i: int) -> str:
            async with db.write() as tx:
                return await attempt(spec["kind"], tx, spec["params"], i)

        return list(await asyncio.gather(*(one(i) for i in indexes)))
    finally:
        await db.close()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    spec = json.loads(sys.argv[1])
    indexes = [int(i) for i in sys.argv[2].split(",") if i]
    print(json.dumps(asyncio.run(_child(spec, indexes))))
