"""Village scopes by role, on the demo commune beside a second one."""

from __future__ import annotations

from sqlalchemy import insert

from bot.app import App
from bot.services.access import visible_villages
from bot.services.identity import Role
from bot.storage import places
from bot.storage.tables.core import communes, villages
from tests.driver import ChatDriver


async def test_scopes_by_role(demo_app: App) -> None:
    async with demo_app.db.write() as tx:  # a second commune, so "theirs" is not "all"
        other = (
            await tx.execute(insert(communes).values(name="Ninh Hải", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        await tx.execute(insert(villages).values(commune_id=other, name="Ninh Tịnh"))
        everywhere = await places.all_villages(tx)
    first, commune = everywhere[0], everywhere[0].commune_id
    theirs = {v.id for v in everywhere if v.commune_id == commune}
    assert len(theirs) == 6 and len(everywhere) == 7
    head, lead, admin, resident = (ChatDriver(demo_app, u) for u in ("h", "l", "a", "r"))
    await head.grant(Role.VILLAGE_HEAD, village_id=first.id)
    await lead.grant(Role.TEAM_LEAD, commune_id=commune)
    await admin.grant(Role.ADMIN, commune_id=commune)
    province = ChatDriver(demo_app, "p")
    await province.grant(Role.ADMIN, province=True)
    async with demo_app.db.read() as tx:
        assert await visible_villages(tx, await head.actor()) == {first.id}
        assert await visible_villages(tx, await lead.actor()) == theirs
        assert await visible_villages(tx, await admin.actor()) == theirs
        assert await visible_villages(tx, await province.actor()) == {v.id for v in everywhere}
        assert await visible_villages(tx, await resident.actor()) == frozenset()
