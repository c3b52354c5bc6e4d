"""Shared fixtures: a migrated app on each engine, a controlled clock, a chat.

Every test that uses a database runs twice, `[sqlite]` (a temporary file) and `[postgresql]` (a
fresh database copied from a migrated template on the throwaway server that `./dev test`
starts, see bot/testing/postgres.py). Without that server the PostgreSQL half is skipped, with
the reason in the summary. `@pytest.mark.engines("sqlite")` keeps a test on one engine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.core.i18n import use_locale
from bot.storage.db import Database
from bot.testing import postgres
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


ENGINES = ("sqlite", "postgresql")
TEMPLATE = f"troly06_template_{os.getpid()}"  # one per pytest process
# Channel and matcher tests: what they check does not depend on the engine, and the journeys
# cover the same paths on both; they stay on SQLite to keep the suite short.
SQLITE_ONLY_DIRS = frozenset({"telegram", "zalo", "faq"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "engines(*names): run this test on these engines only")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "engine" not in metafunc.fixturenames:
        return
    marker = metafunc.definition.get_closest_marker("engines")
    folder = metafunc.definition.path.relative_to(Path(__file__).parent).parts[0]
    names = marker.args if marker else ("sqlite",) if folder in SQLITE_ONLY_DIRS else ENGINES
    metafunc.parametrize("engine", names, indirect=True, ids=list(names))


def pytest_report_header(config: pytest.Config) -> str:
    return f"PostgreSQL: {_pg_status()}"


def pytest_terminal_summary(terminalreporter: object) -> None:
    if not os.environ.get(postgres.URL_VARIABLE):
        terminalreporter.write_line(  # type: ignore[attr-defined]
            f"PostgreSQL tests SKIPPED: {_pg_status()}", yellow=True
        )


def _pg_status() -> str:
    if url := os.environ.get(postgres.URL_VARIABLE):
        return url
    return os.environ.get(postgres.SKIP_VARIABLE) or (
        f"no server ({postgres.URL_VARIABLE} unset; ./dev test starts one)"
    )


def _admin(statements: list[str], database: str = "postgres") -> None:
    """Run statements on the test server outside any test's event loop."""
    import asyncpg

    url = os.environ[postgres.URL_VARIABLE].replace("postgresql+asyncpg", "postgresql")
    url = url.rsplit("/", 1)[0] + "/" + database

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def _pg_url(database: str) -> str:
    return os.environ[postgres.URL_VARIABLE].rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def pg_template() -> str:
    """A database with every migration applied, copied for each test (fast, unlike migrating)."""
    if not os.environ.get(postgres.URL_VARIABLE):
        pytest.skip(f"PostgreSQL: {_pg_status()}")
    _admin([f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}"])

    async def migrate() -> None:
        db = Database(_pg_url(TEMPLATE))
        try:
            await db.migrate()
        finally:
            await db.close()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, migrate()).result()
    return TEMPLATE


_numbers = itertools.count(1)


@pytest.fixture
def engine(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_url(engine: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"t{os.getpid()}_{next(_numbers)}"
    _admin([f"CREATE DATABASE {name} TEMPLATE {template}"])
    yield _pg_url(name)
    _admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"])


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
