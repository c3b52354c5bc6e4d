"""What the subcommands share: the app's database for one command, and how a command ends."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import build_app
from bot.config import Settings


@asynccontextmanager
async def one_transaction(
    *, write: bool = True
) -> AsyncIterator[tuple[AsyncConnection, datetime]]:
    """Open the app, give one transaction and the time, and close the app after it."""
    app = await build_app(Settings())
    try:
        async with app.db.write() if write else app.db.read() as tx:
            yield tx, app.clock.now()
    finally:
        await app.close()


def outcome(done: object, said: str, refused: str) -> int:
    """Print what was done (exit 0), or why nothing was (to stderr, exit 2)."""
    if not done:
        print(refused, file=sys.stderr)
        return 2
    print(said)
    return 0
