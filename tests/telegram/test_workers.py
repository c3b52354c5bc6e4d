"""Telegram with several workers: each serves the webhook on one shared port (SO_REUSEPORT)."""

from __future__ import annotations

import httpx
import pytest

from bot.app import App, build_app
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.supervisor import WORKER_VARIABLE
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.journeys.drivers import RecordingDispatcher
from tests.telegram.conftest import telegram_settings
from tests.telegram.test_webhook import free_port

USERS = 30


@pytest.mark.engines("postgresql")
async def test_two_workers_share_the_webhook_port_and_answer_each_update_once(
    app: App, settings: Settings, fake_api: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WORKER_VARIABLE, "0")  # a worker: its web server shares the port
    port = free_port()
    hooked = telegram_settings(
        settings,
        fake_api,
        webhook_url=f"http://127.0.0.1:{port}/telegram-hook",
        webhook_port=port,
        webhook_secret="s" * 32,
    )
    other = await build_app(app.settings, app.clock)  # the second worker, on the same database
    recorders = [RecordingDispatcher(a.dispatcher) for a in (app, other)]
    workers = [TelegramChannel(r, hooked) for r in recorders]  # type: ignore[arg-type]
    try:
        for worker in workers:
            await worker.start()
        ports = [worker.web.port if worker.web else 0 for worker in workers]
        for user in range(USERS):
            fake_api.push(tg.command(9000 + user, "help"))
            fake_api.push(tg.message(9000 + user, "/menu"))
        secret = {"X-Telegram-Bot-Api-Secret-Token": "s" * 32}
        for n in range(USERS):  # a new connection each: the kernel spreads them over workers
            async with httpx.AsyncClient() as client:
                update = {"update_id": 50_000 + n, **tg.message(8000 + n, "/help")}
                await client.post(hooked.webhook_url, json=update, headers=secret)
        await fake_api.wait_for(
            lambda: (
                all(len(fake_api.sent_to(9000 + u)) >= 2 for u in range(USERS))
                and all(fake_api.sent_to(8000 + u) for u in range(USERS))
            ),
            60,
        )
    finally:
        for worker in workers:
            await worker.stop()
        await other.close()

    assert ports == [port, port]
    assert all(r.answered for r in recorders)  # both workers took updates
    assert all(len(fake_api.sent_to(8000 + u)) == 1 for u in range(USERS))
    for user in range(USERS):  # each update answered once, in the order it was sent
        sent = fake_api.sent_to(9000 + user)
        assert len(sent) == 2
        assert sent[0].text != "Bạn cần gì?" and sent[1].text == "Bạn cần gì?"
    assert {c.params["secret_token"] for c in fake_api.calls("setWebhook")} == {"s" * 32}
