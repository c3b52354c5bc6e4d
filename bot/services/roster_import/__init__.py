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

from bot.services.roster_import.cells import (
    check_row,
    check_rows,
    parse_birth,
    parse_flag,
    parse_sex,
)
from bot.services.roster_import.matching import Matcher, unchanged
from bot.services.roster_import.model import (
    ImportReport,
    Rejected,
    RosterFileError,
    RosterRow,
    Sheet,
    UnknownPlace,
)
from bot.services.roster_import.places import Places, place_key
from bot.services.roster_import.reading import (
    HEADERS,
    MAX_FILE_BYTES,
    header_field,
    read_csv,
    read_sheet,
    read_xlsx,
)
from bot.services.roster_import.writing import import_roster

__all__ = [
    "HEADERS",
    "MAX_FILE_BYTES",
    "ImportReport",
    "Matcher",
    "Places",
    "Rejected",
    "RosterFileError",
    "RosterRow",
    "Sheet",
    "UnknownPlace",
    "check_row",
    "check_rows",
    "header_field",
    "import_roster",
    "parse_birth",
    "parse_flag",
    "parse_sex",
    "place_key",
    "read_csv",
    "read_sheet",
    "read_xlsx",
    "unchanged",
]
