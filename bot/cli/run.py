"""`troly06 run`: every channel whose token is set, in one process."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("run", help="run the bot on every channel whose token is set")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from bot.runtime import main

    return main()
