"""A roster file sent in the chat by an admin of one commune: rows for another commune's
villages are refused in the preview, named, and never written; a province-wide admin (a
grant with no commune) may import rows for any commune."""

from __future__ import annotations

import pytest

from bot.services.identity import Role
from bot.storage import identities
from tests.driver import ChatDriver
from tests.roster.conftest import HEADER, Small, count_people, csv_bytes, person, run_import

ID = "056090009999"
OTHER = (("Ninh Hải", "Bình Tây", "B1", "Trần Văn Khoa", "1970", "Nam", "", "", "", "", ""),)
MIXED = [
    ("Vạn Thạnh", "Đầm Môn", "H9", "Đỗ Văn Mới", "1988", "Nam", "", "", "", "", ""),
    ("Ninh Hải", "Bình Tây", "B2", "Lý Thị Ngoài", "1992", "Nữ", "", "", "", "", ""),
    ("", "Bình Tây", "B1", "Trần Văn Khoa", "1970", "Nam", "0911111111", "", "có", "", ""),
]


@pytest.fixture
async def two_communes(small: Small, admin: ChatDriver) -> Small:
    """A second commune, Ninh Hải (village Bình Tây, one person), added after the admin of
    Vạn Thạnh was granted that commune (the only one then)."""
    report = await run_import(small.app, csv_bytes(OTHER), create_places=True)
    assert report.imported == 1
    return small


async def test_a_commune_admin_cannot_import_another_communes_rows(
    two_communes: Small, admin: ChatDriver
) -> None:
    before = await count_people(two_communes.app)
    await admin.send_file("thon.csv", csv_bytes(MIXED))
    assert admin.text.startswith("Xem trước tệp danh sách: 3 dòng, thêm mới 1 người")
    assert "loại 2 dòng." in admin.text
    assert "Dòng 3: thôn Bình Tây thuộc xã Ninh Hải, ngoài xã bạn quản lý" in admin.text
    assert "Dòng 4: thôn Bình Tây thuộc xã Ninh Hải" in admin.text
    await admin.say("đồng ý")
    assert admin.text.startswith("Đã nhập danh sách: 3 dòng, thêm mới 1 người")
    assert await count_people(two_communes.app) == before + 1
    khoa = await person(two_communes.app, "Trần Văn Khoa")
    assert khoa["phone"] is None and not khoa["has_id_card"]


async def test_only_out_of_scope_rows_are_dropped_with_the_file(
    two_communes: Small, admin: ChatDriver
) -> None:
    await admin.send_file("thon.csv", csv_bytes(list(MIXED[1:])))
    assert "ngoài xã bạn quản lý" in admin.text
    assert "đồng ý" not in admin.text  # nothing left to import: no question asked
    await admin.say("đồng ý")
    assert await count_people(two_communes.app) == 8


async def test_a_province_wide_admin_imports_any_commune(two_communes: Small) -> None:
    app = two_communes.app
    chat = ChatDriver(app, "province")
    actor = await chat.actor()
    async with app.db.write() as tx:  # a grant with no commune: the whole province
        now = app.clock.now()
        await identities.add_grant(tx, actor.user_id, Role.ADMIN.value, None, None, now)
    await chat.send_file("thon.csv", csv_bytes(MIXED))
    assert chat.text.startswith("Xem trước tệp danh sách: 3 dòng, thêm mới 2 người, cập nhật 1")
    await chat.say("đồng ý")
    assert (await person(app, "Trần Văn Khoa"))["phone"] == "0911111111"


async def test_an_id_number_of_another_commune_does_not_move_its_person_in(
    two_communes: Small, admin: ChatDriver
) -> None:
    """A row of the admin's own village carrying the ID number of a person of the other
    commune is refused: matched by that number, the person would be moved into it."""
    app = two_communes.app
    header = (*HEADER, "Số định danh cá nhân")
    given = ("Ninh Hải", "Bình Tây", "B1", "Trần Văn Khoa", "1970", "Nam", *[""] * 5, ID)
    await run_import(app, csv_bytes([given], header=header))
    khoa = await person(app, "Trần Văn Khoa")
    row = ("Vạn Thạnh", "Đầm Môn", "H1", "Trần Văn Khoa", "1970", "Nam", *[""] * 5, ID)
    await admin.send_file("thon.csv", csv_bytes([row], header=header))
    assert "Dòng 2: số định danh này là của một người ở xã khác, ngoài xã" in admin.text
    await admin.say("đồng ý")
    assert await person(app, "Trần Văn Khoa") == khoa
