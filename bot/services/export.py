"""Roster export: XLSX, or CSV with a BOM so Excel shows Vietnamese; every export is logged.

Exports carry whole phone numbers: a village head exports the list to call people, and
only the roles that cover a village can export it. Each export is logged (who, when, which
villages, what, how many rows) in roster_exports. The headers are the import headers, so
an exported file can be corrected and imported again.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.i18n import to_local
from bot.core.reply import Attachment
from bot.core.text import fold
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.services.missing import Filter, NotAllowed, rule_for
from bot.services.privacy.safe_files import CSV_MIME, XLSX_MIME, csv_bytes, xlsx_bytes
from bot.storage import roster_queries as store

logger = logging.getLogger(__name__)

MAX_ROWS = 100_000
COLUMN_WIDTHS = (14, 16, 10, 26, 12, 8, 13, 14, 8, 8, 24, 12, 12, 14)


class Subset(StrEnum):
    MISSING = "missing"
    ALL = "all"


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class TooLarge(Exception):
    """More rows than one file should carry; export fewer villages."""


@dataclass(frozen=True)
class Export:
    document: Attachment
    rows: int


def headers() -> list[str]:
    return [
        _("Commune"),
        _("Village"),
        _("Household"),
        _("Full name"),
        _("Date of birth"),
        _("Sex"),
        _("Phone"),
        _("Boat"),
        _("ID card"),
        _("eID level 2"),
        _("Note"),
        _("Status"),
        _("Away until"),
        _("Exempt reason"),
    ]


def _labels() -> dict[str, str]:
    return {
        "M": _("male"),
        "F": _("female"),
        "present": _("present"),
        "away": _("away"),
        "moved": _("moved away"),
        "exempt": _("exempt"),
        "dead": _("dead"),
        "abroad": _("abroad"),
        "prison": _("in prison"),
        "army": _("in the army"),
        "other": _("other"),
    }


def _cells(row: tuple[Any, ...], labels: dict[str, str], yes: str, no: str) -> list[Any]:
    (commune, village, household, name, born, year, sex, phone, boat) = row[:9]
    card, level2, note, status, away_until, reason = row[9:]
    return [
        commune,
        village,
        household,
        name,
        born.strftime("%d/%m/%Y") if born else (str(year) if year else ""),
        labels.get(sex or "", ""),
        phone or "",
        boat or "",
        yes if card else no,
        yes if level2 else no,
        note,
        labels.get(status, status),
        away_until.strftime("%d/%m/%Y") if away_until else "",
        labels.get(reason or "", reason or ""),
    ]


def to_csv(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a BOM, every text cell neutralised (the one safe writer)."""
    return csv_bytes(headers(), rows)


def to_xlsx(rows: Iterable[list[Any]], title: str) -> bytes:
    return xlsx_bytes(headers(), rows, title, COLUMN_WIDTHS)


async def export(
    tx: AsyncConnection,
    actor: Actor,
    village_ids: Iterable[int],
    subset: Subset,
    fmt: Format,
    now: datetime,
) -> Export:
    """The people of these villages (all, or only the missing) as a file, logged.

    Raises NotAllowed if the actor does not cover one of the villages, TooLarge beyond
    MAX_ROWS.
    """
    wanted = sorted(set(village_ids))
    allowed = await visible_villages(tx, actor)
    if not wanted or not set(wanted) <= allowed:
        logger.warning("export refused: user=%s villages=%s", actor.user_id, wanted)
        raise NotAllowed(wanted)
    today = to_local(now).date()
    rule = rule_for(Filter.ALL, today) if subset is Subset.MISSING else None
    rows = await store.export_rows(tx, wanted, rule, limit=MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        raise TooLarge(len(rows))
    labels, yes, no = _labels(), _("yes"), _("no")
    cells = [_cells(row, labels, yes, no) for row in rows]
    name = _filename(await store.village_info(tx, wanted), subset, today, fmt)
    if fmt is Format.CSV:
        document = Attachment(name, to_csv(cells), CSV_MIME)
    else:
        document = Attachment(name, to_xlsx(cells, _sheet_title(subset)), XLSX_MIME)
    await store.log_export(
        tx,
        user_id=actor.user_id,
        village_ids=wanted,
        subset=subset,
        fmt=fmt,
        rows=len(rows),
        now=now,
    )
    logger.info(
        "roster export: user=%s villages=%s subset=%s format=%s rows=%s",
        actor.user_id,
        len(wanted),
        subset,
        fmt,
        len(rows),
    )
    return Export(document, len(rows))


def _sheet_title(subset: Subset) -> str:
    return _("Still missing") if subset is Subset.MISSING else _("Roster")


def _filename(villages: list[store.VillageInfo], subset: Subset, today: date, fmt: Format) -> str:
    if len(villages) == 1:
        place = re.sub(r"[^a-z0-9]+", "-", fold(villages[0].name)).strip("-") or "thon"
    else:
        place = f"{len(villages)}-thon"
    what = "con-thieu" if subset is Subset.MISSING else "danh-sach"
    return f"{what}-{place}-{today:%Y%m%d}.{fmt.value}"
