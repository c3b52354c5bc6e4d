"""Roster import from the chat: the file is kept, previewed, and written only once confirmed.

`check` and `write` do the slow part (reading the file, matching, writing people in short
steps) with no transaction of the caller's: the chat handler runs them outside the message's
transaction (`Context.defer`), and keeps, finds or drops the waiting file inside it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor
from bot.services.roster_import import steps
from bot.services.roster_import.cells import DEFAULT_MAX_ROWS
from bot.services.roster_import.model import ImportReport, Progress
from bot.services.roster_import.scope import import_communes
from bot.services.roster_import.writing import read_checked
from bot.storage import roster as store
from bot.storage.db import Database

SHOW_PROGRESS_BYTES = 100_000  # a file this big takes long enough to show how far it is


async def check(
    db: Database,
    actor: Actor,
    filename: str,
    data: bytes,
    now: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """What importing the file would do, without changing anything or taking the write lock.

    Rows for villages outside the actor's communes are refused (a province-wide admin may
    import any). Raises RosterFileError when the file is not a roster at all. `progress`
    hears the share done, for a file big enough to take a while.
    """
    progress = _worth(data, progress)
    checked = await read_checked(filename, data, now.date(), max_rows, progress)
    report = await steps.preview(db, checked, now, import_communes(actor))
    if progress:
        progress(1.0)
    return report


async def write(
    db: Database,
    actor: Actor,
    filename: str,
    data: bytes,
    now: datetime,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the file in short transactions (see steps.write); `interrupted` if one failed.

    Rows outside the actor's communes are refused, as in `check`.
    """
    progress = _worth(data, progress)
    checked = await read_checked(filename, data, now.date(), max_rows, progress)
    return await steps.write(db, checked, now, import_communes(actor), progress)


async def keep(
    tx: AsyncConnection, user_id: int, filename: str, data: bytes, now: datetime
) -> None:
    """Keep the previewed file until it is confirmed (replaces any)."""
    await store.save_upload(tx, user_id, filename, data, now)


async def waiting(tx: AsyncConnection, user_id: int) -> tuple[str, bytes] | None:
    """The file the user previewed and has not confirmed or dropped: (name, data)."""
    return await store.load_upload(tx, user_id)


async def discard(tx: AsyncConnection, user_id: int) -> None:
    await store.drop_upload(tx, user_id)


def _worth(data: bytes, progress: Progress | None) -> Progress | None:
    return progress if len(data) >= SHOW_PROGRESS_BYTES else None
