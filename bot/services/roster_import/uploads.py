"""Roster import from the chat: the file is kept, previewed, and written only once confirmed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.roster_import.cells import DEFAULT_MAX_ROWS
from bot.services.roster_import.model import ImportReport
from bot.services.roster_import.writing import import_roster
from bot.storage import roster as store


async def preview(
    tx: AsyncConnection,
    user_id: int,
    filename: str,
    data: bytes,
    now: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> ImportReport:
    """Check the file without changing the roster, and keep it for `confirm`.

    Raises RosterFileError (and keeps nothing) when the file is not a roster at all.
    """
    report = await import_roster(tx, filename, data, now, dry_run=True, max_rows=max_rows)
    await store.save_upload(tx, user_id, filename, data, now)
    return report


async def confirm(
    tx: AsyncConnection, user_id: int, now: datetime, max_rows: int = DEFAULT_MAX_ROWS
) -> ImportReport | None:
    """Import the file the user previewed; None when there is none waiting."""
    upload = await store.load_upload(tx, user_id)
    if upload is None:
        return None
    report = await import_roster(tx, upload[0], upload[1], now, max_rows=max_rows)
    await store.drop_upload(tx, user_id)
    return report


async def discard(tx: AsyncConnection, user_id: int) -> None:
    await store.drop_upload(tx, user_id)
