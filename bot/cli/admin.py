"""`troly06 invite`, `troly06 grant`, `troly06 migrate`: setting up who may do what."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.app import build_app
from bot.config import Settings
from bot.core.inbound import Inbound
from bot.services import identity
from bot.services.identity import LINK_ROLE, Role

ROLES = [r.value for r in Role]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    invite = sub.add_parser("invite", help="make a one-time invite code for a role")
    invite.add_argument("--role", required=True, choices=[*ROLES, LINK_ROLE])
    invite.add_argument("--village", type=int, help="village id (village heads)")
    invite.add_argument("--person", type=int, help="roster person id to link (role link)")
    invite.set_defaults(func=lambda args: asyncio.run(make_invite(args)))

    grant = sub.add_parser("grant", help="give a chat user a role (names the first admin)")
    grant.add_argument("--channel", required=True, choices=["telegram", "zalo", "console"])
    grant.add_argument("--user", required=True, help="the user's id on that channel")
    grant.add_argument("--role", default="admin", choices=ROLES)
    grant.add_argument("--village", type=int)
    grant.set_defaults(func=lambda args: asyncio.run(grant_role(args)))

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=lambda args: asyncio.run(apply_migrations()))


async def make_invite(args: argparse.Namespace) -> int:
    if args.role == Role.VILLAGE_HEAD and args.village is None:
        print("A village head's invite needs --village ID", file=sys.stderr)
        return 2
    app = await build_app(Settings())
    try:
        async with app.db.write() as tx:
            code = await identity.create_invite(
                tx, args.role, app.clock.now(), village_id=args.village, person_id=args.person
            )
    except identity.UnknownVillage:
        print(f"No village with id {args.village}", file=sys.stderr)
        return 2
    finally:
        await app.close()
    print(code)
    return 0


async def grant_role(args: argparse.Namespace) -> int:
    app = await build_app(Settings())
    try:
        async with app.db.write() as tx:
            inbound = Inbound(channel=args.channel, chat_id=args.user, user_id=args.user)
            actor = await identity.resolve(tx, inbound, app.clock.now())
            await identity.grant(
                tx, actor.user_id, Role(args.role), app.clock.now(), village_id=args.village
            )
    finally:
        await app.close()
    print(f"{args.channel}:{args.user} is now {args.role}")
    return 0


async def apply_migrations() -> int:
    app = await build_app(Settings())
    await app.close()
    return 0
