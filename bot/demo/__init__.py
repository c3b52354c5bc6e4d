"""Demo data for the console: a commune modelled on Vạn Thạnh (Khánh Hòa), half-way through."""

from __future__ import annotations

from bot.app import App
from bot.demo.roster import seed_roster
from bot.storage import places


async def ensure_demo(app: App) -> bool:
    """Create the demo data if the database has no commune yet; True if it did."""
    async with app.db.write() as tx:
        if await places.count_communes(tx):
            return False
        await seed_roster(tx, app.clock.now())
        from bot.demo.sessions import seed_sessions

        await seed_sessions(tx, app.clock.now())
    return True
