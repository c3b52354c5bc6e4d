"""A workers round: `troly06 run --workers 2` on PostgreSQL, each worker restarted in turn.

Users send messages at a steady rate; they reach the fake Telegram's webhook on several lanes
at once, each call on a new connection, so the kernel spreads them over the two workers
sharing the port. After a second's worth was answered the older worker is stopped (SIGTERM:
it finishes what it holds; or with `kill`, SIGKILL) and the supervisor starts it again; once
it is back, the other. Each starting worker meets a live one handling and sending replies:
every message must be answered once. Restarts are exact; a kill leaves the residue of the
ungated crash rounds (a reply the platform accepted in the very instant of the kill is sent
again).
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import tempfile
import time
from collections import Counter
from pathlib import Path

import psutil

from bot.testing import telegram_updates as tg
from bot.testing.crash import (
    SECRET,
    Outcome,
    _answers,
    _Bot,
    _env,
    _until,
    free_port,
    inbox_statuses,
)
from bot.testing.telegram_api import FakeTelegram

LANES = 8  # webhook calls at once, as Telegram's max_connections
# A send's round trip to the platform: each worker has replies in flight at any instant, as
# in production, so a worker starting meanwhile sees rows handled and not yet marked done.
SEND_S = 0.05


async def run_workers_round(
    db_url: str,
    *,
    rate_per_s: float = 40.0,
    users: int = 300,
    kill: bool = False,
    deadline_s: float = 180.0,
    folder: Path | None = None,
) -> Outcome:
    """One round on the (migrated or empty) PostgreSQL database at `db_url`.

    Users send `rate_per_s` messages a second, round robin, from before the first restart
    until the second restarted worker is up: each worker starts amid the traffic.
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="troly06-workers-"))
    outcome = Outcome("workers_kill" if kill else "workers_restart", 0, users)
    started = time.monotonic()
    async with FakeTelegram(record=False) as fake:
        fake.webhook_connections = LANES
        fake.send_latency_s = SEND_S
        port = free_port()
        env = _env(
            folder / "unused.db",
            TROLY06_TELEGRAM_TOKEN=fake.token,
            TROLY06_TELEGRAM_API_URL=fake.url,
            TROLY06_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
            TROLY06_WEBHOOK_PORT=str(port),
            TROLY06_WEBHOOK_SECRET=SECRET,
        )
        env["TROLY06_DB_URL"] = db_url
        senders: list[int] = []
        bot = _Bot(env, folder / "bot.log", "--workers", "2")
        stop_sending = asyncio.Event()
        pusher: asyncio.Task[None] | None = None

        async def push() -> None:
            while not stop_sending.is_set():
                user = 800_000 + len(senders) % users
                senders.append(user)
                fake.push(tg.command(user, "help"))
                await asyncio.sleep(1 / rate_per_s)

        try:
            bot.start()
            await _until(lambda: bool(fake.webhook_url) and _started(bot) == 2, 60.0, bot)
            pusher = asyncio.create_task(push())
            await _until(lambda: len(fake.sent) >= rate_per_s, deadline_s, bot)  # a second's
            outcome.answered_before_kill = len(fake.sent)
            for turn in (1, 2):  # the second once the first is back: messages still come
                _restart_oldest(bot, signal.SIGKILL if kill else signal.SIGTERM)
                await _until(lambda t=turn: _started(bot) == 2 + t, deadline_s, bot)
            await asyncio.sleep(1.0)  # the last one started amid the traffic too
            stop_sending.set()
            await pusher
            await _until(lambda: len(fake.sent) >= len(senders), deadline_s, bot)
            await asyncio.sleep(1.0)  # anything sent twice shows up now
            outcome.finished = True
        except TimeoutError:
            outcome.note = f"deadline of {deadline_s:.0f} s hit"
        except BaseException:
            bot.kill()
            raise
        finally:
            stop_sending.set()
            if pusher is not None:
                await pusher
            workers = _workers(bot)
            await bot.stop(within_s=40.0)
            for worker in workers:  # any the supervisor could not stop
                with contextlib.suppress(psutil.NoSuchProcess):
                    worker.kill()
        expected = Counter(senders)
        outcome.messages = len(senders)
        outcome.count(expected, _answers(fake, "webhook"))
    outcome.inbox = await inbox_statuses(db_url)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


def _workers(bot: _Bot) -> list[psutil.Process]:
    """The supervisor's worker processes, oldest first."""
    if bot.process is None or bot.process.poll() is not None:
        return []
    children = psutil.Process(bot.process.pid).children()
    return sorted(children, key=lambda child: child.create_time())


def _started(bot: _Bot) -> int:
    """How many workers have started (the log says so once each)."""
    try:
        return bot.log.read_text(errors="replace").count("bot.runtime: started telegram")
    except FileNotFoundError:
        return 0


def _restart_oldest(bot: _Bot, sig: signal.Signals) -> None:
    """Stop the oldest worker; the supervisor starts a new one in its place."""
    workers = _workers(bot)
    if len(workers) < 2:
        raise RuntimeError(f"expected 2 workers, found {len(workers)}; see {bot.log}")
    workers[0].send_signal(sig)
