"""Shared fixtures: a migrated app on a temporary SQLite file, a controlled clock, a chat."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.core.i18n import use_locale
from tests.driver import ChatDriver

# 2026-12-01 08:00 in Asia/Ho_Chi_Minh.
START = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that tries to reach beyond this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if (
            isinstance(host, str)
            and host not in ("127.0.0.1", "localhost", "::1")
            and (self.family in (socket.AF_INET, socket.AF_INET6))
        ):
            pytest.fail(f"test tried to reach {host}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    with use_locale("vi"):
        yield


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(db_url=db_url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    app = await build_app(settings, clock)
    yield app
    await app.close()


@pytest.fixture
async def demo_app(app: App) -> App:
    """The app with the demo commune loaded."""
    from bot.demo import ensure_demo

    await ensure_demo(app)
    return app


@pytest.fixture
def chat(app: App) -> ChatDriver:
    return ChatDriver(app)


@pytest.fixture
def make_chat(app: App) -> Callable[..., ChatDriver]:
    def make(user_id: str = "u1", channel: str = "console") -> ChatDriver:
        return ChatDriver(app, user_id, channel)

    return make
