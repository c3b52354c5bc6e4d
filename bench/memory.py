"""The running bot's memory: `troly06 run` on the demo commune through an hour of traffic.

`python -m bench memory [--seconds 60] [--residents 300] [--deadline-s 300]`. Starts the bot
as a separate process (`troly06 run`: Telegram channel, sender, scheduler) on a copy of the
demo database, pointed at the fake Telegram server in this process, and plays a scripted hour
of a campaign day compressed into `--seconds`: residents asking the FAQ, starting and leaving
a booking, saying when they go to sea; team leads and village heads reading the missing list
and progress (with its chart) and exporting. Reports the bot's resident memory (RSS) after
start, at the end and at its peak, sampled twice a second. Target: < 200 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy.engine import make_url

from bench.common import temp_db_url
from bot.app import build_app
from bot.config import Settings
from bot.core.inbound import Inbound
from bot.demo import ensure_demo
from bot.services import identity
from bot.services.identity import Role
from bot.storage import places
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram

FIRST_RESIDENT = 700_000
STAFF = {800_001: Role.TEAM_LEAD, 800_002: Role.VILLAGE_HEAD, 800_003: Role.ADMIN}
RESIDENT_SCRIPT = (
    "/start",
    "ko nhan dc otp",
    "đặt lịch",
    "huỷ",
    "đi biển đến rằm",
    "huỷ",
    "lam the can cuoc cho con 5 tuoi",
    "cảm ơn",
)
STAFF_SCRIPT = ("/missing", "huỷ", "/progress", "/export", "huỷ", "/today", "menu")


async def prepare(url: str) -> None:
    """The demo commune, and staff who chat on Telegram (set-up, not measured)."""
    settings = Settings(db_url=url, _env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings)
    await ensure_demo(app)
    now = datetime.now(UTC)
    async with app.db.write() as tx:
        village = (await places.all_villages(tx))[0]
        for chat, role in STAFF.items():
            inbound = Inbound(channel="telegram", chat_id=str(chat), user_id=str(chat))
            actor = await identity.resolve(tx, inbound, now)
            scope = {"village_id": village.id} if role is Role.VILLAGE_HEAD else {}
            if role is Role.TEAM_LEAD:
                scope = {"commune_id": village.commune_id}
            await identity.grant(tx, actor.user_id, role, now, **scope)
    await app.close()


def schedule(residents: int) -> list[tuple[int, str]]:
    """Every message of the hour, interleaved: (chat, text) in sending order."""
    lanes = [[(FIRST_RESIDENT + n, text) for text in RESIDENT_SCRIPT] for n in range(residents)]
    lanes += [[(chat, text) for text in STAFF_SCRIPT * 3] for chat in STAFF]
    ordered: list[tuple[int, str]] = []
    for step in range(max(len(lane) for lane in lanes)):
        ordered += [lane[step] for lane in lanes if step < len(lane)]
    return ordered


def update_of(chat: int, text: str) -> dict[str, Any]:
    if text.startswith("/"):
        name, _, args = text[1:].partition(" ")
        return tg.command(chat, name, args)
    return tg.message(chat, text)


async def run(seconds: float, residents: int, deadline_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    url = temp_db_url("memory.db")
    await prepare(url)
    async with FakeTelegram() as api:
        env = {
            **os.environ,
            "TROLY06_DB_URL": url,
            "TROLY06_TELEGRAM_TOKEN": api.token,
            "TROLY06_TELEGRAM_API_URL": api.url,
            "TROLY06_QUIET_START": "00:00",  # the bench runs at any hour
            "TROLY06_QUIET_END": "00:00",
            "TROLY06_WEB_PORT": "0",
        }
        troly06 = Path(sys.executable).with_name("troly06")
        bot = await asyncio.create_subprocess_exec(
            str(troly06),
            "run",
            env=env,
            cwd=Path(str(make_url(url).database)).parent,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        process = psutil.Process(bot.pid)
        samples: list[float] = []

        def rss() -> float:
            return process.memory_info().rss / 2**20

        try:
            started = time.monotonic()
            await api.wait_calls("getMe", 1, within_s=max(1.0, deadline - started))
            after_start = rss()
            start_s = time.monotonic() - started

            messages = schedule(residents)
            gap = seconds / len(messages)
            began = time.monotonic()
            for index, (chat, text) in enumerate(messages):
                api.push(update_of(chat, text))
                if index % 20 == 0:
                    samples.append(rss())
                    pause = began + index * gap - time.monotonic()
                    if pause > 0:
                        await asyncio.sleep(pause)
                if time.monotonic() > deadline:
                    break
            left = max(1.0, deadline - time.monotonic())
            with contextlib.suppress(TimeoutError):  # the last updates taken
                await api.wait_for(lambda: api.pending_updates == 0, within_s=left)
            await asyncio.sleep(2.0)
            samples.append(rss())
            end = rss()
            played_s = time.monotonic() - began
        finally:
            if bot.returncode is None:
                bot.terminate()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(bot.wait(), 15)
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
        return {
            "messages": len(messages),
            "replies": len(api.sent),
            "played_s": round(played_s, 1),
            "start_s": round(start_s, 2),
            "rss_after_start_mb": round(after_start, 1),
            "rss_end_mb": round(end, 1),
            "rss_peak_mb": round(max(samples, default=end), 1),
            "target_mb": 200,
            "met": max(samples, default=end) < 200,
            "deadline_hit": time.monotonic() > deadline,
        }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="bench memory")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--residents", type=int, default=300)
    parser.add_argument("--deadline-s", type=float, default=300.0)
    args = parser.parse_args(argv)
    return asyncio.run(run(args.seconds, args.residents, args.deadline_s))
