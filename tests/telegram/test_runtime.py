"""`troly06 run`: starts what is configured, delivers, and stops cleanly."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.runtime import serve
from bot.storage.tables.delivery import outbox_leases
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import telegram_settings


async def test_without_a_channel_token_it_explains_and_exits_2(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    code = await serve(settings, handle_signals=False)

    assert code == 2
    assert "troly06 chat" in capsys.readouterr().err


async def test_it_answers_on_telegram_and_stops_cleanly(
    settings: Settings, fake_api: FakeTelegram
) -> None:
    stop = asyncio.Event()
    running = asyncio.create_task(
        serve(telegram_settings(settings, fake_api), stop, handle_signals=False)
    )
    fake_api.push(tg.command(31, "start"))
    await fake_api.wait_for(lambda: len(fake_api.sent_to(31)) == 1, within_s=30)

    stop.set()
    code = await asyncio.wait_for(running, 30)

    assert code == 0
    assert "Xin chào" in fake_api.sent_to(31)[0].text
    from bot.storage.db import Database

    db = Database(settings.db_url)
    async with db.read() as tx:  # the sender let go of its lease
        assert (await tx.execute(select(outbox_leases))).first() is None
    await db.close()


async def test_troly06_run_stops_on_sigterm(fake_api: FakeTelegram, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TROLY06_TELEGRAM_TOKEN": fake_api.token,
        "TROLY06_TELEGRAM_API_URL": fake_api.url,
        "TROLY06_DB_URL": f"sqlite+aiosqlite:///{tmp_path / 'run.db'}",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        await fake_api.wait_calls("setMyCommands", 2, within_s=60)
        fake_api.push(tg.command(32, "help"))
        await fake_api.wait_for(lambda: len(fake_api.sent_to(32)) == 1, within_s=30)
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()

    assert process.returncode == 0
    assert fake_api.token not in stderr.decode()
    assert "stopping" in stderr.decode()


async def test_it_runs_zalo_and_the_scheduler_beside_telegram(
    settings: Settings, fake_api: FakeTelegram
) -> None:
    from bot.testing.zalo_api import FakeZaloServer

    async with FakeZaloServer(poll_wait_s=0.2) as zalo:
        both = telegram_settings(settings, fake_api).model_copy(
            update={"zalo_token": zalo.token, "zalo_api_url": zalo.url}
        )
        stop = asyncio.Event()
        running = asyncio.create_task(serve(both, stop, handle_signals=False))
        fake_api.push(tg.command(32, "start"))
        await zalo.say("z-32", "/start")
        await fake_api.wait_for(lambda: len(fake_api.sent_to(32)) == 1, within_s=30)
        for _ in range(300):
            if zalo.texts_to("z-32"):
                break
            await asyncio.sleep(0.1)
        stop.set()
        code = await asyncio.wait_for(running, 30)

    assert code == 0
    assert "Xin chào" in zalo.texts_to("z-32")[0]
    jobs_file = Path(str(settings.db_url).split("///", 1)[1]).with_name("test-jobs.db")
    assert jobs_file.exists()  # the reminder scheduler ran with its persistent job store
