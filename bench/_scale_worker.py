"""Worker processes for `python -m bench scale` (not a bench of its own).

`leader URL`: a bot worker's scheduler under the leader lock; prints "leading <unix time>"
when it starts leading, then runs until killed.
`updates URL SHARE GO`: the Telegram channel with the real dispatcher on the shared
database, polling its own fake Bot API for its share of the chats; waits for the file GO,
then prints the seconds it took to answer its share.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from typing import Any

from bot.app import build_app
from bot.config import Settings
from bot.core.clock import SystemClock

DEADLINE_S = 300.0  # a round that answers nothing for this long stops and says what was missing


async def leader(url: str) -> None:
    from bot.services.leader import Leader
    from reminders.scheduler import ReminderScheduler

    settings = Settings(
        db_url=url, quiet_start="00:00", quiet_end="00:00", reminder_poll_s=1, _env_file=None
    )  # type: ignore[call-arg]
    app = await build_app(settings, SystemClock())
    scheduler = ReminderScheduler(app.db, app.clock, settings, name=f"w{os.getpid()}")
    lead = Leader(app.db, scheduler, retry_s=1.0)
    await lead.start()
    await lead.leading.wait()
    sys.stdout.write(f"leading {time.time()}\n")
    sys.stdout.flush()
    await asyncio.Event().wait()


async def updates(url: str, users: str, count: int, go: str) -> None:
    from bench.updates import TEXTS, FakeServer, timed_run
    from bot.channels.telegram import TelegramChannel
    from bot.testing import telegram_updates as tg
    from bot.testing.telegram_api import DEFAULT_TOKEN

    first, step, n_users = (int(x) for x in users.split(":"))
    server = FakeServer(first_update_id=1 + first * 10_000_000)  # one bot: ids never repeat
    await server.start()
    settings = Settings(
        db_url=url, telegram_token=DEFAULT_TOKEN, telegram_api_url=server.url, _env_file=None
    )  # type: ignore[call-arg]
    app = await build_app(settings, SystemClock())
    handled = {"n": 0, "replies": 0}
    handle = app.dispatcher.handle

    async def counting(inbound: Any) -> Any:
        replies = await handle(inbound)
        handled["n"] += 1
        handled["replies"] += len(replies)
        return replies

    app.dispatcher.handle = counting  # type: ignore[method-assign]
    channel = TelegramChannel(app.dispatcher, settings, poll_timeout_s=1)
    # This worker's chats: every `step`-th of the users, starting at `first`.
    mine = [u for u in range(n_users) if u % step == first]
    batch = [
        tg.message(1_000_000 + mine[n % len(mine)], TEXTS[(n // len(mine)) % len(TEXTS)])
        for n in range(count)
    ]

    async def done(sent: int) -> bool:
        return handled["n"] >= count and sent >= handled["replies"]

    try:
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        while not os.path.exists(go):  # noqa: ASYNC240, ASYNC110
            await asyncio.sleep(0.005)
        elapsed = await timed_run(server, channel.start, channel.stop, batch, done, DEADLINE_S)
        sys.stdout.write(f"{elapsed}\n")
        sys.stdout.flush()
    finally:
        await app.close()
        await server.stop()


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    if argv[0] == "leader":
        asyncio.run(leader(argv[1]))
    elif argv[0] == "updates":
        asyncio.run(updates(argv[1], argv[2], int(argv[3]), argv[4]))


if __name__ == "__main__":
    main(sys.argv[1:])
