"""Progress against the target (text and chart) and exports (XLSX, CSV with BOM, logged)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.app import App
from bot.services import progress
from bot.services.identity import Role
from bot.services.missing import Mark, mark
from bot.storage import roster_queries
from tests.driver import ChatDriver
from tests.roster.conftest import ROWS, Small, count_people, person, run_import

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


async def test_progress_text_against_the_target(lead: ChatDriver) -> None:
    replies = await lead.say("/progress")
    text = replies[0].text
    assert "Vạn Thạnh (2 thôn)" in text
    assert "Chỉ tiêu: 95,0% có tài khoản định danh điện tử mức độ 2. Cần thêm 3 người." in text
    assert "Định danh điện tử mức 2: 3/6 người (50,0%)" in text
    assert "Thẻ căn cước: 4/6 người (66,7%)" in text
    assert "dưới 14 tuổi (không tính) 1" in text
    assert "• Đầm Môn: mức 2 50,0%, thẻ 75,0% trên 4 người" in text
    assert "• Hòn Ông: mức 2 50,0%, thẻ 50,0% trên 2 người" in text


async def test_chart_is_a_valid_png(lead: ChatDriver) -> None:
    replies = await lead.say("/progress")
    photo = replies[-1].photo
    assert photo is not None and photo.mime_type == "image/png"
    assert photo.data.startswith(PNG_MAGIC)
    image = Image.open(io.BytesIO(photo.data))
    image.load()
    assert image.format == "PNG" and image.width > 300 and image.height > 100


async def test_progress_by_role(small: Small, head: ChatDriver) -> None:
    await head.say("/progress")
    assert "Vạn Thạnh (1 thôn)" in head.text and "Hòn Ông" not in head.text
    resident = ChatDriver(small.app, "resident")
    await resident.say("/progress")
    assert resident.text == "Bạn không có quyền dùng chức năng này."
    everything = ChatDriver(small.app, "admin")
    await everything.grant(Role.ADMIN)
    await everything.say("/progress")
    assert "Hòn Ông" in everything.text and "Đầm Môn" in everything.text


async def test_exempt_people_leave_the_denominator(small: Small, lead: ChatDriver) -> None:
    actor = await lead.actor()
    today = small.app.clock.now().date()
    em = int((await person(small.app, "Phạm Văn Em"))["id"])
    async with small.app.db.write() as tx:
        before = await progress.progress(tx, actor, today)
        await mark(tx, actor, em, Mark.EXEMPT, small.app.clock.now(), reason="abroad")
        after = await progress.progress(tx, actor, today)
    assert (before[0].tally.counted, after[0].tally.counted) == (6, 5)
    assert after[0].tally.exempt == 1 and after[0].tally.with_level2 == 3
    assert after[0].tally.level2_share == 3 / 5
    assert (before[0].still_needed, after[0].still_needed) == (3, 2)


async def test_export_xlsx_opens_as_a_workbook_and_is_logged(
    small: Small, head: ChatDriver
) -> None:
    await head.say("/export")
    replies = await head.press("Toàn bộ danh sách, Excel")
    document = replies[0].document
    assert document is not None and document.filename.endswith(".xlsx")
    assert "Danh sách: 5 người." in head.text
    book = load_workbook(io.BytesIO(document.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Xã", "Thôn", "Hộ", "Họ và tên")
    assert len(rows) == 6 and {r[1] for r in rows[1:]} == {"Đầm Môn"}
    assert ("Nguyễn Văn An", "0912345678") in {(r[3], r[6]) for r in rows}
    async with small.app.db.read() as tx:
        log = await roster_queries.export_log(tx)
    actor = await head.actor()
    assert [(e.user_id, e.village_ids, e.subset, e.format, e.rows) for e in log] == [
        (actor.user_id, [small.dam_mon], "all", "xlsx", 5)
    ]


async def test_export_csv_has_a_bom_and_imports_back(small: Small, lead: ChatDriver) -> None:
    await lead.say("/export")
    await lead.press("Cả xã Vạn Thạnh")
    replies = await lead.press("Toàn bộ danh sách, CSV")
    document = replies[0].document
    assert document is not None and document.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert len(rows) == len(ROWS) + 1
    before = await count_people(small.app)
    report = await run_import(small.app, document.data, name=document.filename)
    assert (report.imported, report.updated, report.unchanged) == (0, 0, len(ROWS))
    assert report.rejected == []
    assert await count_people(small.app) == before


async def test_missing_export_and_forged_scope(small: Small, head: ChatDriver) -> None:
    from tests.roster.test_missing import forge

    await head.say("/export")
    replies = await head.press("Người còn thiếu, CSV")
    names = {
        row[3] for row in csv.reader(io.StringIO(replies[0].document.data.decode("utf-8-sig")))
    }
    assert names == {"Họ và tên", "Nguyễn Văn An", "Lê Văn Dũng"}
    key = await forge(head, "export.file", f"v:{small.hon_ong}|all|csv")
    replies = await head.press_key(key)
    assert replies[0].document is None
    assert head.text == "Bạn không được xem danh sách thôn này."
    async with small.app.db.read() as tx:
        assert len(await roster_queries.export_log(tx)) == 1


async def test_demo_progress_is_reasonable(demo_app: App) -> None:
    lead = ChatDriver(demo_app, "lead")
    await lead.grant(Role.ADMIN)
    replies = await lead.say("/progress")
    assert "Vạn Thạnh (6 thôn)" in replies[0].text
    assert replies[-1].photo is not None and replies[-1].photo.data.startswith(PNG_MAGIC)


async def test_too_large_export_is_refused_and_not_logged(
    small: Small, lead: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import export

    monkeypatch.setattr(export, "MAX_ROWS", 3)
    await lead.say("/export")
    await lead.press("Cả xã Vạn Thạnh")
    replies = await lead.press("Toàn bộ danh sách, Excel")
    assert replies[0].document is None and "Quá nhiều người" in lead.text
    async with small.app.db.read() as tx:
        assert await roster_queries.export_log(tx) == []
