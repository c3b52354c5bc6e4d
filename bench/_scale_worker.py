"""Worker processes for `python -m bench scale` (not a bench of its own).

`leader URL`: a bot worker's scheduler under the leader lock; prints "leading <unix time>"
when it starts leading, then runs until killed.
`updates URL API_URL PORT [EXTRA_MS]`: the Telegram channel with the real dispatcher on the shared
database, in webhook mode on PORT, which every worker binds (SO_REUSEPORT: run it with
TROLY06_WORKER_INDEX set), answering through the one fake Bot API at API_URL; prints "ready"
once serving, and on SIGTERM stops and prints as JSON what it handled, the replies, the CPU
seconds it used from "ready" to the SIGTERM, and its peak memory. EXTRA_MS (a diagnostic of
`bench scale --extra-cpu-ms`): CPU milliseconds spent in a busy loop after each message.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from typing import Any

from bench.common import peak_rss_mb
from bot.app import build_app
from bot.config import Settings
from bot.core.clock import SystemClock

WEBHOOK_PATH = "/telegram-hook"
WEBHOOK_SECRET = "scale-bench-" + "s" * 20


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


async def updates(url: str, api_url: str, port: int, extra_ms: float = 0.0) -> None:
    from bench.updates import TEXTS
    from bot.channels.telegram import TelegramChannel
    from bot.core.inbound import Inbound
    from bot.testing.telegram_api import DEFAULT_TOKEN

    settings = Settings(
        db_url=url,
        telegram_token=DEFAULT_TOKEN,
        telegram_api_url=api_url,
        webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_PATH}",
        webhook_port=port,
        webhook_secret=WEBHOOK_SECRET,
        _env_file=None,
    )  # type: ignore[call-arg]
    app = await build_app(settings, SystemClock())
    # Warm up as a running bot has long been: the FAQ model fitted, every statement compiled.
    # A user of its own per worker: one user's first messages in two workers at once would
    # race to create the same identity.
    warm = f"warm{os.getpid()}"
    for text in TEXTS:
        await app.dispatcher.handle(
            Inbound(channel="console", chat_id=warm, user_id=warm, text=text)
        )
    counted: dict[str, float] = {"handled": 0, "replies": 0}
    handle = app.dispatcher.handle

    async def counting(inbound: Any) -> Any:
        replies = await handle(inbound)
        if extra_ms:
            _spin(extra_ms / 1000)
        counted["handled"] += 1
        counted["replies"] += len(replies)
        return replies

    app.dispatcher.handle = counting  # type: ignore[method-assign]
    channel = TelegramChannel(app.dispatcher, settings)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await channel.start()  # its web server shares `port` with the other workers
        sys.stdout.write("ready\n")
        sys.stdout.flush()
        ready_cpu = time.process_time()
        await stop.wait()
        counted["cpu_s"] = round(time.process_time() - ready_cpu, 3)  # serving, not starting
        counted["peak_rss_mb"] = peak_rss_mb()
        await channel.stop()
        sys.stdout.write(json.dumps(counted) + "\n")
        sys.stdout.flush()
    finally:
        await app.close()


def _spin(seconds: float) -> None:
    until = time.process_time() + seconds
    while time.process_time() < until:
        pass


def main(argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING)
    if argv[0] == "leader":
        asyncio.run(leader(argv[1]))
    elif argv[0] == "updates":
        asyncio.run(updates(argv[1], argv[2], int(argv[3]), *map(float, argv[4:5])))


if __name__ == "__main__":
    main(sys.argv[1:])
