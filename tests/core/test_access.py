"""Village scopes by role."""

from __future__ import annotations

from bot.app import App
from bot.services.access import visible_villages
from bot.services.identity import Role
from bot.storage import places
from tests.driver import ChatDriver


async def test_scopes_by_role(demo_app: App) -> None:
    async with demo_app.db.read() as tx:
        villages = await places.all_villages(tx)
    first, commune = villages[0], villages[0].commune_id
    head, lead, admin, resident = (ChatDriver(demo_app, u) for u in ("h", "l", "a", "r"))
    await head.grant(Role.VILLAGE_HEAD, village_id=first.id)
    await lead.grant(Role.TEAM_LEAD, commune_id=commune)
    await admin.grant(Role.ADMIN)
    async with demo_app.db.read() as tx:
        assert await visible_villages(tx, await head.actor()) == {first.id}
        assert await visible_villages(tx, await lead.actor()) == {v.id for v in villages}
        assert await visible_villages(tx, await admin.actor()) == {v.id for v in villages}
        assert await visible_villages(tx, await resident.actor()) == frozenset()
