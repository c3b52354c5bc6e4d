"""The `troly06` command (also `python -m bot`): one module per group of subcommands."""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

SUBCOMMANDS = (
    "bot.cli.chat",
    "bot.cli.run",
    "bot.cli.admin",
    "bot.cli.i18n",
    "bot.cli.roster",
    "bot.cli.faq",
    "bot.cli.sessions",
    "bot.cli.privacy",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="troly06", description="Trợ lý 06")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)
