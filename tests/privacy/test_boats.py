"""Point 6: a boat belongs to one village, chosen explicitly; one answer for boats not yours."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services.identity import Role
from bot.storage import privacy as privacy_store
from bot.storage.tables.core import boats
from tests.driver import ChatDriver
from tests.roster.conftest import ROWS, Small, csv_bytes, run_import

BOAT = "KH-90002-TS"
NEW_CREW = [
    ("Vạn Thạnh", "Đầm Môn", "H3", "Đỗ Văn Lưới", "1979", "Nam", "", BOAT, "", "", ""),
    ("Vạn Thạnh", "Hòn Ông", "H3", "Trần Văn Tàu", "1982", "Nam", "", BOAT, "", "", ""),
]


async def _boat_village(app: App, registration: str = BOAT) -> int | None:
    async with app.db.read() as tx:
        return await tx.scalar(
            select(boats.c.village_id).where(boats.c.registration == registration)
        )


async def test_a_boat_crewed_from_two_villages_belongs_to_neither_until_chosen(
    small: Small, head: ChatDriver
) -> None:
    app = small.app
    assert await _boat_village(app, "KH-90001-TS") == small.dam_mon  # one village's crew
    await run_import(app, csv_bytes([*ROWS, *NEW_CREW]))
    assert await _boat_village(app) is None  # crewed from two villages: not the last row's
    await run_import(app, csv_bytes([*ROWS, NEW_CREW[1]]))
    assert await _boat_village(app) is None  # an import never gives it away later

    other = ChatDriver(app, "other-head")
    await other.grant(Role.VILLAGE_HEAD, village_id=small.hon_ong)
    answers = set()
    for chat, boat in ((head, BOAT), (other, BOAT), (other, "KH-90001-TS"), (head, "KH-99999-TS")):
        await chat.say(f"/boat {boat} 20/12")
        answers.add(chat.text)
    assert len(answers) == 1  # no such boat, nobody's boat: one answer

    async with app.db.write() as tx:  # what troly06 boat-village does (tested with the CLI)
        assert await privacy_store.set_boat_village(tx, "KH90002TS", small.dam_mon)
    assert await _boat_village(app) == small.dam_mon
    await head.say(f"/boat {BOAT} 20/12")
    await head.press("Đúng")
    assert "Thuyền viên ở thôn khác: Hòn Ông 1." in head.text
    await other.say(f"/boat {BOAT} 20/12")
    assert other.text in answers  # the other village's head: the same one answer
