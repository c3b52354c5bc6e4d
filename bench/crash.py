"""`python -m bench crash`: kill -9 `troly06 run` mid-way through 1,000 messages, restart.

Four rounds (Telegram polling, Telegram webhook, Zalo webhook, Zalo polling; `--modes` picks),
each with 1,000 messages from 300 users against a fake platform on 127.0.0.1, the bot killed
with SIGKILL once 40% were answered and started again (see bot.testing.crash). Gated rounds
hold new sends for the instant of the kill and must come out exact (but Zalo polling, whose
answer being read at the kill is lost); ungated rounds kill at any instant and show how many
replies fall in the window between the platform accepting a send and the bot recording it
(sent again after the restart). Each round has a deadline and says what was missing.

`--workers` runs instead two rounds of `troly06 run --workers 2` on PostgreSQL (a throwaway
server, or TROLY06_BENCH_PG_URL), users sending `--rate` messages a second while each worker
is restarted in turn (bot.testing.crash_workers): by SIGTERM (must be exact), then by
SIGKILL (missing must be 0; duplicates are the kill-instant residue of the ungated rounds);
then two `troly06 run` sharing the port, as two hosts, one killed and never restarted: the
other answers every message (missing must be 0), the dead one's taken up once it has been
gone a while; `host_lost_recovered_s` is the time from the kill until every message is
answered and no row is left open. `host_lost_held` holds sends before the kill until each host
holds messages not handled yet, so the dead one surely leaves some (its sends held at the kill
go out and are sent again: at most one per inbox slot).
"""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from bench.common import fresh_database, pg_database
from bot.testing.crash import ALL_MODES, Outcome, run_round
from bot.testing.crash_workers import run_host_lost_round, run_workers_round


async def run_workers(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"rate_per_s": args.rate, "users": args.users}
    with pg_database() as admin_url:
        for kill in (False, True):
            name = "workers_kill" if kill else "workers_restart"
            outcome = await run_workers_round(
                await fresh_database(admin_url, f"crash_{name}"),
                rate_per_s=args.rate,
                users=args.users,
                kill=kill,
                deadline_s=args.deadline,
            )
            _record(result, name, outcome, "messages", "missing", "duplicates", "inbox")
        for gate in (False, True):
            name = "host_lost_held" if gate else "host_lost"
            outcome, recovered_s = await run_host_lost_round(
                await fresh_database(admin_url, f"crash_{name}"),
                rate_per_s=args.rate,
                users=args.users,
                deadline_s=args.deadline,
                gate=gate,
            )
            _record(result, name, outcome, "messages", "missing", "duplicates", "inbox")
            result[f"{name}_recovered_s"] = recovered_s
    return result


async def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.workers:
        return await run_workers(args)
    result: dict[str, Any] = {"messages": args.messages, "users": args.users}
    for gate in (True, False):
        for mode in args.modes:
            outcome = await run_round(
                mode,
                messages=args.messages,
                users=args.users,
                kill_at=args.kill_at,
                gate=gate,
                deadline_s=args.deadline,
            )
            name = f"{mode}_{'gated' if gate else 'any_instant'}"
            _record(result, name, outcome, "missing", "duplicates", "users_exact")
    return result


def _record(result: dict[str, Any], name: str, outcome: Outcome, *fields: str) -> None:
    """The round's figures under `name_field`, its seconds, and its note if any."""
    for field in (*fields, "seconds"):
        result[f"{name}_{field}"] = getattr(outcome, field)
    if outcome.note:
        result[f"{name}_note"] = outcome.note


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench crash")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--modes", nargs="+", choices=ALL_MODES, default=list(ALL_MODES))
    parser.add_argument("--deadline", type=float, default=300.0, help="seconds per phase")
    parser.add_argument("--workers", action="store_true", help="2 workers on PostgreSQL")
    parser.add_argument("--rate", type=float, default=40.0, help="messages a second (--workers)")
    return asyncio.run(run(parser.parse_args(argv)))
