"""Roster import: CSV or XLSX as village offices keep them; every bad row reported by line.

Headers may be Vietnamese or English, in any order, matched without case or diacritics;
unknown columns (STT, ...) are ignored, and title rows above the header are skipped.
Blank commune, village and household cells repeat the value above them (merged cells read
that way). Fully blank rows are skipped and not counted.

Who is who on re-import: a person is the same person when the village, the household code,
the name (compared without case or diacritics) and the birth year match; when the file or
the stored row has no birth year, the name alone within the household is enough if it is
unique there. A matched person is updated: blank cells keep what is stored, and a "no" in
the ID card or level 2 column never undoes a "yes" already recorded (a check-in at the
collection point is newer than a paper list). Status (away, moved, exempt) is never touched.

Places: a village named in the file must exist, or the row is rejected ("unknown village"),
unless `create_places` is set (`troly06 import-roster --create-places`), which creates the
communes and villages the file names. A file without a commune column works when every
village name is unique across the communes on file.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.services.phone import normalize_phone
from bot.storage import roster as store

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 50 * 1024 * 1024
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
}
_HEADER_FIELD = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
YES = frozenset({"co", "da co", "roi", "x", "yes", "1", "true", "y", "da"})
NO = frozenset({"", "khong", "chua", "chua co", "no", "0", "false", "n"})
MALE = frozenset({"nam", "m", "male", "nam gioi", "trai"})
FEMALE = frozenset({"nu", "f", "female", "nu gioi", "gai"})
COMMUNE_PREFIXES = ("xa ", "phuong ", "dac khu ", "thi tran ")
VILLAGE_PREFIXES = ("thon ", "to dan pho ", "tdp ", "khu pho ")
LIMITS = {"full_name": 120, "household": 40, "boat": 40, "note": 300, "place": 120}

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?")
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_PARENS = re.compile(r"\([^)]*\)")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_SPACES = re.compile(r"\s+")


def _fold_table() -> dict[int, str | None]:
    """Vietnamese letters to their bare lower-case form, and combining marks dropped."""
    table: dict[int, str | None] = {c: None for c in range(0x300, 0x370)}
    for code in range(0xC0, 0x1F00):
        char = chr(code)
        bare = fold(char)
        if bare != char.lower() and len(bare) == 1:
            table[code] = bare
    return table


_FOLD = _fold_table()


def fast_fold(text: str) -> str:
    """The same as bot.core.text.fold for single-spaced text, about ten times faster."""
    return text.translate(_FOLD).lower()


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (its message is for the user)."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    created_villages: list[str] = field(default_factory=list)
    unknown_places: int = 0  # communes or villages named in the file but not on file
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        """The report as `troly06 import-roster --json` prints it."""
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "rejected": [asdict(r) for r in self.rejected],
        }


@dataclass(frozen=True)
class Sheet:
    """A roster file read into cells: which column holds which field, and the data rows."""

    columns: dict[str, int]
    rows: Iterable[tuple[int, Sequence[Any]]]  # read once: (line as the user sees it, cells)


@dataclass(slots=True)
class RosterRow:
    """One good row, before its village is looked up."""

    line: int
    commune: str
    village: str
    household: str
    full_name: str
    birth_date: date | None
    birth_year: int | None
    sex: str | None
    phone: str | None
    boat: str | None
    has_id_card: bool
    has_eid_level2: bool
    note: str


# ---------------------------------------------------------------- reading the file


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
    """UTF-8 with or without BOM; else Windows-1258, as Excel saves CSV on Vietnamese Windows."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1258", errors="replace")
    return unicodedata.normalize("NFC", text)


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
    return sheet


def read_xlsx(data: bytes) -> Sheet:
    """The first worksheet that has a roster header."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    try:
        for sheet in book.worksheets:
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            found = _take(rows, stream=False)
            if found is not None:
                return found
    except Exception as exc:  # cells are read lazily: damage shows up while reading
        raise RosterFileError(_("This file cannot be opened as an Excel workbook.")) from exc
    finally:
        book.close()
    raise RosterFileError(_no_header())


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


# ---------------------------------------------------------------- checking cells


def _text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        text = value.strip()
        return _SPACES.sub(" ", text) if "  " in text or "\n" in text or "\t" in text else text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _SPACES.sub(" ", str(value)).strip()


def _shown(value: Any) -> str:
    return _text(value)[:40]


def parse_birth(value: Any, today: date) -> tuple[date | None, int | None] | None:
    """(birth date, birth year) from dd/mm/yyyy, yyyy-mm-dd, a year alone or an Excel date.

    (None, None) for a blank cell; None when it is not a possible birth date.
    """
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        born: date | None = value
        year = value.year
    else:
        text = _text(value)
        if not text:
            return None, None
        born, year = _parse_birth_text(text)
        if year is None:
            return None
    if not 1900 <= year <= today.year or (born is not None and born > today):
        return None
    return born, year


def _parse_birth_text(text: str) -> tuple[date | None, int | None]:
    if match := _YEAR.fullmatch(text):
        return None, int(match[1])
    match = _DMY.fullmatch(text)
    parts = (match[3], match[2], match[1]) if match else None
    if parts is None and (match := _YMD.fullmatch(text)):
        parts = (match[1], match[2], match[3])
    if parts is None:
        return None, None
    try:
        born = date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None, None
    return born, born.year


def parse_flag(value: Any) -> bool | None:
    """True for có / đã có / rồi / x / yes / 1, False for blank / không / chưa / no / 0."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return {1: True, 0: False}.get(int(value)) if float(value).is_integer() else None
    return _flag_text(_text(value))


@lru_cache(maxsize=256)
def _flag_text(text: str) -> bool | None:
    key = fold(text)
    if key in YES:
        return True
    return False if key in NO else None


@lru_cache(maxsize=256)
def _sex_text(text: str) -> str | bool | None:
    key = fold(text)
    if not key:
        return None
    if key in MALE:
        return "M"
    return "F" if key in FEMALE else False


def parse_sex(value: Any) -> str | bool | None:
    """ "M" or "F"; None for blank; False when it is not a sex we know."""
    return _sex_text(_text(value))


_Row = dict[str, Any]  # one row's cells by field name


def _reader(columns: dict[str, int]) -> Callable[[Sequence[Any]], _Row]:
    """A function giving a row's cells by field name (None past the end of a short row)."""
    names = tuple(columns)
    pick = itemgetter(*columns.values())
    width = max(columns.values()) + 1

    def read(cells: Sequence[Any]) -> _Row:
        if len(cells) < width:
            cells = (*cells, *([None] * (width - len(cells))))
        picked = pick(cells)
        return dict(zip(names, picked if len(names) > 1 else (picked,), strict=True))

    return read


def check_row(
    line: int, cells: _Row, place: tuple[str, str, str], today: date
) -> RosterRow | Rejected:
    """One row checked cell by cell; `place` is its (commune, village, household)."""
    commune, village, household = place
    full_name = _text(cells.get("full_name"))
    if not full_name:
        return Rejected(line, _("missing full name"))
    if not village:
        return Rejected(line, _("missing village"))
    if not household:
        return Rejected(line, _("missing household"))
    full_name = unicodedata.normalize("NFC", full_name)
    for label, value, limit in (
        ("full name", full_name, LIMITS["full_name"]),
        ("household", household, LIMITS["household"]),
        ("village", village, LIMITS["place"]),
        ("commune", commune, LIMITS["place"]),
    ):
        if len(value) > limit:
            return Rejected(line, _too_long(label))
    return _check_details(line, cells, today, (commune, village, household, full_name))


def _check_details(
    line: int, cells: _Row, today: date, place: tuple[str, str, str, str]
) -> RosterRow | Rejected:
    raw_birth = cells.get("date_of_birth")
    birth = parse_birth(raw_birth, today)
    if birth is None:
        return Rejected(line, _("bad date of birth: {value}").format(value=_shown(raw_birth)))
    raw_phone = _text(cells.get("phone"))
    phone = normalize_phone(raw_phone) if raw_phone else None
    if raw_phone and phone is None:
        return Rejected(
            line, _("bad Vietnamese phone number: {value}").format(value=raw_phone[:20])
        )
    sex = parse_sex(cells.get("sex"))
    if sex is False:
        return Rejected(line, _("unknown sex: {value}").format(value=_shown(cells.get("sex"))))
    card = parse_flag(cells.get("id_card"))
    level2 = parse_flag(cells.get("eid_level2"))
    if card is None or level2 is None:
        name = "id_card" if card is None else "eid_level2"
        return Rejected(
            line,
            _("unknown value in the {column} column: {value} (use có or chưa)").format(
                column=_column_name(name), value=_shown(cells.get(name))
            ),
        )
    boat = _text(cells.get("boat")).upper().replace(" ", "") or None
    note = _text(cells.get("note"))
    if boat and len(boat) > LIMITS["boat"]:
        return Rejected(line, _too_long("boat"))
    if len(note) > LIMITS["note"]:
        return Rejected(line, _too_long("note"))
    return RosterRow(
        line,
        *place,
        birth_date=birth[0],
        birth_year=birth[1],
        sex=sex or None,
        phone=phone,
        boat=boat,
        has_id_card=card,
        has_eid_level2=level2,
        note=note,
    )


def _column_name(name: str) -> str:
    names = {
        "full name": _("full name"),
        "household": _("household"),
        "village": _("village"),
        "commune": _("commune"),
        "boat": _("boat"),
        "note": _("note"),
        "id_card": _("ID card"),
        "eid_level2": _("level 2 account"),
    }
    return names[name]


def _too_long(name: str) -> str:
    return _("{column} is too long").format(column=_column_name(name))


def check_rows(sheet: Sheet, today: date) -> tuple[list[RosterRow], list[Rejected]]:
    """Every data row checked: the good ones, and the rejected ones with their reasons.

    A blank commune, village or household cell repeats the one above (merged cells); a
    household is repeated only within the same village.
    """
    good: list[RosterRow] = []
    bad: list[Rejected] = []
    read = _reader(sheet.columns)
    commune = village = household = ""
    for line, cells in sheet.rows:
        row = read(cells)
        commune = _text(row.get("commune")) or commune
        new_village = _text(row.get("village")) or village
        household = _text(row.get("household")).upper() or (
            household if new_village == village else ""
        )
        village = new_village
        checked = check_row(line, row, (commune, village, household), today)
        if isinstance(checked, RosterRow):
            good.append(checked)
        else:
            bad.append(checked)
    return good, bad


# ---------------------------------------------------------------- places and matching


def place_key(name: str, prefixes: tuple[str, ...]) -> str:
    """ "Thôn Đầm Môn" and "dam mon" give the same key."""
    key = fold(name)
    for prefix in prefixes:
        if key.startswith(prefix):
            return key[len(prefix) :]
    return key


class Places:
    """The communes and villages on file, looked up by folded name; creates them if asked."""

    def __init__(self, communes: list[tuple[int, str]], villages: list[store.PlaceRow]) -> None:
        self.communes = {place_key(name, COMMUNE_PREFIXES): cid for cid, name in communes}
        self.villages = {
            (v.commune_id, place_key(v.village, VILLAGE_PREFIXES)): v.village_id for v in villages
        }
        self.by_name: dict[str, list[int]] = {}
        for v in villages:
            self.by_name.setdefault(place_key(v.village, VILLAGE_PREFIXES), []).append(
                v.village_id
            )
        self.created: list[str] = []
        self.unknown = 0

    async def find(
        self, tx: AsyncConnection, commune: str, village: str, create: bool, province: str
    ) -> int | str:
        """The village id, or why the row is rejected."""
        v_key = place_key(village, VILLAGE_PREFIXES)
        if not commune:
            ids = self.by_name.get(v_key, [])
            if len(ids) == 1:
                return ids[0]
            if ids:
                return _("village {name} is in several communes: fill in the commune").format(
                    name=village
                )
            if create and len(self.communes) == 1:
                return await self._create_village(tx, next(iter(self.communes.values())), village)
            self.unknown += 1
            return _("unknown village: {name}").format(name=village)
        c_key = place_key(commune, COMMUNE_PREFIXES)
        commune_id = self.communes.get(c_key)
        if commune_id is None:
            if not create:
                self.unknown += 1
                return _("unknown commune: {name}").format(name=commune)
            commune_id = await store.create_commune(tx, commune, province)
            self.communes[c_key] = commune_id
        village_id = self.villages.get((commune_id, v_key))
        if village_id is not None:
            return village_id
        if not create:
            self.unknown += 1
            return _("unknown village: {name}").format(name=village)
        return await self._create_village(tx, commune_id, village)

    async def _create_village(self, tx: AsyncConnection, commune_id: int, name: str) -> int:
        village_id = await store.create_village(tx, commune_id, name)
        key = place_key(name, VILLAGE_PREFIXES)
        self.villages[(commune_id, key)] = village_id
        self.by_name.setdefault(key, []).append(village_id)
        self.created.append(name)
        logger.info("village created by import: id=%s", village_id)
        return village_id


PersonKey = tuple[int, str, str, int | None]  # village id, household code, folded name, year


class Matcher:
    """Finds the stored person a row stands for (see the module docstring)."""

    def __init__(self, stored: list[store.StoredPerson]) -> None:
        self.by_name: dict[tuple[int, str, str], list[store.StoredPerson]] = {}
        for p in stored:
            key = (p.village_id, p.household_code.upper(), fast_fold(p.full_name))
            self.by_name.setdefault(key, []).append(p)

    def find(self, key: PersonKey) -> store.StoredPerson | None:
        candidates = self.by_name.get(key[:3], ())
        for person in candidates:
            if person.birth_year == key[3]:
                return person
        if len(candidates) == 1 and (key[3] is None or candidates[0].birth_year is None):
            return candidates[0]
        return None


def unchanged(stored: store.StoredPerson, new: dict[str, Any]) -> bool:
    """True when updating `stored` with `new` would change nothing (see store.update_people)."""
    return (
        stored.household_id == new["household_id"]
        and stored.full_name == new["full_name"]
        and new["birth_date"] in (None, stored.birth_date)
        and new["birth_year"] in (None, stored.birth_year)
        and new["sex"] in (None, stored.sex)
        and new["phone"] in (None, stored.phone)
        and new["boat_id"] in (None, stored.boat_id)
        and (stored.has_id_card or not new["has_id_card"])
        and (stored.has_eid_level2 or not new["has_eid_level2"])
        and new["note"] in ("", stored.note)
    )


# ---------------------------------------------------------------- the import


async def import_roster(
    tx: AsyncConnection,
    filename: str,
    data: bytes,
    now: datetime,
    *,
    dry_run: bool = False,
    create_places: bool = False,
    province: str = "",
) -> ImportReport:
    """Import a roster file in the caller's transaction; with `dry_run` nothing stays.

    Raises RosterFileError when the file is not a roster at all.
    """
    sheet = read_sheet(filename, data)
    good, rejected = check_rows(sheet, now.date())
    report = ImportReport(rows=len(good) + len(rejected), dry_run=dry_run)
    async with tx.begin_nested() as savepoint:
        places = Places(*await store.all_places(tx))
        placed, more = await _place(tx, places, good, create_places, province)
        rejected.extend(more)
        inserts, updates, matched, dupes, boats = await _match(tx, placed, now)
        rejected.extend(dupes)
        await _write(tx, inserts, updates, boats, now)
        report.imported, report.updated = len(inserts), matched
        report.created_villages = places.created
        report.unknown_places = places.unknown
        if dry_run:
            await savepoint.rollback()
    report.rejected = sorted(rejected, key=lambda r: r.line)
    logger.info(
        "roster import: rows=%s imported=%s updated=%s rejected=%s dry_run=%s",
        report.rows,
        report.imported,
        report.updated,
        len(report.rejected),
        dry_run,
    )
    return report


async def _place(
    tx: AsyncConnection, places: Places, rows: list[RosterRow], create: bool, province: str
) -> tuple[list[tuple[int, RosterRow]], list[Rejected]]:
    placed: list[tuple[int, RosterRow]] = []
    rejected: list[Rejected] = []
    cache: dict[tuple[str, str], int | str] = {}
    for row in rows:
        where = (row.commune, row.village)
        if where not in cache:
            cache[where] = await places.find(tx, row.commune, row.village, create, province)
        found = cache[where]
        if isinstance(found, str):
            rejected.append(Rejected(row.line, found))
        else:
            placed.append((found, row))
    return placed, rejected


async def _match(
    tx: AsyncConnection, placed: list[tuple[int, RosterRow]], now: datetime
) -> tuple[list[tuple[RosterRow, int]], list[dict[str, Any]], int, list[Rejected], dict[str, int]]:
    """Split the rows: new people (row, household id), the updates that change something,
    how many matched, the duplicates, and the boat ids.

    A later copy of a person already seen in the file is rejected as a duplicate.
    """
    matcher = Matcher(await store.people_in(tx, {village for village, _row in placed}))
    households = await store.household_ids(tx, {(v, r.household) for v, r in placed})
    boats = await store.boat_ids(tx, {r.boat: v for v, r in placed if r.boat})
    seen: dict[PersonKey | int, int] = {}
    inserts: list[tuple[RosterRow, int]] = []
    updates: list[dict[str, Any]] = []
    dupes: list[Rejected] = []
    matched = 0
    for village_id, row in placed:
        key: PersonKey = (village_id, row.household, fast_fold(row.full_name), row.birth_year)
        person = matcher.find(key)
        ident: PersonKey | int = person.person_id if person is not None else key
        if ident in seen:
            dupes.append(
                Rejected(row.line, _("duplicate of line {line}").format(line=seen[ident]))
            )
            continue
        seen[ident] = row.line
        household_id = households[(village_id, row.household)]
        if person is None:
            inserts.append((row, household_id))
            continue
        matched += 1
        values = _values(row, household_id, boats, now)
        if not unchanged(person, values):
            updates.append({**values, "person_id": person.person_id})
    return inserts, updates, matched, dupes, boats


def _values(
    row: RosterRow, household_id: int, boats: dict[str, int], now: datetime
) -> dict[str, Any]:
    return {
        "household_id": household_id,
        "full_name": row.full_name,
        "birth_date": row.birth_date,
        "birth_year": row.birth_year,
        "sex": row.sex,
        "phone": row.phone,
        "boat_id": boats.get(row.boat) if row.boat else None,
        "has_id_card": row.has_id_card,
        "has_eid_level2": row.has_eid_level2,
        "note": row.note,
        "updated_at": now,
    }


async def _write(
    tx: AsyncConnection,
    inserts: list[tuple[RosterRow, int]],
    updates: list[dict[str, Any]],
    boats: dict[str, int],
    now: datetime,
) -> None:
    """Insert and update in batches; the rows of a batch are built only when it is sent."""
    for start in range(0, len(inserts), store.BATCH):
        batch = inserts[start : start + store.BATCH]
        await store.insert_people(tx, [_values(row, h, boats, now) for row, h in batch])
    await store.update_people(tx, updates)
