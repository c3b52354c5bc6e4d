"""Roster import: every cell of a row checked and turned into a RosterRow or a rejection."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any

from bot.core.i18n import format_number
from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.services.phone import parse_phone
from bot.services.roster_import.model import (
    LIMITS,
    Progress,
    Rejected,
    RosterFileError,
    RosterRow,
    Sheet,
)

DEFAULT_MAX_ROWS = 200_000
YES = frozenset({"co", "da co", "roi", "x", "yes", "1", "true", "y", "da"})
NO = frozenset({"", "khong", "chua", "chua co", "no", "0", "false", "n"})
MALE = frozenset({"nam", "m", "male", "nam gioi", "trai"})
FEMALE = frozenset({"nu", "f", "female", "nu gioi", "gai"})

_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?")
_YEAR = re.compile(r"(\d{4})(?:\.0+)?")
_SPACES = re.compile(r"\s+")
_ID_NUMBER = re.compile(r"\d{12}")
_ID_SEPARATORS = re.compile(r"[\s.\-]")


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
    """The row's other cells: a bad birth date or ID number rejects the row; a bad optional
    cell (phone, sex, boat, a yes/no column, a note too long) is left out with a warning."""
    raw_birth = cells.get("date_of_birth")
    birth = parse_birth(raw_birth, today)
    if birth is None:
        return Rejected(line, _("bad date of birth: {value}").format(value=_shown(raw_birth)))
    id_number = parse_id_number(cells.get("id_number"))
    if id_number is False:
        return Rejected(
            line,
            _("bad ID number (12 digits): {value}").format(value=_shown(cells.get("id_number"))),
        )
    warnings: list[str] = []
    raw_phone = _text(cells.get("phone"))
    parsed = parse_phone(raw_phone) if raw_phone else None
    if raw_phone and parsed is None:
        warnings.append(_("bad phone number left out: {value}").format(value=raw_phone[:20]))
    sex = parse_sex(cells.get("sex"))
    if sex is False:
        warnings.append(_("unknown sex left out: {value}").format(value=_shown(cells.get("sex"))))
    flags: dict[str, bool] = {}
    for name in ("id_card", "eid_level2"):
        flag = parse_flag(cells.get(name))
        if flag is None:
            warnings.append(
                _(
                    "unknown value in the {column} column left out: {value} (use có or chưa)"
                ).format(column=_column_name(name), value=_shown(cells.get(name)))
            )
        flags[name] = bool(flag)
    boat = _text(cells.get("boat")).upper().replace(" ", "") or None
    if boat and len(boat) > LIMITS["boat"]:
        warnings.append(_too_long("boat"))
        boat = None
    note = _text(cells.get("note"))
    if len(note) > LIMITS["note"]:
        warnings.append(_too_long("note"))
        note = note[: LIMITS["note"]]
    return RosterRow(
        line,
        *place,
        birth_date=birth[0],
        birth_year=birth[1],
        sex=sex or None,
        phone=parsed[0] if parsed else None,
        boat=boat,
        has_id_card=flags["id_card"],
        has_eid_level2=flags["eid_level2"],
        note=note,
        id_number=id_number or None,
        warnings=tuple(warnings),
    )


def parse_id_number(value: Any) -> str | bool | None:
    """The 12-digit personal ID number (số định danh cá nhân); None for blank, False if bad.

    Spaces and dots are allowed; a number cell that lost its leading zeros gets them back.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not float(value).is_integer() or not 0 < value < 10**12:
            return False
        return f"{int(value):012d}"
    text = _ID_SEPARATORS.sub("", _text(value))
    if not text:
        return None
    return text if _ID_NUMBER.fullmatch(text) else False


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


def check_rows(
    sheet: Sheet,
    today: date,
    *,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress: Progress | None = None,
) -> tuple[list[RosterRow], list[Rejected]]:
    """Every data row checked: the good ones, and the rejected ones with their reasons.

    A blank commune, village or household cell repeats the one above (merged cells); a
    household is repeated only within the same village. More than `max_rows` data rows
    raise RosterFileError as soon as the next row is read. `progress` gets the share of
    the file read, now and then.
    """
    good: list[RosterRow] = []
    bad: list[Rejected] = []
    read = _reader(sheet.columns)
    commune = village = household = ""
    every = max(1, (sheet.last_line or 0) // 100)
    for count, (line, cells) in enumerate(sheet.rows, start=1):
        if count > max_rows:
            raise RosterFileError(
                _("The file has more than {n} rows: split it by commune or village.").format(
                    n=format_number(max_rows)
                )
            )
        if progress is not None and sheet.last_line and count % every == 0:
            progress(min(1.0, line / sheet.last_line))
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
