"""`troly06 import-sessions FILE.csv`: open many sessions from a file; bad rows are reported."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app import build_app
from bot.config import Settings
from bot.core.i18n import gettext as _
from bot.services.booking.importer import ImportReport, import_csv


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "import-sessions",
        help="open sessions from a CSV file (place, address, village, date, start, end, "
        "machines, minutes_per_person[, slot_minutes, mobile, cutoff_hours, commune])",
    )
    parser.add_argument("file", type=Path)
    parser.set_defaults(func=lambda args: main(args.file))


def main(path: Path, settings: Settings | None = None) -> int:
    """Import the file; exit status 1 if any row was refused (the good rows are in)."""
    try:
        data = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(_("Cannot read {path}: {error}").format(path=path, error=exc), file=sys.stderr)
        return 2
    return asyncio.run(run(data, settings))


async def run(data: str, settings: Settings | None = None) -> int:
    """Import CSV text into the configured database."""
    app = await build_app(settings or Settings())
    try:
        async with app.db.write() as tx:
            report = await import_csv(tx, data, app.clock.now())
    finally:
        await app.close()
    show(report)
    return 1 if report.errors else 0


def show(report: ImportReport) -> None:
    for line, reason in report.errors:
        print(_("line {line}: {reason}").format(line=line, reason=reason), file=sys.stderr)
    print(
        _("{imported} sessions imported, {refused} rows refused.").format(
            imported=report.imported, refused=len(report.errors)
        )
    )
