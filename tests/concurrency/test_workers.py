"""Two workers (two apps on one PostgreSQL) given messages of the same chats at once."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App, build_app
from bot.core.dispatcher import failure_text
from bot.core.inbound import Inbound


@pytest.mark.engines("postgresql")
async def test_messages_of_one_chat_run_one_at_a_time_across_workers(app: App) -> None:
    other = await build_app(app.settings, app.clock)  # a second worker on the same database
    try:
        # New people write to both workers at once: each chat's first message creates its
        # user; two at a time for one chat would clash and one would fail.
        messages = [
            worker.dispatcher.handle(
                Inbound(channel="telegram", chat_id=f"c{n}", user_id=f"c{n}", text=text)
            )
            for n in range(15)
            for worker, text in ((app, "/start"), (other, "/help"), (app, "/menu"))
        ]
        replies = await asyncio.gather(*messages)
    finally:
        await other.close()
    texts = [reply.text for batch in replies for reply in batch]
    assert failure_text() not in texts
    assert all(batch for batch in replies)


def test_several_workers_are_refused_where_they_would_clash() -> None:
    from bot.config import Settings
    from bot.supervisor import problem

    def settings(**values: str) -> Settings:
        return Settings(_env_file=None, **values)  # type: ignore[call-arg]

    pg = "postgresql+asyncpg://bot@127.0.0.1/bot"
    assert "PostgreSQL" in (problem(settings(db_url="sqlite+aiosqlite:///x.db"), 2) or "")
    assert "TROLY06_WEBHOOK_URL" in (problem(settings(db_url=pg, telegram_token="1:a"), 2) or "")
    telegram = {"telegram_token": "1:a", "webhook_url": "https://example.org/hook"}
    assert "SECRET" in (problem(settings(db_url=pg, **telegram), 2) or "")
    assert problem(settings(db_url=pg, webhook_secret="s" * 32, **telegram), 2) is None
    assert "webhook" in (problem(settings(db_url=pg, zalo_token="1:a"), 2) or "")
    hooked = {"zalo_token": "1:a", "zalo_webhook_url": "https://bot.example.vn/zalo/webhook"}
    assert "SECRET" in (problem(settings(db_url=pg, **hooked), 2) or "")
    assert problem(settings(db_url=pg, zalo_webhook_secret="s" * 32, **hooked), 4) is None
    assert problem(settings(db_url="sqlite+aiosqlite:///x.db"), 1) is None
