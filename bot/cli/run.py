"""`troly06 run [--workers N]`: every channel whose token is set, in one or N processes."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("run", help="run the bot on every channel whose token is set")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="bot processes sharing one PostgreSQL database and the webhook port (webhooks only, "
        "with one TROLY06_WEBHOOK_SECRET / TROLY06_ZALO_WEBHOOK_SECRET); default 1",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.workers > 1:
        from bot.config import Settings
        from bot.supervisor import problem, supervise

        why = problem(Settings(), args.workers)
        if why:
            sys.stderr.write(why + "\n")
            return 2
        return supervise(args.workers)
    from bot.runtime import main

    return main()
