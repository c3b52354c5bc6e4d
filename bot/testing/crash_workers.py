"""Workers rounds on PostgreSQL: `troly06 run --workers 2`, each worker restarted in turn; and
two hosts sharing a port, one lost for good.

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
from sqlalchemy import distinct, func, select

from bot.storage import inbox as store
from bot.storage.db import Database
from bot.storage.tables.inbox import inbox
from bot.supervisor import WORKER_VARIABLE
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
    async with _fake() as fake:
        port = free_port()
        bot = _Bot(_webhook_env(fake, db_url, port, folder), folder / "bot.log", "--workers", "2")
        traffic = _Traffic(fake, rate_per_s, users)
        try:
            bot.start()
            await _until(lambda: bool(fake.webhook_url) and _started(bot) == 2, 60.0, bot)
            traffic.start()
            await _until(lambda: len(fake.sent) >= rate_per_s, deadline_s, bot)  # a second's
            outcome.answered_before_kill = len(fake.sent)
            for turn in (1, 2):  # the second once the first is back: messages still come
                _restart_oldest(bot, signal.SIGKILL if kill else signal.SIGTERM)
                await _until(lambda t=turn: _started(bot) == 2 + t, deadline_s, bot)
            await asyncio.sleep(1.0)  # the last one started amid the traffic too
            await traffic.stop()
            await _until(traffic.answered, deadline_s, bot)
            await asyncio.sleep(1.0)  # anything sent twice shows up now
            outcome.finished = True
        except TimeoutError:
            outcome.note = f"deadline of {deadline_s:.0f} s hit"
        except BaseException:
            bot.kill()
            raise
        finally:
            await traffic.stop()
            workers = _workers(bot)
            await bot.stop(within_s=40.0)
            for worker in workers:  # any the supervisor could not stop
                with contextlib.suppress(psutil.NoSuchProcess):
                    worker.kill()
        traffic.count(outcome)
    outcome.inbox = await inbox_statuses(db_url)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


async def run_host_lost_round(
    db_url: str,
    *,
    rate_per_s: float = 40.0,
    users: int = 300,
    deadline_s: float = 180.0,
    gate: bool = False,
    folder: Path | None = None,
) -> tuple[Outcome, float]:
    """Two `troly06 run` sharing a port, as two hosts behind one proxy; one is killed amid the
    traffic and never comes back. The other answers every message, those the dead one had
    received included (it takes them up once the dead one has been gone a while). Also: the
    seconds from the kill until every message is answered and no row is left open.

    With `gate`, sends are held before the kill until each host holds messages not handled
    yet, so the dead one surely leaves some; its sends held at the kill go out when the gate
    opens, and are sent again by the survivor (at most one per inbox slot).
    """
    folder = folder or Path(tempfile.mkdtemp(prefix="troly06-hosts-"))
    outcome = Outcome("host_lost", 0, users)
    started = time.monotonic()
    recovered_s = 0.0
    async with _fake() as fake:
        port = free_port()
        env = _webhook_env(fake, db_url, port, folder)
        hosts = [_Bot({**env, WORKER_VARIABLE: str(k)}, folder / f"host{k}.log") for k in (0, 1)]
        dead, survivor = hosts
        traffic = _Traffic(fake, rate_per_s, users)
        try:
            for host in hosts:
                host.start()
            await _until(
                lambda: bool(fake.webhook_url) and all(_started(h) == 1 for h in hosts),
                60.0,
                survivor,
            )
            traffic.start()
            await _until(lambda: len(fake.sent) >= rate_per_s, deadline_s, survivor)
            outcome.answered_before_kill = len(fake.sent)
            if gate:
                fake.gate.hold()
                await _until_both_hold_new(db_url, deadline_s)
            dead.kill()
            killed = time.monotonic()
            fake.gate.release()
            await asyncio.sleep(1.0)  # messages still come, all to the survivor now
            await traffic.stop()
            await _until(traffic.answered, deadline_s, survivor)
            await _until_settled(db_url, deadline_s)  # the dead one's rows taken up, if any
            recovered_s = round(time.monotonic() - killed, 1)
            await asyncio.sleep(1.0)  # anything sent twice shows up now
            outcome.finished = True
        except TimeoutError:
            outcome.note = f"deadline of {deadline_s:.0f} s hit"
        finally:
            await traffic.stop()
            for host in hosts:
                await host.stop(within_s=40.0)
        traffic.count(outcome)
    outcome.inbox = await inbox_statuses(db_url)
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome, recovered_s


async def _until_settled(db_url: str, within_s: float) -> None:
    """Until no inbox row is left new or handled (TimeoutError after)."""
    async with asyncio.timeout(within_s):
        while {store.NEW, store.HANDLED} & set(await inbox_statuses(db_url)):  # noqa: ASYNC110
            await asyncio.sleep(0.2)


async def _until_both_hold_new(db_url: str, within_s: float) -> None:
    """Until two workers each hold a message not handled yet (TimeoutError after)."""
    database = Database(db_url)
    try:
        async with asyncio.timeout(within_s):
            while True:
                async with database.read() as tx:
                    holders = await tx.scalar(
                        select(func.count(distinct(inbox.c.worker))).where(
                            inbox.c.status == store.NEW
                        )
                    )
                if holders and holders >= 2:
                    return
                await asyncio.sleep(0.1)
    finally:
        await database.close()


def _fake() -> FakeTelegram:
    fake = FakeTelegram(record=False)
    fake.webhook_connections = LANES
    fake.send_latency_s = SEND_S
    return fake


def _webhook_env(fake: FakeTelegram, db_url: str, port: int, folder: Path) -> dict[str, str]:
    env = _env(
        folder / "unused.db",
        TROLY06_TELEGRAM_TOKEN=fake.token,
        TROLY06_TELEGRAM_API_URL=fake.url,
        TROLY06_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
        TROLY06_WEBHOOK_PORT=str(port),
        TROLY06_WEBHOOK_SECRET=SECRET,
    )
    env["TROLY06_DB_URL"] = db_url
    return env


class _Traffic:
    """Users sending /help at a steady rate, round robin, to the fake's webhook."""

    def __init__(self, fake: FakeTelegram, rate_per_s: float, users: int) -> None:
        self.fake = fake
        self.rate_per_s = rate_per_s
        self.users = users
        self.senders: list[int] = []
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._push())

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task

    def answered(self) -> bool:
        """Whether every message sent so far has had its answer (once at least)."""
        got = _answers(self.fake, "webhook")
        return all(got[str(user)] >= n for user, n in Counter(self.senders).items())

    def count(self, outcome: Outcome) -> None:
        outcome.messages = len(self.senders)
        outcome.count(Counter(self.senders), _answers(self.fake, "webhook"))

    async def _push(self) -> None:
        while not self._stop.is_set():
            user = 800_000 + len(self.senders) % self.users
            self.senders.append(user)
            self.fake.push(tg.command(user, "help"))
            await asyncio.sleep(1 / self.rate_per_s)


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
