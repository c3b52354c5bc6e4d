"""Reminders at scale: schedule 100,000, restart, and fire 2,000 falling due within seconds.

`python -m bench reminders [--reminders N] [--sample N]`. Real time (the scheduler wakes on
its own); quiet hours are switched off so the sample fires whenever the bench runs.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from sqlalchemy import func, insert, select, update

from bench.common import percentile, temp_db_url
from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.storage import reminders as store
from bot.storage.tables.core import chat_identities, outbox, users
from bot.storage.tables.reminders import reminders
from reminders import ReminderScheduler

USERS = 2_000


async def make_users(app: App, count: int) -> list[int]:
    now = datetime.now(UTC)
    async with app.db.write() as tx:
        await tx.execute(insert(users), [{"created_at": now} for _ in range(count)])
        ids = list((await tx.execute(select(users.c.id).order_by(users.c.id))).scalars())
        await tx.execute(
            insert(chat_identities),
            [
                {
                    "id": user_id,
                    "user_id": user_id,
                    "channel": "console",
                    "external_id": f"bench{user_id}",
                    "chat_id": f"bench{user_id}",
                    "last_seen_at": now,
                }
                for user_id in ids
            ],
        )
        await tx.execute(update(users).values(last_identity_id=users.c.id))
    return ids


def reminder_rows(total: int, sample: int, user_ids: list[int], start: datetime) -> list[dict]:
    """`sample` reminders due over 2 s from `start`, the rest spread over the next months."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for i in range(total):
        if i < sample:
            due = start + timedelta(seconds=2 * i / sample)
        else:
            due = start + timedelta(days=1 + i % 300, minutes=i % 600)
        rows.append(
            {
                "kind": "return_day",
                "key": f"bench:{i}",
                "user_id": user_ids[i % len(user_ids)],
                "person_id": None,
                "booking_id": None,
                "due_at": due,
                "status": "scheduled",
                "created_at": now,
                "sent_at": None,
            }
        )
    return rows


async def wait_for_sample(app: App, sample_ids: range, timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    while time.perf_counter() < deadline:
        async with app.db.read() as tx:
            open_ = await tx.scalar(
                select(func.count())
                .select_from(reminders)
                .where(reminders.c.id.in_(sample_ids), reminders.c.status == "scheduled")
            )
        if not open_:
            return
        await asyncio.sleep(0.25)


async def run(total: int, sample: int) -> dict[str, Any]:
    url = temp_db_url("reminders.db")
    settings = Settings(
        db_url=url,
        quiet_start="00:00",
        quiet_end="00:00",
        _env_file=None,  # type: ignore[call-arg]
    )
    clock = SystemClock()
    app = await build_app(settings, clock)
    user_ids = await make_users(app, USERS)

    began = time.perf_counter()
    rows = reminder_rows(total, sample, user_ids, datetime.now(UTC) + timedelta(seconds=60))
    async with app.db.write() as tx:
        await store.insert(tx, rows)
    scheduler = ReminderScheduler(app.db, clock, settings, name="bench")
    await scheduler.start()
    schedule_s = time.perf_counter() - began
    await scheduler.stop()
    await app.close()

    # The sample falls due 4 to 6 seconds after the restart begins.
    fire_at = datetime.now(UTC) + timedelta(seconds=4)
    app = await build_app(settings, clock)
    async with app.db.write() as tx:  # (not timed) move the sample to fall due soon
        for i in range(sample):
            await tx.execute(
                update(reminders)
                .where(reminders.c.id == i + 1)
                .values(due_at=fire_at + timedelta(seconds=2 * i / sample))
            )
    await app.close()

    began = time.perf_counter()
    app = await build_app(settings, clock)
    scheduler = ReminderScheduler(app.db, clock, settings, name="bench")
    await scheduler.start()
    restart_load_s = time.perf_counter() - began

    sample_ids = range(1, sample + 1)
    await wait_for_sample(app, sample_ids, timeout_s=60)
    async with app.db.read() as tx:
        fired = (
            await tx.execute(
                select(reminders.c.status, reminders.c.due_at, reminders.c.sent_at).where(
                    reminders.c.id.in_(sample_ids)
                )
            )
        ).all()
        queued = await tx.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.key.in_([f"rem:{i}" for i in sample_ids]))
        )
        scheduled = await tx.scalar(
            select(func.count()).select_from(reminders).where(reminders.c.status == "scheduled")
        )
    await scheduler.stop()
    await app.close()
    sent = [row for row in fired if row[0] == "sent"]
    lags = [(row[2] - row[1]).total_seconds() for row in sent]
    return {
        "reminders": total,
        "schedule_s": round(schedule_s, 2),
        "restart_load_s": round(restart_load_s, 2),
        "rss_mb": round(psutil.Process().memory_info().rss / 2**20, 1),
        "fire_lag_p50_s": round(percentile(lags, 0.5), 3),
        "fire_lag_p99_s": round(percentile(lags, 0.99), 3),
        "sample": sample,
        "duplicates": int(queued or 0) - len(sent),
        "missed": sample - len(sent),
        "still_scheduled": int(scheduled or 0),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench reminders")
    parser.add_argument("--reminders", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=2_000)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.reminders, args.sample))
