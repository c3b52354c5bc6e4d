"""Roster import: broken rows reported by line, CSV and XLSX as offices keep them, re-import."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.app import App
from bot.cli import main as cli_main
from bot.storage.tables.core import boats, households, villages
from tests.driver import ChatDriver
from tests.roster.conftest import (
    HEADER,
    ROWS,
    Small,
    count_people,
    csv_bytes,
    person,
    run_import,
)

BROKEN = (
    (
        "Vạn Thạnh",
        "Đầm Môn",
        "H7",
        "Đỗ Văn Tốt",
        "05/06/1970",
        "Nam",
        "0905 111 222",
        "",
        "có",
        "",
        "",
    ),
    ("", "", "", "Đỗ Thị Sai Ngày", "31/02/1980", "Nữ", "", "", "", "", ""),
    ("", "", "", "Đỗ Văn Sai Số", "1981", "Nam", "12345", "", "", "", ""),
    ("", "", "", "", "1982", "Nam", "", "", "", "", ""),
    ("", "Thôn Không Có", "H1", "Mai Văn Lạc", "1983", "Nam", "", "", "", "", ""),
    ("", "Đầm Môn", "H7", "Đỗ Văn Tốt", "1970", "Nam", "", "", "", "", ""),
    ("", "", "", "Đỗ Thị Lạ", "1984", "Nữ", "", "", "có lẽ", "", ""),
    ("", "", "", "Đỗ Thị Tốt", "1999", "nữ", "+84 912 000 111", "", "", "1", ""),
)


async def test_broken_rows_are_each_reported_and_good_rows_go_in(small: Small) -> None:
    before = await count_people(small.app)
    report = await run_import(small.app, csv_bytes(BROKEN))
    assert report.rows == 8
    assert report.imported == 4 and report.updated == 0
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == [3, 5, 6, 7]  # the header is line 1
    assert reasons[3] == "ngày sinh không hợp lệ: 31/02/1980"
    assert reasons[5] == "thiếu họ và tên"
    assert reasons[6].startswith("không có thôn này: Thôn Không Có")
    assert reasons[7] == "trùng với dòng 2"
    # A bad optional cell leaves that cell out, not the person the campaign must count.
    warned = {r.line: r.reason for r in report.warnings}
    assert warned[4] == "bỏ qua số điện thoại không hợp lệ: 12345"
    assert warned[8].startswith("bỏ qua giá trị không rõ ở cột Thẻ căn cước: có lẽ")
    assert (await person(small.app, "Đỗ Văn Sai Số"))["phone"] is None
    assert not (await person(small.app, "Đỗ Thị Lạ"))["has_id_card"]
    assert await count_people(small.app) == before + 4
    good = await person(small.app, "Đỗ Văn Tốt")
    assert good["birth_date"] == date(1970, 6, 5) and good["phone"] == "0905111222"
    assert good["has_id_card"] and not good["has_eid_level2"]
    other = await person(small.app, "Đỗ Thị Tốt")
    assert other["phone"] == "0912000111" and other["sex"] == "F" and other["has_eid_level2"]


async def test_semicolons_bom_title_rows_and_english_headers(app: App) -> None:
    title = "DANH SÁCH NHÂN KHẨU THÔN ĐẦM MÔN;;;\n;;;\n".encode()
    body = csv_bytes(ROWS[:2], sep=";", bom=False)
    report = await run_import(app, b"\xef\xbb\xbf" + title + body, create_places=True)
    assert (report.imported, report.rejected) == (2, [])
    english = ("note", "eid_level2", "full_name", "village", "household", "date_of_birth")
    rows = [
        ("", "yes", "Hồ Văn Anh", "dam mon", "h9", "1960"),
        ("", "no", "Hồ Thị Em", "", "", ""),
    ]
    report = await run_import(app, csv_bytes(rows, header=english, bom=False))
    assert (report.imported, report.rejected) == (2, [])
    assert (await person(app, "Hồ Văn Anh"))["has_eid_level2"]
    assert (await person(app, "Hồ Thị Em"))["birth_year"] is None
    async with app.db.read() as tx:
        codes = set(await tx.scalars(select(households.c.code)))
    assert "H9" in codes  # "dam mon" matched Đầm Môn, and Hồ Thị Em joined household H9


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Danh sách nhân khẩu"])
    sheet.append(["STT", "Họ và tên", "Thôn", "Hộ", "Ngày sinh", "Số điện thoại", "Thẻ căn cước"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_xlsx_with_date_cells_and_numeric_phones(small: Small) -> None:
    data = _xlsx(
        [
            [1, "Phan Văn Bốn", "Đầm Môn", "H5", date(1961, 4, 30), 912345679, True],
            [2, "Phan Thị Năm", None, None, 1962, None, 0],
            [3, "Phan Văn Sáu", "Đầm Môn", "H5", "hôm qua", None, "có"],
        ]
    )
    report = await run_import(small.app, data, name="thon.xlsx")
    assert report.imported == 2
    assert [(r.line, r.reason) for r in report.rejected] == [
        (5, "ngày sinh không hợp lệ: hôm qua")
    ]
    four = await person(small.app, "Phan Văn Bốn")
    assert four["birth_date"] == date(1961, 4, 30) and four["phone"] == "0912345679"
    assert four["has_id_card"]
    five = await person(small.app, "Phan Thị Năm")
    assert five["birth_year"] == 1962 and five["household_id"] == four["household_id"]


async def test_reimport_updates_instead_of_duplicating(small: Small) -> None:
    before = await count_people(small.app)
    changed = list(ROWS)
    # A new phone, a card now recorded, a "no" that must not undo a recorded yes,
    # the name typed without diacritics and a blank cell that keeps the stored date.
    changed[0] = (*ROWS[0][:6], "0911111111", "", "có", "có", "gọi buổi tối")
    changed[1] = ("", "", "", "TRAN THI BINH", "", "Nữ", "", "", "chưa", "chưa", "")
    report = await run_import(small.app, csv_bytes(changed))
    assert (report.imported, report.updated, report.rejected) == (0, 2, [])
    assert report.unchanged == len(ROWS) - 2
    assert await count_people(small.app) == before
    an = await person(small.app, "Nguyễn Văn An")
    assert an["phone"] == "0911111111" and an["has_eid_level2"] and an["note"] == "gọi buổi tối"
    binh = await person(small.app, "TRAN THI BINH")
    assert binh["has_id_card"] and binh["has_eid_level2"]
    assert binh["birth_date"] == date(1955, 3, 2)
    async with small.app.db.read() as tx:
        assert await tx.scalar(select(func.count()).select_from(boats)) == 1


async def test_dry_run_changes_nothing_and_reports_the_same(small: Small) -> None:
    data = csv_bytes(BROKEN)
    before = await count_people(small.app)
    dry = await run_import(small.app, data, dry_run=True)
    assert await count_people(small.app) == before
    async with small.app.db.read() as tx:
        assert await tx.scalar(select(func.count()).select_from(households)) == 4
    real = await run_import(small.app, data)
    assert dry.as_json() == real.as_json()
    assert await count_people(small.app) == before + 4


async def test_unknown_village_is_created_only_when_asked(app: App) -> None:
    report = await run_import(app, csv_bytes(ROWS[:1]))
    assert [r.reason for r in report.rejected] == ["không có xã này: Vạn Thạnh"]
    assert await count_people(app) == 0
    report = await run_import(app, csv_bytes(ROWS[:1]), create_places=True)
    assert report.imported == 1 and report.created_villages == ["Đầm Môn"]
    async with app.db.read() as tx:
        assert await tx.scalar(select(func.count()).select_from(villages)) == 1


async def test_not_a_roster_is_refused_without_change(small: Small) -> None:
    from bot.services.roster_import import RosterFileError

    before = await count_people(small.app)
    with pytest.raises(RosterFileError, match="Họ và tên"):
        await run_import(small.app, b"a,b,c\n1,2,3\n")
    with pytest.raises(RosterFileError, match="Excel"):
        await run_import(small.app, b"PK\x03\x04 not really a zip", name="x.xlsx")
    assert await count_people(small.app) == before


async def test_admin_sends_the_file_in_the_chat(small: Small, admin: ChatDriver) -> None:
    before = await count_people(small.app)
    replies = await admin.send_file("thon.csv", csv_bytes(BROKEN))
    text = admin.text
    assert text.startswith("Xem trước tệp danh sách:")
    assert "8 dòng, thêm mới 4 người, cập nhật 0, không đổi 0, loại 4 dòng" in text
    assert "Dòng 3: ngày sinh không hợp lệ: 31/02/1980" in text
    assert "Dòng 4: bỏ qua số điện thoại không hợp lệ: 12345" in text
    assert "Thôn chưa có trên hệ thống: Thôn Không Có (1 dòng)" in text
    assert "--create-places" in text  # an unknown village was named
    assert replies[0].document is None  # all rejections fit in the message
    assert await count_people(small.app) == before  # nothing written before the answer
    await admin.say("đồng ý")  # typed, not only the button
    assert admin.text.startswith("Đã nhập danh sách: 8 dòng, thêm mới 4 người")
    assert await count_people(small.app) == before + 4
    await admin.say("ok")  # nothing is waiting any more: not imported twice
    assert await count_people(small.app) == before + 4
    resident = ChatDriver(small.app, "someone")
    before = await count_people(small.app)
    await resident.send_file("thon.csv", csv_bytes(BROKEN))
    assert "thêm mới" not in resident.text
    assert await count_people(small.app) == before


def test_cli_json_report(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TROLY06_DB_URL", db_url)
    roster = tmp_path / "thon.csv"
    roster.write_bytes(csv_bytes(ROWS))
    # New villages are listed and not created until confirmed (no silent village from a typo).
    assert cli_main(["import-roster", str(roster), "--create-places", "--json"]) == 1
    assert "Đầm Môn: 5 rows" in capsys.readouterr().err
    assert cli_main(["import-roster", str(roster), "--create-places", "--yes", "--json"]) == 0
    first = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (first["rows"], first["imported"], first["updated"], first["rejected"]) == (7, 7, 0, [])
    assert [v["name"] for v in first["new_villages"]] == ["Đầm Môn", "Hòn Ông"]
    roster.write_bytes(csv_bytes([*ROWS, ROWS[0]]))
    assert cli_main(["import-roster", str(roster), "--json", "--dry-run"]) == 0
    second = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (second["rows"], second["imported"], second["updated"], second["unchanged"]) == (
        8,
        0,
        0,
        7,
    )
    assert second["rejected"] == [{"line": 9, "reason": "trùng với dòng 2"}]


def test_header_words() -> None:
    from bot.services.roster_import import header_field

    assert [header_field(h) for h in HEADER] == [
        "commune",
        "village",
        "household",
        "full_name",
        "date_of_birth",
        "sex",
        "phone",
        "boat",
        "id_card",
        "eid_level2",
        "note",
    ]
    assert header_field("HO VA TEN") == "full_name"
    assert header_field("Ngày sinh (dd/mm/yyyy)") == "date_of_birth"
    assert header_field("STT") is None


def test_cli_sets_the_target(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import asyncio

    from bot.storage.db import Database
    from bot.storage.tables.core import communes

    monkeypatch.setenv("TROLY06_DB_URL", db_url)
    roster = tmp_path / "thon.csv"
    roster.write_bytes(csv_bytes(ROWS))
    assert cli_main(["import-roster", str(roster), "--create-places", "--yes"]) == 0
    assert cli_main(["set-target", "92.5"]) == 0
    assert cli_main(["set-target", "150"]) == 2

    async def targets() -> list[int | None]:
        db = Database(db_url)
        async with db.read() as tx:
            found = list(await tx.scalars(select(communes.c.target_share)))
        await db.close()
        return found

    assert asyncio.run(targets()) == [925]
