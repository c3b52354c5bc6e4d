"""Point 9: the database and the job store are created 0600, in folders created 0700."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.app import build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from reminders.scheduler import _store, jobstore_url
from tests.conftest import START


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_and_job_store_are_private_even_under_a_lax_umask(tmp_path: Path) -> None:
    folder = tmp_path / "data" / "bot"
    settings = Settings(db_url=f"sqlite+aiosqlite:///{folder / 'troly06.db'}", _env_file=None)  # type: ignore[call-arg]
    old = os.umask(0o022)
    try:
        app = await build_app(settings, FixedClock(START))
        store = _store(jobstore_url(settings))
        store.start(None, "default")  # type: ignore[arg-type]
        store.get_all_jobs()
        store.shutdown()
        await app.close()
    finally:
        os.umask(old)
    assert mode(tmp_path / "data") == 0o700 and mode(folder) == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert "troly06.db" in files and "troly06-jobs.db" in files
    assert {p.name: mode(p) for p in folder.iterdir()} == {name: 0o600 for name in files}


async def test_an_existing_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    app = await build_app(
        Settings(db_url=f"sqlite+aiosqlite:///{path}", _env_file=None),  # type: ignore[call-arg]
        FixedClock(START),
    )
    await app.close()
    assert mode(path) == 0o600
