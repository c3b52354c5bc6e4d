"""Sessions from a CSV file: every good row imported, every bad row reported with its reason.

Columns (header row, any order): place, address, village (empty: the whole commune), date,
start, end, machines, minutes_per_person; optional: slot_minutes (30), mobile (yes/no),
cutoff_hours (0), commune (needed only when there are several).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.text import fold
from bot.core.understand.dates import day as parse_day
from bot.core.understand.numbers import whole_number as parse_int
from bot.core.understand.times import clock as parse_clock
from bot.services.booking import texts
from bot.services.booking.rules import DEFAULT_SLOT_MINUTES, SessionError, local_today
from bot.services.booking.sessions import SessionSpec, check_spec, open_session
from bot.storage import booking as store
from bot.storage import places

REQUIRED = ("place", "date", "start", "end", "machines", "minutes_per_person")
YES = {"1", "yes", "y", "co", "x", "true", "mobile", "luu dong"}


@dataclass
class ImportReport:
    imported: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


class RowError(ValueError):
    """Why one row cannot be imported."""


def _reason(error: SessionError) -> str:
    return texts.session_error(error)


async def import_csv(tx: AsyncConnection, data: str, now: datetime) -> ImportReport:
    """Import every good row of a sessions CSV in the caller's transaction."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(data.lstrip("\ufeff")))
    header = {fold(h or "") for h in reader.fieldnames or []}
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        report.errors.append((1, _("missing columns: {names}").format(names=", ".join(missing))))
        return report
    context = await _Places.load(tx)
    for row in reader:
        line = reader.line_num
        clean = {fold(k or ""): (v or "").strip() for k, v in row.items() if k}
        try:
            spec = await _spec(tx, clean, context, now)
        except RowError as exc:
            report.errors.append((line, str(exc)))
            continue
        if await store.session_at(tx, spec.point_id, spec.starts_at) is not None:
            report.errors.append((line, _("this session is already there")))
            continue
        result = await open_session(tx, spec, now=now, created_by=None)
        if isinstance(result, int):
            report.imported += 1
        else:
            report.errors.append((line, _reason(result)))
    return report


@dataclass
class _Places:
    communes: dict[str, int]
    villages: list[places.Village]

    @classmethod
    async def load(cls, tx: AsyncConnection) -> _Places:
        names = await store.communes_by_name(tx)
        return cls({fold(k): v for k, v in names.items()}, await places.all_villages(tx))

    def commune(self, name: str) -> int:
        if name:
            if fold(name) not in self.communes:
                raise RowError(_("unknown commune “{name}”").format(name=name[:60]))
            return self.communes[fold(name)]
        if len(self.communes) != 1:
            raise RowError(_("say which commune (column commune)"))
        return next(iter(self.communes.values()))

    def village(self, commune_id: int, name: str) -> places.Village | None:
        if not name:
            return None
        for village in self.villages:
            if village.commune_id == commune_id and fold(village.name) == fold(name):
                return village
        raise RowError(_("unknown village “{name}”").format(name=name[:60]))


async def _spec(
    tx: AsyncConnection, row: dict[str, str], context: _Places, now: datetime
) -> SessionSpec:
    today = local_today(now)
    day = parse_day(row.get("date", ""), today)
    if day is None:
        raise RowError(_("cannot read the date “{value}”").format(value=row.get("date", "")[:30]))
    start, end = parse_clock(row.get("start", "")), parse_clock(row.get("end", ""))
    if start is None or end is None:
        raise RowError(_("cannot read the start or end time"))
    machines = parse_int(row.get("machines", ""), 0, 10_000)
    minutes = parse_int(row.get("minutes_per_person", ""), 0, 10_000)
    slot = parse_int(row.get("slot_minutes", "") or str(DEFAULT_SLOT_MINUTES), 0, 10_000)
    cutoff = parse_int(row.get("cutoff_hours", "") or "0", 0, 24 * 14)
    if machines is None or minutes is None or slot is None or cutoff is None:
        raise RowError(_("machines, minutes and hours must be whole numbers"))
    name = row.get("place", "")[:120]
    if not name:
        raise RowError(_("the place has no name"))
    commune_id = context.commune(row.get("commune", ""))
    village = context.village(commune_id, row.get("village", ""))
    point = await store.point_by_name(tx, commune_id, name)
    point_id = point.id if point else None
    spec = SessionSpec(
        point_id=point_id or 0,
        day=day,
        start=start,
        end=end,
        machines=machines,
        minutes_per_person=minutes,
        slot_minutes=slot,
        is_mobile=fold(row.get("mobile", "")) in YES,
        cutoff_before=timedelta(hours=cutoff),
    )
    problem = check_spec(spec, now)
    if problem is not None:
        raise RowError(_reason(problem))
    if point_id is None:
        point_id = await store.insert_point(
            tx,
            commune_id=commune_id,
            village_id=village.id if village else None,
            name=name,
            address=row.get("address", "")[:200],
            is_island=bool(village and village.is_island),
        )
    return SessionSpec(**{**spec.__dict__, "point_id": point_id})
