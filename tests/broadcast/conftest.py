"""A small roster for broadcast tests: two villages of one commune and one of another.

Who is who (commune "Vạn Thạnh": Đầm Môn, Hòn Ông; commune "Ninh Hải": Ninh Tịnh):
  p1 An     Đầm Môn 01-0001  card + level 2      chat r1
  p2 Bình   Đầm Môn 01-0001  card, no level 2    chat r2
  p3 Cường  Đầm Môn 01-0001  nothing yet         no chat (phone 0987654321)
  p4 Dũng   Đầm Môn 01-0002  card, no level 2, at sea on boat back 5/12, chat r4
  p5 Hoa    Đầm Môn 01-0002  exempt              (never in an audience)
  p6 Hùng   Hòn Ông 02-0001  card + level 2, away until 8/12, chat r6
  p7 Lan    Hòn Ông 02-0001  moved               (never in an audience)
  p8 Nam    Ninh Tịnh 03-0001 nothing yet, chat r8 (another commune)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import insert, select

from bot.app import App
from bot.services.identity import Role
from bot.storage import identities
from bot.storage.tables.core import boats, communes, households, outbox, persons, villages
from tests.driver import ChatDriver


@dataclass
class Roster:
    app: App
    commune: int
    other_commune: int
    villages: dict[str, int] = field(default_factory=dict)
    persons: dict[str, int] = field(default_factory=dict)
    chats: dict[str, ChatDriver] = field(default_factory=dict)

    async def staff(self, name: str, role: Role, **scope: int) -> ChatDriver:
        chat = ChatDriver(self.app, name)
        await chat.grant(role, **scope)
        return chat

    async def lead(self) -> ChatDriver:
        return await self.staff("lead", Role.TEAM_LEAD, commune_id=self.commune)

    async def outbox_rows(self, broadcast_id: int | None = None) -> list[dict[str, object]]:
        stmt = select(outbox).order_by(outbox.c.id)
        if broadcast_id is not None:
            stmt = stmt.where(outbox.c.broadcast_id == broadcast_id)
        async with self.app.db.read() as tx:
            return [dict(row._mapping) for row in await tx.execute(stmt)]


PEOPLE = (
    # key, household, name, birth year, phone, card, level 2, status, away_until, boat, chat
    ("p1", "h1", "Nguyễn Văn An", 1980, "0912345678", True, True, "present", None, None, "r1"),
    ("p2", "h1", "Trần Thị Bình", 1983, None, True, False, "present", None, None, "r2"),
    ("p3", "h1", "Nguyễn Văn Cường", 2001, "0987654321", False, False, "present", None, None, ""),
    ("p4", "h2", "Lê Văn Dũng", 1975, None, True, False, "away", None, "b1", "r4"),
    ("p5", "h2", "Phạm Thị Hoa", 1940, None, False, False, "exempt", None, None, ""),
    ("p6", "h3", "Võ Văn Hùng", 1990, None, True, True, "away", date(2026, 12, 8), None, "r6"),
    ("p7", "h3", "Đỗ Thị Lan", 1995, None, False, False, "moved", None, None, ""),
    ("p8", "h4", "Hồ Văn Nam", 1988, None, False, False, "present", None, None, "r8"),
)


@pytest.fixture
def roster_channel() -> str:
    """The channel the residents chat on (a test module may override it)."""
    return "console"


@pytest.fixture
async def roster(app: App, roster_channel: str) -> Roster:
    now = app.clock.now()
    async with app.db.write() as tx:

        async def add(table, **values):  # type: ignore[no-untyped-def]
            return (await tx.execute(insert(table).values(**values))).inserted_primary_key[0]

        commune = await add(communes, name="Vạn Thạnh", province="Khánh Hòa")
        other = await add(communes, name="Ninh Hải", province="Khánh Hòa")
        roster = Roster(app, commune, other)
        for key, name, owner in (("v1", "Đầm Môn", commune), ("v2", "Hòn Ông", commune)):
            roster.villages[key] = await add(villages, commune_id=owner, name=name)
        roster.villages["v3"] = await add(villages, commune_id=other, name="Ninh Tịnh")
        homes = {
            "h1": await add(
                households, village_id=roster.villages["v1"], code="01-0001", address="1 Đầm Môn"
            ),
            "h2": await add(
                households, village_id=roster.villages["v1"], code="01-0002", address="2 Đầm Môn"
            ),
            "h3": await add(
                households, village_id=roster.villages["v2"], code="02-0001", address="1 Hòn Ông"
            ),
            "h4": await add(
                households, village_id=roster.villages["v3"], code="03-0001", address="1 Ninh Tịnh"
            ),
        }
        boat = await add(
            boats,
            registration="KH-91234-TS",
            village_id=roster.villages["v1"],
            return_on=date(2026, 12, 5),
        )
        for key, home, name, year, phone, card, level2, status, until, on_boat, _chat in PEOPLE:
            roster.persons[key] = await add(
                persons,
                household_id=homes[home],
                full_name=name,
                birth_year=year,
                phone=phone,
                has_id_card=card,
                has_eid_level2=level2,
                status=status,
                away_until=until,
                boat_id=boat if on_boat else None,
                updated_at=now,
            )
    for key, *_rest, chat_name in PEOPLE:
        if chat_name:
            # Telegram chat ids are numbers: r1 chats as 1001 there.
            chat_id = chat_name if roster_channel == "console" else f"100{chat_name[1:]}"
            chat = ChatDriver(app, chat_id, roster_channel)
            actor = await chat.actor()
            async with app.db.write() as tx:
                await identities.set_person(tx, actor.user_id, roster.persons[key])
            roster.chats[chat_name] = chat
    return roster
