"""Reminders end to end: schedule through the service, restart the bot, time each delivery.

`python -m bench reminders [--users N] [--sample N] [--deadline-s S]`. Every user is sent
away through `planning.set_away` (a return-day reminder and two follow-ups each: 3 × N
reminders); `--sample` of them return today, due over two seconds shortly after the bot
restarts. The bot then runs as `troly06 run` does (scheduler, sender, Telegram channel)
against the fake Telegram server, and the lag of each sample reminder is measured from its
due time to its arrival *at the server*; duplicates are counted at the server too. Real time;
quiet hours are off so the bench runs at any hour; the sender may send 1,000 a second, so the
lag is the scheduler's and the sender's, not Telegram's rate limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from typing import Any

from sqlalchemy import func, insert, select, update

from bench.common import percentile, temp_db_url
from bot.app import App, build_app
from bot.config import Settings
from bot.core.i18n import LOCAL_TZ
from bot.runtime import serve
from bot.services.reminders.planning import set_away
from bot.services.reminders.policy import Policy
from bot.storage.tables.core import chat_identities, users
from bot.storage.tables.reminders import reminders
from bot.testing.telegram_api import FakeTelegram

FIRST_CHAT = 500_000
BATCH = 500  # users scheduled per transaction
AWAKE = {"quiet_start": clock_time(0, 0), "quiet_end": clock_time(0, 0)}


async def make_users(app: App, count: int) -> list[int]:
    """`count` users who started the bot on Telegram (set-up, not timed)."""
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
                    "channel": "telegram",
                    "external_id": str(FIRST_CHAT + user_id),
                    "chat_id": str(FIRST_CHAT + user_id),
                    "last_seen_at": now,
                }
                for user_id in ids
            ],
        )
        await tx.execute(update(users).values(last_identity_id=users.c.id))
    return ids


async def schedule(
    app: App, user_ids: list[int], sample: list[int]
) -> tuple[float, dict[int, datetime]]:
    """Send every user away through the service; the `sample` users return today, due over
    two seconds from ten seconds after the others are scheduled.

    Returns the seconds it took, and when each sample user is due.
    """
    later = Policy(**AWAKE)  # type: ignore[arg-type]
    today = datetime.now(LOCAL_TZ).date()
    began = time.perf_counter()
    rest = [u for u in user_ids if u not in set(sample)]
    for start in range(0, len(rest), BATCH):
        async with app.db.write() as tx:
            for n, user_id in enumerate(rest[start : start + BATCH], start):
                back = today + timedelta(days=1 + n % 300)
                await _away(app, tx, user_id, back, later)
    first_due = datetime.now(UTC) + timedelta(seconds=10 + 0.05 * len(sample))
    due = {u: first_due + timedelta(seconds=2 * i / len(sample)) for i, u in enumerate(sample)}
    for start in range(0, len(user_ids), BATCH):  # the sample last: its times are near
        chunk = [u for u in user_ids[start : start + BATCH] if u in due]
        if not chunk:
            continue
        async with app.db.write() as tx:
            for user_id in chunk:
                at = due[user_id].astimezone(LOCAL_TZ)
                policy = Policy(remind_at=at.time(), **AWAKE)  # type: ignore[arg-type]
                await _away(app, tx, user_id, at.date(), policy)
    return time.perf_counter() - began, due


async def _away(app: App, tx: Any, user_id: int, back: date, policy: Policy) -> None:
    await set_away(
        tx,
        user_id=user_id,
        person_id=None,
        return_on=back,
        now=datetime.now(UTC),
        policy=policy,
    )


async def run(users_n: int, sample: int, deadline_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    async with FakeTelegram() as api:
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            db_url=temp_db_url("reminders.db"),
            telegram_token=api.token,
            telegram_api_url=api.url,
            outbox_rate_per_s=1000.0,
            reminder_poll_s=5,
            **AWAKE,
        )
        app = await build_app(settings)
        user_ids = await make_users(app, users_n)
        chosen = user_ids[:: max(1, users_n // sample)][:sample]
        schedule_s, due = await schedule(app, user_ids, chosen)
        first_due = min(due.values())
        async with app.db.read() as tx:
            scheduled = await tx.scalar(select(func.count()).select_from(reminders))
        await app.close()
        late_start = datetime.now(UTC) > first_due

        # The restart: the whole bot as `troly06 run` starts it.
        stop = asyncio.Event()
        began = time.monotonic()
        bot = asyncio.create_task(serve(settings, stop=stop, handle_signals=False))
        wanted = {str(FIRST_CHAT + u) for u in due}

        def delivered() -> int:
            return len({str(s.chat_id) for s in api.sent} & wanted)

        with contextlib.suppress(TimeoutError):
            await api.wait_for(
                lambda: delivered() >= len(wanted), within_s=max(1.0, deadline - time.monotonic())
            )
        await asyncio.sleep(1.0)  # anything sent twice arrives now
        stop.set()
        await bot

        mono_to_wall = datetime.now(UTC).timestamp() - time.monotonic()
        arrived: dict[str, float] = {}
        for call in api.calls("sendMessage"):
            chat = str(call.params.get("chat_id"))
            if call.status == 200 and chat in wanted:
                arrived.setdefault(chat, call.at + mono_to_wall)
        lags = [
            arrived[str(FIRST_CHAT + u)] - when.timestamp()
            for u, when in due.items()
            if str(FIRST_CHAT + u) in arrived
        ]
        per_chat = Counter(str(s.chat_id) for s in api.sent)
        return {
            "users": users_n,
            "reminders": int(scheduled or 0),
            "schedule_s": round(schedule_s, 2),
            "schedule_per_user_ms": round(1000 * schedule_s / users_n, 2),
            "sample": len(due),
            "delivered": len(arrived),
            "missed": len(due) - len(arrived),
            "duplicates": sum(n - 1 for n in per_chat.values() if n > 1)
            + sum(n - 1 for n in api.duplicates().values()),
            "lag_to_server_p50_s": round(percentile(sorted(lags), 0.5), 3),
            "lag_to_server_p99_s": round(percentile(sorted(lags), 0.99), 3),
            "lag_to_server_max_s": round(max(lags, default=0.0), 3),
            "restart_to_last_s": round(time.monotonic() - began, 2),
            "sample_due_before_restart": late_start,
            "deadline_hit": time.monotonic() >= deadline,
        }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench reminders")
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--sample", type=int, default=500)
    parser.add_argument("--deadline-s", type=float, default=600.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.users, args.sample, args.deadline_s))
