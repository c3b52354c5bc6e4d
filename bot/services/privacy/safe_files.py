"""The one writer of every CSV and XLSX the bot hands out: no cell can run as a formula.

A text cell that starts with = + - @, a tab or a carriage return is what a spreadsheet
would read as a formula (or a DDE call); it gets a leading apostrophe, the form Excel itself
uses for "this is text". In XLSX every text cell is also written with the text type and the
text number format, so nothing in the file is ever a live formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text that a spreadsheet would run, made plain text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (Excel reads it as UTF-8 only then), comma-separated, all neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    title: str,
    widths: Sequence[int] = (),
) -> bytes:
    """One sheet, the header frozen, every text cell neutralised and typed as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31] or "Sheet1")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"

    def cell(value: Any) -> Any:
        if not isinstance(value, str):
            return value
        out = WriteOnlyCell(sheet, value=neutralise(value))
        out.data_type = "s"  # never "f", whatever the text looks like
        out.number_format = "@"
        return out

    sheet.append([cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
