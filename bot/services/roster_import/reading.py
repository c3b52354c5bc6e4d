"""Roster import: reading a CSV or XLSX file into a header map and rows of cells."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.services.roster_import.model import RosterFileError, Sheet

MAX_FILE_BYTES = 50 * 1024 * 1024
# An XLSX is a zip: its parts are checked unzipped before anything is read, so a small file
# cannot unpack into gigabytes (200,000 rows of a roster take about 60 MB unzipped).
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024
HEADER_SCAN_ROWS = 30

# Folded header text → field. Parentheses are dropped first: "Ngày sinh (dd/mm/yyyy)".
HEADERS: dict[str, tuple[str, ...]] = {
    "commune": ("xa", "commune", "xa phuong", "phuong", "dac khu", "ten xa", "xa phuong dac khu"),
    "village": (
        "thon",
        "village",
        "thon to",
        "to dan pho",
        "thon to dan pho",
        "khu pho",
        "ten thon",
    ),
    "household": (
        "ho",
        "household",
        "ma ho",
        "so ho",
        "ho gia dinh",
        "household code",
        "ma ho gd",
    ),
    "full_name": ("ho va ten", "ho ten", "full name", "name", "ten", "ho va ten cong dan"),
    "date_of_birth": (
        "ngay sinh",
        "date of birth",
        "dob",
        "birth date",
        "nam sinh",
        "ngay thang nam sinh",
        "birth year",
    ),
    "sex": ("gioi tinh", "sex", "gender"),
    "phone": ("so dien thoai", "phone", "dien thoai", "sdt", "so dt", "phone number"),
    "boat": ("tau", "boat", "so tau", "tau ca", "so dang ky tau", "boat registration"),
    "id_card": ("the can cuoc", "id card", "can cuoc", "cccd", "the cccd", "co the can cuoc"),
    "eid_level2": (
        "dinh danh muc 2",
        "eid level2",
        "eid level 2",
        "dinh danh dien tu muc 2",
        "dinh danh muc do 2",
        "tai khoan dinh danh dien tu muc do 2",
        "vneid muc 2",
        "muc 2",
    ),
    "note": ("ghi chu", "note", "notes"),
    "id_number": (
        "so dinh danh ca nhan",
        "so dinh danh",
        "ma dinh danh",
        "ma so dinh danh",
        "so cccd",
        "so can cuoc",
        "id number",
        "personal id number",
        "personal id",
    ),
}
_HEADER_FIELD = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
_PARENS = re.compile(r"\([^)]*\)")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def header_field(cell: Any) -> str | None:
    """The field a header cell names ("Họ và tên" → "full_name"), or None."""
    if cell is None:
        return None
    key = _NON_WORD.sub(" ", fold(_PARENS.sub(" ", str(cell)))).strip()
    return _HEADER_FIELD.get(key)


def _columns(cells: Iterable[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = header_field(cell)
        if name is not None and name not in found:
            found[name] = index
    return found


def _is_header(columns: dict[str, int]) -> bool:
    return "full_name" in columns and len(columns) >= 2


def _blank(cells: Sequence[Any]) -> bool:
    if all(type(c) is str for c in cells):  # a CSV row: one join instead of a test per cell
        return not "".join(cells).strip()
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _take(rows: Iterator[tuple[int, Sequence[Any]]], *, stream: bool) -> Sheet | None:
    """Find the header among the first rows; the non-blank rows after it are the data.

    With `stream`, the data rows are read as they are used (a CSV: less memory).
    """
    for line, cells in rows:
        if line > HEADER_SCAN_ROWS:
            return None
        columns = _columns(cells)
        if _is_header(columns):
            data = ((n, c) for n, c in rows if not _blank(c))
            return Sheet(columns, data if stream else list(data))
    return None


def _decode(data: bytes) -> str:
    """UTF-16 (Excel's "Unicode text") or UTF-8, with or without BOM; else Windows-1258, as
    Excel saves CSV on Vietnamese Windows."""
    text: str | None = None
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = _try(data, "utf-16")
    elif len(data) >= 4 and data[1] == 0 and data[3] == 0 and data[0] != 0:
        text = _try(data, "utf-16-le")  # no BOM: ASCII header letters with a zero after each
    elif len(data) >= 4 and data[0] == 0 and data[2] == 0 and data[1] != 0:
        text = _try(data, "utf-16-be")
    if text is None:
        text = _try(data, "utf-8-sig")
    if text is None:
        text = data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _csv_rows(text: str, delimiter: str) -> Iterator[tuple[int, Sequence[Any]]]:
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as exc:
        raise RosterFileError(_("This file cannot be read as CSV.")) from exc


def read_csv(data: bytes) -> Sheet:
    """A CSV roster; its rows are read as they are checked."""
    text = _decode(data)
    head = "".join(itertools.islice(io.StringIO(text), HEADER_SCAN_ROWS))
    # The delimiter is the one under which the header is recognised best.
    best = max(
        (",", ";", "\t"),
        key=lambda d: max((len(_columns(c)) for _n, c in _csv_rows(head, d)), default=0),
    )
    sheet = _take(_csv_rows(text, best), stream=True)
    if sheet is None:
        raise RosterFileError(_no_header())
    return Sheet(sheet.columns, sheet.rows, text.count("\n") + 1)


def read_xlsx(data: bytes) -> Sheet:
    """The first worksheet that has a roster header; its rows are read as they are checked."""
    from openpyxl import load_workbook

    _check_unzipped(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    try:
        for sheet in book.worksheets:
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            found = _take(rows, stream=True)
            if found is not None:
                return Sheet(found.columns, _closing(book, found.rows), sheet.max_row)
    except Exception as exc:  # cells are read lazily: damage shows up while reading
        book.close()
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    book.close()
    raise RosterFileError(_no_header())


def _closing(book: Any, rows: Iterable[tuple[int, Sequence[Any]]]) -> Iterator[Any]:
    """The rows, read lazily; the workbook is closed once they are read (or on an error)."""
    try:
        yield from rows
    except RosterFileError:
        raise
    except Exception as exc:
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    finally:
        book.close()


def _check_unzipped(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as exc:
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    if unzipped > MAX_UNZIPPED_BYTES:
        raise RosterFileError(
            _("The workbook is too large once unzipped (at most {mb} MB).").format(
                mb=MAX_UNZIPPED_BYTES // (1024 * 1024)
            )
        )


def _no_header() -> str:
    return _(
        "No header row found: the file needs at least the columns Họ và tên (full name) "
        "and Thôn (village) in one of its first {n} rows."
    ).format(n=HEADER_SCAN_ROWS)


def read_sheet(filename: str, data: bytes) -> Sheet:
    """Read a .csv or .xlsx roster; raises RosterFileError with a message for the user."""
    if len(data) > MAX_FILE_BYTES:
        raise RosterFileError(_("The file is too large (at most 50 MB)."))
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        sheet = read_xlsx(data)
    elif name.endswith((".csv", ".txt")) or not name.rpartition(".")[1]:
        sheet = read_csv(data)
    else:
        raise RosterFileError(_("Send the roster as a .csv or .xlsx file."))
    if "village" not in sheet.columns:
        raise RosterFileError(_no_header())
    return sheet
