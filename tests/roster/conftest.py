"""Roster fixtures: a small known commune imported from CSV, and chats for each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select, update

from bot.app import App
from bot.services.identity import Role
from bot.services.roster_import import ImportReport, import_roster
from bot.storage import places
from bot.storage.tables.core import communes, persons
from tests.driver import ChatDriver

HEADER = (
    "Xã",
    "Thôn",
    "Hộ",
    "Họ và tên",
    "Ngày sinh",
    "Giới tính",
    "Số điện thoại",
    "Tàu",
    "Thẻ căn cước",
    "Định danh mức 2",
    "Ghi chú",
)
# Đầm Môn counts 4 (Cường is too young): 3 with a card, 2 with level 2.
# Hòn Ông counts 2: 1 with a card, 1 with level 2. Missing: An, Dũng; Em.
ROWS = (
    (
        "Vạn Thạnh",
        "Đầm Môn",
        "H1",
        "Nguyễn Văn An",
        "1950",
        "Nam",
        "0912345678",
        "",
        "có",
        "chưa",
        "",
    ),
    ("", "", "", "Trần Thị Bình", "02/03/1955", "Nữ", "", "", "có", "có", ""),
    ("", "", "", "Nguyễn Văn Cường", "2015-06-01", "Nam", "", "", "", "", ""),
    ("", "", "H2", "Lê Văn Dũng", "1985", "Nam", "0987654321", "KH-90001-TS", "chưa", "", ""),
    ("", "", "", "Lê Thị Hoa", "1990", "Nữ", "", "", "x", "x", ""),
    ("Vạn Thạnh", "Hòn Ông", "H1", "Phạm Văn Em", "1980", "Nam", "0377777777", "", "", "", ""),
    ("", "", "H2", "Võ Thị Gấm", "1975", "Nữ", "", "", "rồi", "đã có", ""),
)


def csv_bytes(
    rows: tuple[tuple[str, ...], ...] | list[tuple[str, ...]],
    header: tuple[str, ...] = HEADER,
    sep: str = ",",
    bom: bool = True,
) -> bytes:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8-sig" if bom else "utf-8")


async def run_import(
    app: App, data: bytes, name: str = "roster.csv", **kw: object
) -> ImportReport:
    async with app.db.write() as tx:
        return await import_roster(tx, name, data, app.clock.now(), **kw)  # type: ignore[arg-type]


async def count_people(app: App) -> int:
    async with app.db.read() as tx:
        return int(await tx.scalar(select(func.count()).select_from(persons)) or 0)


async def person(app: App, name: str) -> dict[str, object]:
    async with app.db.read() as tx:
        row = (await tx.execute(select(persons).where(persons.c.full_name == name))).one()
    return dict(row._mapping)


@dataclass
class Small:
    app: App
    dam_mon: int
    hon_ong: int
    commune: int


@pytest.fixture
async def small(app: App) -> Small:
    """The known commune: two villages, seven people, target 95%."""
    report = await run_import(app, csv_bytes(ROWS), create_places=True)
    assert report.rejected == [] and report.imported == len(ROWS)
    async with app.db.write() as tx:
        await tx.execute(update(communes).values(target_share=950))
        found = {v.name: v for v in await places.all_villages(tx)}
    return Small(app, found["Đầm Môn"].id, found["Hòn Ông"].id, found["Đầm Môn"].commune_id)


@pytest.fixture
async def head(small: Small) -> ChatDriver:
    """The village head of Đầm Môn."""
    chat = ChatDriver(small.app, "head")
    await chat.grant(Role.VILLAGE_HEAD, village_id=small.dam_mon)
    return chat


@pytest.fixture
async def lead(small: Small) -> ChatDriver:
    chat = ChatDriver(small.app, "lead")
    await chat.grant(Role.TEAM_LEAD, commune_id=small.commune)
    return chat


@pytest.fixture
async def admin(small: Small) -> ChatDriver:
    chat = ChatDriver(small.app, "admin")
    await chat.grant(Role.ADMIN)
    return chat
