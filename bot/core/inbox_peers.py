"""An inbox worker among others (PostgreSQL): its lock kept, the rows of dead workers taken up.

Every `stay_s` a live worker makes sure it still holds its lock, then looks for workers that
hold unfinished rows and are gone. A worker found gone at two looks at least `adopt_after`
apart has its rows taken up: this worker holds them from then on and answers them, so a
message a dead worker received is answered without waiting for a worker to start. The two
looks spare a worker whose lock connection dropped while it lives: it takes its lock again
within `stay_s`, sooner than `adopt_after`, and keeps its rows. A worker that is stopping takes
up nothing: it would not come to those rows, and they would wait for it to be found gone too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.storage import inbox as store
from bot.storage.db import Database
from bot.storage.inbox import Open
from bot.storage.inbox_workers import Presence

logger = logging.getLogger(__name__)

STAY_S = 5.0  # how often a worker makes sure it still holds its lock, and looks for the dead
ADOPT_AFTER = timedelta(seconds=2 * STAY_S)  # gone this long: its rows are taken up


class Peers:
    """This worker's lock kept, and the rows of workers found dead taken up into `take`."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        channel: str,
        presence: Presence,
        take: Callable[[Sequence[Open]], None],
    ) -> None:
        self.db = db
        self.clock = clock
        self.channel = channel
        self.presence = presence
        self.take = take
        self.stay_s = STAY_S
        self.adopt_after = ADOPT_AFTER
        self.adopting = True  # False while this worker stops: what it took would wait for it
        self._gone_since: dict[str, datetime] = {}

    async def keep(self) -> None:
        """Every `stay_s`: the lock taken again if its connection was lost; the dead's rows."""
        while True:
            await asyncio.sleep(self.stay_s)
            try:
                await self.presence.check()
            except Exception:
                logger.exception("inbox %s: could not take its worker lock again", self.channel)
            try:
                await self.adopt()
            except Exception:
                logger.exception("inbox %s: could not take up a dead worker's rows", self.channel)

    async def adopt(self) -> int:
        """Take up the rows of workers gone since `adopt_after` at least; how many."""
        if not self.adopting:
            return 0
        worker = self.presence.worker
        async with self.db.write() as tx:
            found = await store.gone_holders(tx, self.channel, worker)
            rows = await store.take_up_of(tx, self.channel, worker, self._long_gone(found))
        if rows:
            logger.info("inbox %s: %s messages of workers gone taken up", self.channel, len(rows))
            self.take(rows)
        return len(rows)

    def _long_gone(self, found: Sequence[str]) -> list[str]:
        """Of the workers found gone now, those also found gone `adopt_after` ago or more."""
        now = self.clock.now()
        self._gone_since = {other: self._gone_since.get(other, now) for other in found}
        since = self._gone_since.items()
        return [other for other, first in since if now - first >= self.adopt_after]
