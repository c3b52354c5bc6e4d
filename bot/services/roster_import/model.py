"""Roster import: the records passed between reading, checking, placing and writing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

Progress = Callable[[float], None]  # the share done, 0 to 1 (called from any thread)
LIMITS = {"full_name": 120, "household": 40, "boat": 40, "note": 300, "place": 120}


class RosterFileError(ValueError):
    """The file cannot be read as a roster at all (its message is for the user)."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class UnknownPlace:
    """A village the file names that is not on file, and the closest name that is (or "")."""

    name: str
    rows: int
    closest: str = ""


@dataclass
class ImportReport:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[Rejected] = field(default_factory=list)  # imported, with a cell left out
    created_villages: list[str] = field(default_factory=list)
    new_villages: list[UnknownPlace] = field(default_factory=list)  # created, with closest
    # places named in the file but not on file: (commune, village) and the closest name on file
    unknown: list[UnknownPlace] = field(default_factory=list)
    unknown_places: int = 0  # communes or villages named in the file but not on file
    dry_run: bool = False
    # Written in steps (from the chat): the people written before a step failed, if one did.
    written: int = 0
    interrupted: bool = False

    def as_json(self) -> dict[str, Any]:
        """The report as `troly06 import-roster --json` prints it."""
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": [asdict(r) for r in self.rejected],
            "warnings": [asdict(r) for r in self.warnings],
            "new_villages": [asdict(u) for u in self.new_villages],
            "unknown_places": [asdict(u) for u in self.unknown],
        }


@dataclass(frozen=True)
class Sheet:
    """A roster file read into cells: which column holds which field, and the data rows."""

    columns: dict[str, int]
    rows: Iterable[tuple[int, Sequence[Any]]]  # read once: (line as the user sees it, cells)
    last_line: int | None = None  # the file's last line or row, when known (for progress)


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
    id_number: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass
class Checked:
    """A file read and checked, before any database: its good rows and the rejected ones."""

    good: list[RosterRow]
    rejected: list[Rejected]
