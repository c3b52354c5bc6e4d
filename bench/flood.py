"""One user floods the bot with 1,000 messages while 20 others ask for /help.

Through the real Telegram channel (our getUpdates loop, the inbox, the per-chat queues, the
per-user flood limit) against the fake Bot API on 127.0.0.1. Three rounds, each on a fresh
database: the 20 alone; with the flooder; with the flooder and no flood limit (the per-chat
queues alone). Latency is from queueing the /help at the fake to the fake receiving the
answer. Each round has a deadline and says what was missing when it hits it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
from typing import Any

from bench.common import percentile, temp_db_url
from bot.app import build_app
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.storage import inbox as store
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram

FLOODER = 900_000
OTHERS = 910_000


async def one_round(flood: int, others: int, limit: int, deadline_s: float) -> dict[str, Any]:
    async with FakeTelegram() as api:
        settings = Settings(
            db_url=temp_db_url(),
            telegram_token=api.token,
            telegram_api_url=api.url,
            flood_messages=limit,
            _env_file=None,
        )  # type: ignore[call-arg]
        app = await build_app(settings, SystemClock())
        channel = TelegramChannel(app.dispatcher, settings, poll_timeout_s=1)
        await channel.start()
        try:
            for n in range(flood):
                api.push(tg.message(FLOODER, f"tin {n}"))
            pushed = time.monotonic()
            for n in range(others):
                api.push(tg.command(OTHERS + n, "help"))
            missing = set(range(others))
            try:
                await api.wait_for(
                    lambda: all(api.sent_to(OTHERS + n) for n in range(others)), deadline_s
                )
                missing = set()
            except TimeoutError:
                missing = {n for n in range(others) if not api.sent_to(OTHERS + n)}
            first = {}
            for call in api.calls("sendMessage"):
                chat = int(call.params.get("chat_id", 0))
                first.setdefault(chat, call.at)
            latencies = [first[OTHERS + n] - pushed for n in range(others) if OTHERS + n in first]
            with_flooder = len(api.sent_to(FLOODER))
            async with app.db.read() as tx:
                rows = await store.count_by_status(tx, "telegram")
        finally:
            await channel.stop()
            await app.close()
    result: dict[str, Any] = {
        "p50_s": round(percentile(latencies, 0.50), 3),
        "p99_s": round(percentile(latencies, 0.99), 3),
        "answered": len(latencies),
        "flooder_answers": with_flooder,
        "inbox": rows,
    }
    if missing:
        result["missing"] = f"{len(missing)} of {others} users had no answer after {deadline_s} s"
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.ERROR)
    await one_round(30, 2, args.limit, args.deadline)  # warm up: the FAQ index, imports
    alone = await one_round(0, args.others, args.limit, args.deadline)
    flooded = await one_round(args.flood, args.others, args.limit, args.deadline)
    no_limit = await one_round(args.flood, args.others, 0, args.deadline)
    return {
        "flood_messages": args.flood,
        "others": args.others,
        "limit": f"{args.limit} in 10 s",
        "alone_p50_s": alone["p50_s"],
        "alone_p99_s": alone["p99_s"],
        "flooded_p50_s": flooded["p50_s"],
        "flooded_p99_s": flooded["p99_s"],
        "flooder_answers": flooded["flooder_answers"],
        "flooded_inbox": flooded["inbox"],
        "no_limit_p50_s": no_limit["p50_s"],
        "no_limit_p99_s": no_limit["p99_s"],
        "target_p99_s": 2.0,
        "missing": [r["missing"] for r in (alone, flooded, no_limit) if "missing" in r],
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench flood")
    parser.add_argument("--flood", type=int, default=1000)
    parser.add_argument("--others", type=int, default=20)
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=120.0)
    return asyncio.run(run(parser.parse_args(argv)))
