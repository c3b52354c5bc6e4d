"""Roster import from the chat: the file is kept, previewed, and written only once confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.roster_import.cells import DEFAULT_MAX_ROWS
from bot.services.roster_import.model import ImportReport, Progress
from bot.services.roster_import.writing import import_roster
from bot.storage import roster as store

SHOW_PROGRESS_BYTES = 100_000  # a file this big takes long enough to show how far it is


async def preview(
    tx: AsyncConnection,
    user_id: int,
    filename: str,
    data: bytes,
    now: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Check the file without changing the roster, and keep it for `confirm`.

    Raises RosterFileError (and keeps nothing) when the file is not a roster at all.
    `progress` hears the share done, for a file big enough to take a while.
    """
    report = await import_roster(
        tx, filename, data, now, dry_run=True, max_rows=max_rows, progress=_worth(data, progress)
    )
    await store.save_upload(tx, user_id, filename, data, now)
    return report


async def confirm(
    tx: AsyncConnection,
    user_id: int,
    now: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport | None:
    """Import the file the user previewed; None when there is none waiting."""
    upload = await store.load_upload(tx, user_id)
    if upload is None:
        return None
    report = await import_roster(
        tx, upload[0], upload[1], now, max_rows=max_rows, progress=_worth(upload[1], progress)
    )
    await store.drop_upload(tx, user_id)
    return report


async def discard(tx: AsyncConnection, user_id: int) -> None:
    await store.drop_upload(tx, user_id)


def _worth(data: bytes, progress: Progress | None) -> Progress | None:
    return progress if len(data) >= SHOW_PROGRESS_BYTES else None
