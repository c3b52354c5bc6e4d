"""`troly06 forget`, `troly06 revoke`, `troly06 audit`: Decree 13 from the command line."""

from __future__ import annotations

import argparse
import asyncio

from bot.cli.common import one_transaction, outcome
from bot.core.i18n import to_local
from bot.services.identity import Role
from bot.services.privacy import forget, roles
from bot.storage import audit as audit_store
from bot.storage import identities
from bot.storage import privacy as store


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    forget_cmd = sub.add_parser(
        "forget", help="anonymise a roster person (Decree 13): name, phone, birth date, links"
    )
    forget_cmd.add_argument("--person", type=int, required=True, help="roster person id")
    forget_cmd.add_argument("--reason", required=True, help="why (kept in the audit log)")
    forget_cmd.set_defaults(func=lambda args: asyncio.run(forget_person(args)))

    revoke = sub.add_parser("revoke", help="take back a chat user's role (or all of them)")
    revoke.add_argument("--channel", required=True, choices=["telegram", "zalo", "console"])
    revoke.add_argument("--user", required=True, help="the user's id on that channel")
    revoke.add_argument("--role", choices=[r.value for r in Role], help="default: every role")
    revoke.add_argument("--reason", default="", help="why (kept with the revocation)")
    revoke.set_defaults(func=lambda args: asyncio.run(revoke_roles(args)))

    boat = sub.add_parser(
        "boat-village", help="give a boat to one village (its head sets its return dates)"
    )
    boat.add_argument("--boat", required=True, help="registration number, e.g. KH-91234-TS")
    boat.add_argument("--village", type=int, required=True, help="village id")
    boat.set_defaults(func=lambda args: asyncio.run(boat_village(args)))

    audit = sub.add_parser(
        "audit", help="grants, revocations, exports, downloads, deletions, newest first"
    )
    audit.add_argument("--limit", type=int, default=200)
    audit.set_defaults(func=lambda args: asyncio.run(show_audit(args)))


async def forget_person(args: argparse.Namespace) -> int:
    async with one_transaction() as (tx, now):
        done = await forget.forget_person(tx, args.person, by=None, now=now, reason=args.reason)
    return outcome(
        done,
        f"person {args.person} anonymised; logged",
        f"No person {args.person} (or no reason given); nothing changed",
    )


async def revoke_roles(args: argparse.Namespace) -> int:
    async with one_transaction() as (tx, now):
        found = await identities.find_identity(tx, args.channel, args.user)
        taken = (
            await roles.revoke_user(
                tx, found.user_id, role=args.role, by=None, now=now, reason=args.reason
            )
            if found
            else []
        )
    return outcome(
        taken,
        "\n".join(f"{args.channel}:{args.user} is no longer {grant.role}" for grant in taken),
        f"{args.channel}:{args.user} holds no such role; nothing changed",
    )


async def boat_village(args: argparse.Namespace) -> int:
    from bot.services.reminders.planning import normalize_registration

    registration = normalize_registration(args.boat) or args.boat.strip().upper()
    async with one_transaction() as (tx, _now):
        done = await store.set_boat_village(tx, registration, args.village)
    return outcome(
        done,
        f"boat {registration} now belongs to village {args.village}",
        f"No boat {args.boat} or no village {args.village}",
    )


async def show_audit(args: argparse.Namespace) -> int:
    async with one_transaction(write=False) as (tx, _now):
        rows = await audit_store.audit(tx, args.limit)
    for row in rows:
        who = f"user:{row.actor_user_id}" if row.actor_user_id is not None else "cli"
        when = to_local(row.at).strftime("%Y-%m-%d %H:%M")
        print(f"{when}\t{row.action}\t{who}\t{row.subject}\t{row.detail}")
    return 0
