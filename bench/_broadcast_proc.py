"""Processes for the broadcast bench and the kill test: the fake Telegram API, and the sender.

    python -m bench._broadcast_proc fake --rate 1000 --per-chat 1 --blocked 50 --random-429 0.01
    python -m bench._broadcast_proc sender --db URL --api URL --rate 1000

`fake` prints its URL on the first line, then serves; besides the fake's own control routes it
answers `GET /_bench/stats` (deliveries, duplicates, the first and last delivery time) and
`POST /_bench/hold` / `POST /_bench/drop`: hold every send request unanswered, then drop the
held ones without delivering them (a request still on its way when the sender was killed).
`sender` runs the real outbox sender with the real Telegram channel until nothing is left to
send (or forever with --forever), as `troly06 run` would.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from datetime import time as clock_time
from typing import Any

from aiohttp import web

from bot.testing.telegram_api import SEND_METHODS, FakeTelegram

logger = logging.getLogger(__name__)


class BenchTelegram(FakeTelegram):
    """The fake Telegram API, with delivery times and a way to hold requests in flight."""

    def __init__(self, **knobs: Any) -> None:
        super().__init__(**knobs)
        self.first_at: float | None = None
        self.last_at: float | None = None
        self.held: asyncio.Event | None = None
        self.held_count = 0

    def _deliver(
        self, method: str, params: dict[str, Any], files: Any, text: str, extra: Any = None
    ):  # type: ignore[no-untyped-def,override]
        now = time.monotonic()
        self.first_at = self.first_at or now
        self.last_at = now
        return super()._deliver(method, params, files, text, extra)

    async def _api(self, request: web.Request) -> web.Response:
        if self.held is not None and request.match_info["method"].lower() in SEND_METHODS:
            self.held_count += 1
            await self.held.wait()
            return web.json_response({"ok": False, "error_code": 502}, status=502)
        return await super()._api(request)

    async def start(self) -> BenchTelegram:
        await super().start()
        return self

    def stats(self) -> dict[str, Any]:
        extra = sum(n - 1 for n in self.delivered.values() if n > 1)
        return {
            "sent": len(self.sent),
            "chats": len(self.delivered),
            "duplicates": extra,
            "delivering_s": (self.last_at - self.first_at)
            if self.first_at and self.last_at
            else 0,
            "answers": dict(self.counts),
            "held": self.held_count,
        }


async def _serve_fake(args: argparse.Namespace) -> None:
    blocked = {
        chat
        for chat in range(args.first_chat, args.first_chat + args.chats)
        if args.blocked and (chat - args.first_chat) % args.blocked == 0
    }
    api = BenchTelegram(
        rate_per_s=args.rate or None,
        per_chat_interval_s=args.per_chat or None,
        random_429_share=args.random_429,
        retry_after=args.retry_after,
        blocked=blocked,
        record=False,
    )

    async def stats(request: web.Request) -> web.Response:
        return web.json_response({**api.stats(), "blocked_chats": len(blocked)})

    async def hold(request: web.Request) -> web.Response:
        api.held = asyncio.Event()
        return web.json_response({"holding": True})

    async def drop(request: web.Request) -> web.Response:
        if api.held is not None:
            event, api.held = api.held, None
            event.set()
        return web.json_response({"dropped": api.held_count})

    await api.start()
    assert api._runner is not None
    # The fake's own app is frozen once started: serve the bench routes on a second port.
    control = web.Application()
    control.router.add_get("/_bench/stats", stats)
    control.router.add_post("/_bench/hold", hold)
    control.router.add_post("/_bench/drop", drop)
    runner = web.AppRunner(control, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    control_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    print(f"{api.url} http://127.0.0.1:{control_port} {api.token}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
        await api.stop()


async def _run_sender(args: argparse.Namespace) -> None:
    from bot.app import build_app
    from bot.channels.telegram import TelegramChannel
    from bot.config import Settings
    from bot.services.sender import Sender
    from bot.storage.outbox import INFLIGHT, PENDING, SENDING, count_by_status

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        db_url=args.db,
        telegram_api_url=args.api,
        telegram_token=args.token,
        outbox_rate_per_s=args.rate,
        outbox_per_chat_interval_s=args.per_chat,
        outbox_journal_dir=args.journal_dir,
        quiet_start=clock_time(0, 0),  # the bench runs on the real clock, at any hour
        quiet_end=clock_time(0, 0),
    )
    app = await build_app(settings)
    channel = TelegramChannel(app.dispatcher, settings)
    await channel.outbox_bot.initialize()
    sender = Sender(app.db, app.clock, settings, [channel])
    await sender.start()
    print("sending", flush=True)
    try:
        while True:
            await asyncio.sleep(0.2)
            if args.forever:
                continue
            async with app.db.read() as tx:
                counts = await count_by_status(tx)
            if not any(counts.get(status) for status in (PENDING, SENDING, INFLIGHT)):
                break
    finally:
        await sender.stop()
        await channel.outbox_bot.shutdown()
        await app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench._broadcast_proc")
    sub = parser.add_subparsers(dest="what", required=True)
    fake = sub.add_parser("fake", help="the fake Telegram API with the bench's knobs")
    fake.add_argument("--rate", type=float, default=1000.0)
    fake.add_argument("--per-chat", type=float, default=1.0)
    fake.add_argument("--random-429", type=float, default=0.0)
    fake.add_argument("--retry-after", type=int, default=1)
    fake.add_argument("--first-chat", type=int, default=100_000)
    fake.add_argument("--chats", type=int, default=0)
    fake.add_argument("--blocked", type=int, default=0, help="every Nth chat blocked the bot")
    sender = sub.add_parser("sender", help="the outbox sender with the Telegram channel")
    sender.add_argument("--db", required=True)
    sender.add_argument("--api", required=True)
    sender.add_argument("--token", required=True)
    sender.add_argument("--rate", type=float, default=1000.0)
    sender.add_argument("--per-chat", type=float, default=1.0)
    sender.add_argument("--forever", action="store_true")
    sender.add_argument("--journal-dir", default="", help='the sent journals; "off": none')
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    # The sender's start says what a killed one left in flight (bench broadcast counts it).
    logging.getLogger("bot.services.sender.runner").setLevel(logging.INFO)
    run = _serve_fake if args.what == "fake" else _run_sender
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
