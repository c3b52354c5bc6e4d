"""The demo commune follows the rules it is shown with: ages, islands, real mobile prefixes."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services.phone import parse_phone
from bot.storage.tables.core import persons, villages

PREFIXES_IN_USE = {f"03{d}" for d in "23456789"} | {"070", "076", "077", "078", "079"}
PREFIXES_IN_USE |= {f"08{d}" for d in "12345678"} | {f"09{d}" for d in "01234678"}


async def test_demo_follows_the_age_rules_islands_and_mobile_prefixes(demo_app: App) -> None:
    this_year = demo_app.clock.now().year
    async with demo_app.db.read() as tx:
        people = (
            await tx.execute(
                select(persons.c.birth_year, persons.c.has_eid_level2, persons.c.phone)
            )
        ).all()
        islands = dict((await tx.execute(select(villages.c.name, villages.c.is_island))).all())
    young_level2 = [p for p in people if p.has_eid_level2 and this_year - p.birth_year < 6]
    assert young_level2 == []
    assert islands["Khải Lương"] is True
    phones = [p.phone for p in people if p.phone]
    assert len(phones) > 1000
    assert {phone[:3] for phone in phones} <= PREFIXES_IN_USE
    assert all(parse_phone(phone) == (phone, True) for phone in phones)
