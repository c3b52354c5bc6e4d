"""`troly06 import-roster FILE`, `set-target`, `export-log`: the roster from the command line."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from bot.app import App, build_app
from bot.config import Settings
from bot.core.i18n import format_datetime, use_locale
from bot.services import roster_import
from bot.storage import roster as roster_store
from bot.storage import roster_queries


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser(
        "import-roster",
        help="import a roster (CSV or XLSX); re-importing updates people",
        description=(
            "Import a roster. Every rejected row is reported with its line and reason; the "
            "good rows go in, in one transaction. Villages must exist unless --create-places."
        ),
    )
    parser.add_argument("file", type=Path)
    parser.add_argument("--dry-run", action="store_true", help="check and count, change nothing")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--create-places",
        action="store_true",
        help="create the communes and villages the file names that are not on file yet",
    )
    parser.add_argument("--province", default="", help="province of communes created")
    parser.add_argument(
        "--yes",
        action="store_true",
        help="create the new villages without asking (they are listed first otherwise)",
    )
    parser.set_defaults(func=lambda args: asyncio.run(import_file(args)))

    target = sub.add_parser("set-target", help="set a commune's target (share with level 2)")
    target.add_argument("percent", type=float, help="e.g. 95 for 95%%")
    target.add_argument("--commune", type=int, help="commune id (default: every commune)")
    target.set_defaults(func=lambda args: asyncio.run(set_target(args)))

    log = sub.add_parser("export-log", help="who exported which roster lists, newest first")
    log.add_argument("--limit", type=int, default=50)
    log.set_defaults(func=lambda args: asyncio.run(show_export_log(args)))


async def import_file(args: argparse.Namespace) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    settings = Settings()
    app = await build_app(settings)
    try:
        with use_locale(settings.default_locale):
            if args.create_places and not args.dry_run and not args.yes:
                preview = await _run(app, args, data, dry_run=True)
                if preview.new_villages and not _agreed(preview):
                    return 1
            report = await _run(app, args, data, dry_run=args.dry_run)
    except roster_import.RosterFileError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    finally:
        await app.close()
    print_report(report, as_json=args.json)
    return 0


async def _run(
    app: App, args: argparse.Namespace, data: bytes, *, dry_run: bool
) -> roster_import.ImportReport:
    bar = ProgressBar() if sys.stderr.isatty() and not args.json else None
    try:
        async with app.db.write() as tx:
            return await roster_import.import_roster(
                tx,
                args.file.name,
                data,
                app.clock.now(),
                dry_run=dry_run,
                create_places=args.create_places,
                province=args.province,
                max_rows=app.settings.roster_max_rows,
                progress=bar,
            )
    finally:
        if bar is not None:
            bar.close()


class ProgressBar:
    """ "[##########----------]  50%" redrawn in place on the terminal (stderr)."""

    WIDTH = 30

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, share: float) -> None:
        percent = int(share * 100)
        if percent == self.shown:
            return
        self.shown = percent
        filled = int(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        sys.stderr.write(f"\r[{bar}] {percent:3d}%")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown >= 0:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _agreed(preview: roster_import.ImportReport) -> bool:
    """Lists the villages the file would create (a typo makes a village): True to go on."""
    out = sys.stderr
    print("villages not on file, to be created:", file=out)
    for place in preview.new_villages:
        near = f" (closest on file: {place.closest})" if place.closest else ""
        print(f"  {place.name}: {place.rows} rows{near}", file=out)
    if not sys.stdin.isatty():
        print("nothing written: check the names, then run again with --yes", file=out)
        return False
    answer = input("create them and import? [y/N] ").strip().lower()
    if answer in ("y", "yes", "c", "co", "có", "ok"):
        return True
    print("nothing written", file=out)
    return False


def print_report(report: roster_import.ImportReport, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.as_json(), ensure_ascii=False))
        return
    dry = " (dry run: nothing was changed)" if report.dry_run else ""
    print(
        f"rows {report.rows}, imported {report.imported}, updated {report.updated}, "
        f"unchanged {report.unchanged}, rejected {len(report.rejected)}, "
        f"warnings {len(report.warnings)}{dry}"
    )
    verb = "new villages" if report.dry_run else "villages created"
    for place in report.new_villages:
        near = f" (closest on file: {place.closest})" if place.closest else ""
        print(f"{verb}: {place.name}, {place.rows} rows{near}")
    for place in report.unknown:
        near = f" (closest on file: {place.closest})" if place.closest else ""
        print(f"village not on file: {place.name}, {place.rows} rows{near}")
    for rejected in report.rejected:
        print(f"line {rejected.line}: {rejected.reason}")
    for warned in report.warnings:
        print(f"line {warned.line}: warning: {warned.reason}")


async def set_target(args: argparse.Namespace) -> int:
    if not 0 < args.percent <= 100:
        print("the target is a percentage between 0 and 100", file=sys.stderr)
        return 2
    app = await build_app(Settings())
    try:
        async with app.db.write() as tx:
            changed = await roster_store.set_target(tx, args.commune, round(args.percent * 10))
    finally:
        await app.close()
    print(f"target {args.percent:g}% set for {changed} commune(s)")
    return 0 if changed else 1


async def show_export_log(args: argparse.Namespace) -> int:
    settings = Settings()
    app = await build_app(settings)
    try:
        async with app.db.read() as tx:
            rows = await roster_queries.export_log(tx, args.limit)
    finally:
        await app.close()
    with use_locale(settings.default_locale):
        for row in rows:
            print(
                f"{format_datetime(row.created_at, 'yyyy-MM-dd HH:mm')} user={row.user_id} "
                f"villages={row.village_ids} {row.subset} {row.format} rows={row.rows}"
            )
    return 0
