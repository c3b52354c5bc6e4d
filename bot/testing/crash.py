"""Crash rounds: `troly06 run` in a subprocess against a fake platform, kill -9, restart.

Messages from many users are queued (Telegram polling), posted (Telegram's webhook, retried
while the bot is down, as Telegram does) or posted to the Zalo webhook (retried likewise);
the bot is killed with SIGKILL once part of them were answered, started again, and each
user's answers are counted at the fake server. With `gate`, the fake holds new send
requests for a moment before the kill and drops them after it, so no request is cut halfway
(a request the platform accepted in the very instant of the kill would be sent again after
the restart: that residue is what the ungated round measures).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from bot.testing.zalo_api import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.testing.zalo_api import FakeZaloServer

MODES = ("polling", "webhook", "zalo")
# Zalo polling: getUpdates has no offset, so an answer being read at the kill is lost (the
# poll journal keeps every answer read); not exact, so the bench measures it, no test asserts.
ALL_MODES = (*MODES, "zalo_polling")
SECRET = "crash-round-secret-0123456789"


@dataclass
class Outcome:
    mode: str
    messages: int
    users: int
    answered_before_kill: int = 0
    missing: int = 0  # messages never answered
    duplicates: int = 0  # answers beyond one per message
    users_exact: int = 0  # users answered exactly once per message
    seconds: float = 0.0
    finished: bool = False
    note: str = ""
    inbox: dict[str, int] = field(default_factory=dict)

    @property
    def exact(self) -> bool:
        return self.finished and self.missing == 0 and self.duplicates == 0

    def count(self, expected: Counter[Any], got: Counter[str]) -> None:
        """Messages sent per user against answers received per chat (a user's own chat)."""
        self.missing = sum(max(0, n - got.get(str(u), 0)) for u, n in expected.items())
        self.duplicates = sum(max(0, got.get(str(u), 0) - n) for u, n in expected.items())
        self.users_exact = sum(1 for u, n in expected.items() if got.get(str(u), 0) == n)
        if self.missing and not self.note:
            self.note = f"{self.missing} messages never answered"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Bot:
    """`python -m bot run` with an environment; logs to a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.env = env
        self.log = log
        self.args = args  # after `run`: --workers N
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", *self.args],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.env.get("TROLY06_CWD", os.getcwd()),
            )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    async def stop(self, within_s: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + within_s
        while self.process.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        self.kill()


def _env(db: Path, **more: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TROLY06_")}
    env.update(
        {
            "TROLY06_DB_URL": f"sqlite+aiosqlite:///{db}",
            "TROLY06_QUIET_START": "00:00",
            "TROLY06_QUIET_END": "00:00",
            **more,
        }
    )
    return env


def _plan(messages: int, users: int, first_user: int) -> list[int]:
    """Who sends each message: round robin over the users."""
    return [first_user + n % users for n in range(messages)]


async def run_round(
    mode: str,
    *,
    messages: int = 1000,
    users: int = 300,
    kill_at: float = 0.4,
    gate: bool = True,
    deadline_s: float = 180.0,
    folder: Path | None = None,
) -> Outcome:
    """One round: queue, start, kill -9 when `kill_at` of the messages were answered, restart."""
    if mode not in ALL_MODES:
        raise ValueError(mode)
    folder = folder or Path(tempfile.mkdtemp(prefix="troly06-crash-"))
    db = folder / "crash.db"
    outcome = Outcome(mode, messages, users)
    started = time.monotonic()
    zalo = mode.startswith("zalo")
    fake: Any = FakeZaloServer(poll_wait_s=1.0) if zalo else FakeTelegram(record=False)
    async with fake:
        port = free_port()
        if mode == "zalo":
            env = _env(
                db,
                TROLY06_ZALO_TOKEN=fake.token,
                TROLY06_ZALO_API_URL=fake.url,
                TROLY06_ZALO_WEBHOOK_URL=f"http://127.0.0.1:{port}/zalo/webhook",
                TROLY06_ZALO_WEBHOOK_SECRET=SECRET,
                TROLY06_WEB_PORT=str(port),
            )
        elif mode == "zalo_polling":
            env = _env(
                db,
                TROLY06_ZALO_TOKEN=fake.token,
                TROLY06_ZALO_API_URL=fake.url,
                TROLY06_WEB_PORT=str(port),
            )
        else:
            env = _env(db, TROLY06_TELEGRAM_TOKEN=fake.token, TROLY06_TELEGRAM_API_URL=fake.url)
            if mode == "webhook":
                env.update(
                    TROLY06_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg",
                    TROLY06_WEBHOOK_PORT=str(port),
                    TROLY06_WEBHOOK_SECRET=SECRET,
                )
        senders = _plan(messages, users, 700_000)
        expected = Counter(senders)
        bot = _Bot(env, folder / "bot.log")
        pusher: asyncio.Task[None] | None = None

        def answered() -> int:
            if zalo:
                return len(fake.calls_of("sendMessage"))
            return len(fake.sent)

        try:
            if mode == "polling":
                for user in senders:
                    fake.push(tg.command(user, "help"))
            elif mode == "zalo_polling":
                for user in senders:
                    await fake.say(str(user), "/help")
            bot.start()
            if mode == "webhook":
                await _until(lambda: bool(fake.webhook_url), 60.0, bot)
                for user in senders:
                    fake.push(tg.command(user, "help"))
            elif mode == "zalo":
                await _until(lambda: bool(fake.webhook_url), 60.0, bot)
                pusher = asyncio.create_task(_push_zalo(fake, senders))
            await _until(lambda: answered() >= kill_at * messages, deadline_s, bot)
            if gate:
                fake.gate.hold()
                await _settled(fake, db)
            bot.kill()
            outcome.answered_before_kill = answered()
            if gate:
                fake.gate.release(drop=True)
            await asyncio.sleep(0.2)
            bot.start()
            await _until(lambda: answered() >= messages, deadline_s, bot)
            await asyncio.sleep(1.0)  # anything sent twice shows up now
            outcome.finished = True
        except TimeoutError:
            outcome.note = f"deadline of {deadline_s:.0f} s hit"
        except BaseException:  # cancelled or failed: never leave the bot running
            bot.kill()
            raise
        finally:
            if pusher is not None:
                pusher.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await pusher
            await bot.stop()
        outcome.count(expected, _answers(fake, mode))
    outcome.inbox = await inbox_statuses(f"sqlite+aiosqlite:///{db}")
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


async def _until(condition: Any, within_s: float, bot: _Bot) -> None:
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError
        if bot.process is not None and bot.process.poll() not in (None, -signal.SIGKILL):
            raise RuntimeError(f"the bot exited with {bot.process.returncode}; see {bot.log}")
        await asyncio.sleep(0.02)


async def _settled(fake: Any, db: Path, within_s: float = 15.0) -> None:
    """Wait until every answered row is marked done: what is left open is what is held."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        await asyncio.sleep(0.2)
        handled = (await inbox_statuses(f"sqlite+aiosqlite:///{db}")).get("handled", 0)
        if handled <= fake.gate.holding:
            return


async def _push_zalo(fake: FakeZaloServer, senders: list[int]) -> None:
    """Post each message to the webhook until it is taken (as a platform retries)."""
    async with aiohttp.ClientSession() as session:
        for user in senders:
            body = {"ok": True, "result": fake.update(str(user), "/help")}
            while True:
                try:
                    async with session.post(
                        fake.webhook_url, json=body, headers={ZALO_SECRET_HEADER: SECRET}
                    ) as response:
                        if response.status == 200:
                            break
                except (aiohttp.ClientError, OSError):
                    pass
                await asyncio.sleep(0.1)


def _answers(fake: Any, mode: str) -> Counter[str]:
    if mode.startswith("zalo"):
        return Counter(str(call["chat_id"]) for call in fake.calls_of("sendMessage"))
    return Counter(str(sent.chat_id) for sent in fake.sent)


async def inbox_statuses(db_url: str) -> dict[str, int]:
    """How many inbox rows are in each status ({} if the database cannot be read)."""
    from bot.storage import inbox as store
    from bot.storage.db import Database

    database = Database(db_url)
    try:
        async with database.read() as tx:
            return await store.count_by_status(tx)
    except Exception:
        return {}
    finally:
        await database.close()
