"""Zalo channel throughput: residents writing through the webhook, answered by the real core.

The fake Zalo API posts each message to the bot's webhook (with the secret) and records the
replies. Measured twice in the same run, on the same fake and web server: with a bare echo
handler (the channel's own cost) and with the real core on the demo commune. Reports
messages/s for both, their ratio, the core's time per message (p50/p99), and checks that
every message got its replies, in order per chat: each resident types the same script, so
each chat must receive exactly what one resident typing it alone received (`disordered_chats`
counts those that did not). Stops with `deadline_hit` after `--deadline-s`.

    python -m bench zalo [--users 60] [--messages 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Awaitable, Callable

from bench.common import percentile, temp_db_url
from bot.app import build_app
from bot.channels.zalo import ZaloApi, ZaloChannel
from bot.config import Settings
from bot.core.clock import SystemClock
from bot.core.inbound import Inbound
from bot.core.reply import Reply
from bot.demo import ensure_demo
from bot.storage.db import Database
from bot.testing.zalo_api import FakeZaloServer
from bot.web import MediaStore, WebServer, webhook_path

SECRET = "bench-zalo-secret"
SCRIPT = ("/start", "ko nhan dc otp", "lam the can cuoc o dau", "/help", "menu")

Handle = Callable[[Inbound], Awaitable[list[Reply]]]


async def echo(inbound: Inbound) -> list[Reply]:
    return [Reply(f"echo {inbound.text}")]


async def run(
    settings: Settings,
    db: Database,
    handle: Handle,
    users: int,
    messages: int,
    deadline_s: float,
) -> dict[str, float]:
    """Send users × messages through the webhook; seconds taken and replies seen."""
    local = settings.model_copy(update={"web_port": 0})
    async with FakeZaloServer(fetch_photos=False) as zalo:
        api = ZaloApi(zalo.token, zalo.url, timeout_s=30.0)
        channel = ZaloChannel(handle, api, db=db, webhook_secret=SECRET, typing_every_s=30.0)
        web = WebServer(local, MediaStore(SystemClock()), channel)
        await web.start()
        await channel.inbox.start()
        await channel.set_webhook(web.url + webhook_path(local))

        async def resident(chat: str) -> None:
            for index in range(messages):
                await zalo.say(chat, SCRIPT[index % len(SCRIPT)])

        reference_chat = f"reference-{id(handle)}"
        await resident(reference_chat)  # alone: what every chat should receive, in order
        await channel.drain()
        reference = zalo.texts_to(reference_chat)
        zalo.reset_calls()

        started = time.perf_counter()
        timed_out = False
        try:
            await asyncio.wait_for(
                asyncio.gather(*(resident(f"bench-{n}") for n in range(users))), deadline_s
            )
            await asyncio.wait_for(channel.drain(), deadline_s)
        except TimeoutError:
            timed_out = True
        elapsed = time.perf_counter() - started
        replies = len(zalo.calls_of("sendMessage"))
        received = [zalo.texts_to(f"bench-{n}") for n in range(users)]
        await channel.inbox.stop()
        await web.stop()
        await api.aclose()
    return {
        "seconds": elapsed,
        "replies": replies,
        "silent_chats": sum(1 for texts in received if not texts),
        "disordered_chats": sum(1 for texts in received if texts != reference),
        "deadline_hit": timed_out,
    }


def main(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser(prog="bench zalo")
    parser.add_argument("--users", type=int, default=60)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--deadline-s", type=float, default=300.0, help="per run")
    args = parser.parse_args(argv)
    return asyncio.run(_main(args.users, args.messages, args.deadline_s))


async def _main(users: int, messages: int, deadline_s: float) -> dict[str, object]:
    settings = Settings(db_url=temp_db_url(), _env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings)
    await ensure_demo(app)
    timings: list[float] = []

    async def core(inbound: Inbound) -> list[Reply]:
        started = time.perf_counter()
        replies = await app.dispatcher.handle(inbound)
        timings.append((time.perf_counter() - started) * 1000)
        return replies

    await core(Inbound(channel="zalo", chat_id="warm", user_id="warm", text="ko nhan dc otp"))
    timings.clear()
    total = users * messages
    bare = await run(settings, app.db, echo, users, messages, deadline_s)
    real = await run(settings, app.db, core, users, messages, deadline_s)
    await app.close()
    bare_rate, real_rate = total / bare["seconds"], total / real["seconds"]
    return {
        "messages": total,
        "bare_msgs_per_s": round(bare_rate, 1),
        "core_msgs_per_s": round(real_rate, 1),
        "ratio": round(real_rate / bare_rate, 3),
        "core_p50_ms": round(percentile(timings, 0.50), 2),
        "core_p99_ms": round(percentile(timings, 0.99), 2),
        "core_replies": real["replies"],
        "silent_chats": bare["silent_chats"] + real["silent_chats"],
        "disordered_chats": bare["disordered_chats"] + real["disordered_chats"],
        "deadline_hit": bool(bare["deadline_hit"] or real["deadline_hit"]),
    }
