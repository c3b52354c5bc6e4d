"""Updates per second through the PTB Application, as a ratio to a bare PTB echo bot.

`python -m bench updates [--updates N] [--users U] [--concurrency C]`

The fake Bot API runs in its own process (as Telegram would be elsewhere). Each phase
queues N updates at once and times until every answer reached the fake API. Phase 1 is a
bare echo bot (MessageHandler + reply_text) as PTB builds it (httpx), then the same echo on
aiohttp, the HTTP backend our channel plugs into PTB (`ratio_same_transport`: what is left once
the transport is the same); phase 2 is our Telegram channel with the real dispatcher on a
temporary SQLite file holding the demo commune. Both use the same number of
concurrent updates. Core time is the time spent inside `dispatcher.handle` per message.
CPU per update is this process's CPU time over each timed run: on a shared machine the rates
move with the load, the CPU much less, so `cpu_ratio` (echo's CPU per update over ours) is
the steadier figure to compare changes by.
Both are warmed up first: the echo bot with 200 updates, ours with one message of each
text (the FAQ model is fitted on the first question; statements are compiled once).
`statements_per_update` comes from a second, untimed run of the same updates on a fresh
database, where SQLite itself counts every statement it runs (BEGIN, COMMIT and the PRAGMAs
around BEGIN IMMEDIATE included): that count costs CPU, so the timed run does not pay it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from sqlalchemy import event
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.common import percentile, temp_db_url
from bot.app import build_app
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_request import AiohttpRequest
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.inbound import Inbound
from bot.demo import ensure_demo
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import DEFAULT_TOKEN

CONCURRENT_UPDATES = 4
TEXTS = (
    "/start",
    "/help",
    "kich hoat dinh danh muc 2 the nao",
    "/menu",
    "1",
    "/lang",
    "Cho tôi hỏi làm căn cước ở đâu?",
    "/cancel",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeServer:
    """The fake Bot API in a child process, driven through its control endpoints."""

    def __init__(self, first_update_id: int = 1) -> None:
        self.first_update_id = first_update_id  # fakes serving one bot must not repeat ids
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.client = httpx.AsyncClient(base_url=self.url, timeout=30)

    async def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: ASYNC220 (starts at once; not waited on)
            [
                *(sys.executable, "-m", "bot.testing.telegram_api", "--port", str(self.port)),
                *("--first-update-id", str(self.first_update_id)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                await self.client.get("/_fake/stats")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
        raise RuntimeError("the fake Bot API did not start")

    async def stop(self) -> None:
        await self.client.aclose()
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    async def push(self, updates: list[dict[str, Any]]) -> None:
        await self.client.post("/_fake/updates", json=updates)

    async def sent(self) -> int:
        return int((await self.client.get("/_fake/stats")).json()["sent"])

    async def reset(self) -> None:
        await self.client.post("/_fake/reset")


def make_updates(count: int, users: int) -> list[dict[str, Any]]:
    """`count` messages from `users` people, each walking through TEXTS in turn."""
    return [
        tg.message(1_000_000 + n % users, TEXTS[(n // users) % len(TEXTS)]) for n in range(count)
    ]


# Our process's CPU seconds in each timed run (its polling of the fake included, as in both
# phases): less sensitive than the rates to what else runs on the machine.
CPU_SECONDS: list[float] = []


class Deadline(Exception):
    """A phase did not finish in time: what was missing."""


async def timed_run(
    server: FakeServer,
    start: Callable[[], Awaitable[None]],
    stop: Callable[[], Awaitable[None]],
    updates: list[dict[str, Any]],
    done: Callable[[int], Awaitable[bool]],
    deadline_s: float,
) -> float:
    """Seconds from queueing `updates` until `done(sent)` holds; Deadline after `deadline_s`."""
    await server.reset()
    await start()
    begin, cpu = time.perf_counter(), time.process_time()
    await server.push(updates)
    try:
        while True:  # poll the other process: it has no way to call us back
            sent = await server.sent()
            if await done(sent):
                break
            if time.perf_counter() - begin > deadline_s:
                raise Deadline(
                    f"{sent} answers for {len(updates)} updates after {deadline_s:.0f} s"
                )
            await asyncio.sleep(0.01)
        CPU_SECONDS.append(time.process_time() - cpu)
        return time.perf_counter() - begin
    finally:
        await stop()


async def echo_phase(
    server: FakeServer,
    updates: list[dict[str, Any]],
    concurrency: int,
    deadline_s: float,
    *,
    aiohttp: bool = False,
) -> float:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.text is not None
        await update.message.reply_text(update.message.text)

    builder = (
        Application.builder()
        .token(DEFAULT_TOKEN)
        .base_url(f"{server.url}/bot")
        .concurrent_updates(concurrency)
        .job_queue(None)
    )
    if aiohttp:  # the same HTTP backend as our channel (PTB's default is httpx)
        builder = builder.request(AiohttpRequest()).get_updates_request(AiohttpRequest(1))
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, echo))
    await application.initialize()
    await application.start()
    updater = application.updater
    assert updater is not None

    async def done(sent: int) -> bool:
        return sent >= len(updates)

    async def start() -> None:
        await updater.start_polling(timeout=1, allowed_updates=[Update.MESSAGE])

    try:
        return await timed_run(server, start, updater.stop, updates, done, deadline_s)
    finally:
        await application.stop()
        await application.shutdown()


async def bot_phase(
    server: FakeServer,
    updates: list[dict[str, Any]],
    concurrency: int,
    deadline_s: float,
    *,
    trace: bool = False,
) -> tuple[float, list[float], float]:
    """Seconds for `updates`, the core's time per message, statements per update (`trace`:
    counted by SQLite itself, which costs CPU, so the timed run does not count them)."""
    settings = Settings(
        db_url=temp_db_url(), telegram_token=DEFAULT_TOKEN, telegram_api_url=server.url
    )  # type: ignore[call-arg]
    app = await build_app(settings, SystemClock())
    await ensure_demo(app)
    # Warm up as the echo bot was: the FAQ model is fitted on the first question, and every
    # statement is compiled once; a running bot has done both long before.
    for text in TEXTS:
        await app.dispatcher.handle(
            Inbound(channel="console", chat_id="warm", user_id="warm", text=text)
        )
    core_ms: list[float] = []
    counted = {"handled": 0, "replies": 0, "statements": 0}
    handle = app.dispatcher.handle

    async def timed_handle(inbound: Any) -> Any:
        started = time.perf_counter()
        replies = await handle(inbound)
        core_ms.append((time.perf_counter() - started) * 1000)
        counted["handled"] += 1
        counted["replies"] += len(replies)
        return replies

    app.dispatcher.handle = timed_handle  # type: ignore[method-assign]

    def count_statement(_sql: str) -> None:
        counted["statements"] += 1

    if trace:
        await count_statements(app, count_statement)
    channel = TelegramChannel(app.dispatcher, settings, concurrency=concurrency, poll_timeout_s=1)

    async def done(sent: int) -> bool:
        return counted["handled"] >= len(updates) and sent >= counted["replies"]

    try:
        elapsed = await timed_run(server, channel.start, channel.stop, updates, done, deadline_s)
    finally:
        await app.close()
    return elapsed, core_ms, counted["statements"] / len(updates)


async def count_statements(app: Any, count: Callable[[str], None]) -> None:
    """Count every statement SQLite runs (BEGIN and COMMIT too), however it was sent: some go
    through SQLAlchemy, the message's own go straight to the connection (storage/prepared)."""

    def trace(dbapi_connection: Any) -> None:
        dbapi_connection.driver_connection._conn.set_trace_callback(count)

    event.listen(app.db.engine.sync_engine.pool, "checkout", lambda conn, *_: trace(conn))
    async with app.db.write() as tx:  # the kept write connection, already checked out
        trace((await tx.get_raw_connection()).dbapi_connection)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    server = FakeServer()
    await server.start()
    try:
        warm = make_updates(200, 50)
        # warm up imports and connections
        await echo_phase(server, warm, args.concurrency, args.deadline)
        updates = make_updates(args.updates, args.users)
        echo_s = await echo_phase(server, updates, args.concurrency, args.deadline)
        echo_cpu = CPU_SECONDS[-1]
        await echo_phase(server, warm, args.concurrency, args.deadline, aiohttp=True)
        same_s = await echo_phase(server, updates, args.concurrency, args.deadline, aiohttp=True)
        same_cpu = CPU_SECONDS[-1]
        bot_s, core_ms, _ = await bot_phase(server, updates, args.concurrency, args.deadline)
        bot_cpu = CPU_SECONDS[-1]
        *_, statements = await bot_phase(
            server, updates, args.concurrency, args.deadline, trace=True
        )
    except Deadline as missing:
        return {"updates": args.updates, "missing": str(missing)}
    finally:
        await server.stop()
    echo_rate = args.updates / echo_s
    bot_rate = args.updates / bot_s
    return {
        "updates": args.updates,
        "users": args.users,
        "concurrency": args.concurrency,
        "bot_updates_per_s": round(bot_rate, 1),
        "echo_updates_per_s": round(echo_rate, 1),
        "ratio": round(bot_rate / echo_rate, 3),
        "core_p50_ms": round(percentile(core_ms, 0.50), 2),
        "core_p99_ms": round(percentile(core_ms, 0.99), 2),
        "core_max_ms": round(max(core_ms), 2),
        "statements_per_update": round(statements, 2),  # run by SQLite: inbox, BEGIN, COMMIT too
        "bot_cpu_ms_per_update": round(bot_cpu * 1000 / args.updates, 2),
        "echo_cpu_ms_per_update": round(echo_cpu * 1000 / args.updates, 2),
        "cpu_ratio": round(echo_cpu / bot_cpu, 3),  # as `ratio`, in CPU per update
        # The same echo on our HTTP backend (aiohttp): how much of the gain is not transport.
        "echo_aiohttp_updates_per_s": round(args.updates / same_s, 1),
        "echo_aiohttp_cpu_ms_per_update": round(same_cpu * 1000 / args.updates, 2),
        "ratio_same_transport": round(bot_rate / (args.updates / same_s), 3),
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench updates")
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=CONCURRENT_UPDATES)
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds per phase")
    return asyncio.run(run(parser.parse_args(argv)))
