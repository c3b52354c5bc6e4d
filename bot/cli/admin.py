"""`troly06 invite`, `grant`, `places`, `migrate`: setting up who may do what, and where."""

from __future__ import annotations

import argparse
import asyncio
import sys

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.app import build_app
from bot.config import Settings
from bot.core.inbound import Inbound
from bot.services import identity, places
from bot.services.identity import LINK_ROLE, Role

ROLES = [r.value for r in Role]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    invite = sub.add_parser("invite", help="make a one-time invite code for a role")
    invite.add_argument("--role", required=True, choices=[*ROLES, LINK_ROLE])
    invite.add_argument("--village", help="village id or name (village heads; see places)")
    invite.add_argument("--commune", type=int, help="commune id, when there are several")
    invite.add_argument("--person", type=int, help="roster person id to link (role link)")
    invite.set_defaults(func=lambda args: asyncio.run(make_invite(args)))

    grant = sub.add_parser("grant", help="give a chat user a role (names the first admin)")
    grant.add_argument("--channel", required=True, choices=["telegram", "zalo", "console"])
    grant.add_argument("--user", required=True, help="the user's id on that channel")
    grant.add_argument("--role", default="admin", choices=ROLES)
    grant.add_argument("--village", help="village id or name (village heads)")
    grant.add_argument("--commune", type=int, help="commune id, when there are several")
    grant.add_argument(
        "--province", action="store_true", help="an admin of every commune (sees all their people)"
    )
    grant.set_defaults(func=lambda args: asyncio.run(grant_role(args)))

    listing = sub.add_parser("places", help="list communes and villages with their ids")
    listing.set_defaults(func=lambda args: asyncio.run(list_places()))

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=lambda args: asyncio.run(apply_migrations()))


async def _village_id(tx: AsyncConnection, typed: str | None) -> int | None:
    """A village given by id or by name (with or without marks)."""
    if typed is None or typed.strip().isdigit():
        return int(typed) if typed else None
    found = await places.find_villages(tx, typed)
    if len(found) != 1:
        names = ", ".join(f"{v.id} {v.name}" for v in found) or "none"
        raise ScopeProblem(f"No single village named {typed!r} (matches: {names})") from None
    return found[0].id


class ScopeProblem(Exception):
    """The place given for a role is missing, unknown or unclear."""


async def _scope(
    tx: AsyncConnection, role: str, village: str | None, commune: int | None
) -> tuple[int | None, int | None]:
    village_id = await _village_id(tx, village)
    if role == LINK_ROLE:
        return village_id, commune
    try:
        return await identity.role_scope(tx, Role(role), village_id, commune)
    except identity.NeedsVillage:
        raise ScopeProblem(
            "A village head needs --village (id or name; see troly06 places)"
        ) from None
    except identity.NeedsCommune:
        raise ScopeProblem(
            "There are several communes: add --commune ID (see troly06 places)"
        ) from None
    except identity.UnknownVillage:
        raise ScopeProblem(f"No village with id {village_id} (see troly06 places)") from None
    except identity.UnknownCommune:
        raise ScopeProblem(f"No commune with id {commune} (see troly06 places)") from None


async def make_invite(args: argparse.Namespace) -> int:
    app = await build_app(Settings())
    try:
        async with app.db.write() as tx:
            village_id, commune_id = await _scope(tx, args.role, args.village, args.commune)
            code = await identity.create_invite(
                tx,
                args.role,
                app.clock.now(),
                village_id=village_id,
                commune_id=commune_id,
                person_id=args.person,
            )
            where = await _where(tx, village_id, commune_id)
    except ScopeProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    finally:
        await app.close()
    print(code)
    print(f"{args.role} for {where}; valid 14 days, once: /join {code}", file=sys.stderr)
    return 0


async def grant_role(args: argparse.Namespace) -> int:
    app = await build_app(Settings())
    try:
        async with app.db.write() as tx:
            province = args.province and args.role == Role.ADMIN.value
            village_id, commune_id = (
                (None, None)
                if province
                else await _scope(tx, args.role, args.village, args.commune)
            )
            inbound = Inbound(channel=args.channel, chat_id=args.user, user_id=args.user)
            actor = await identity.resolve(tx, inbound, app.clock.now())
            await identity.grant(
                tx,
                actor.user_id,
                Role(args.role),
                app.clock.now(),
                village_id=village_id,
                commune_id=commune_id,
                province=province,
            )
            where = await _where(tx, village_id, commune_id)
    except ScopeProblem as problem:
        print(problem, file=sys.stderr)
        return 2
    finally:
        await app.close()
    print(f"{args.channel}:{args.user} is now {args.role} for {where}")
    return 0


async def _where(tx: AsyncConnection, village_id: int | None, commune_id: int | None) -> str:
    place = await places.place_of(tx, village_id, commune_id)
    if place.village:
        return f"village {place.village} ({place.commune})"
    if place.commune:
        return f"the whole commune of {place.commune}"
    return "every place"


async def list_places() -> int:
    app = await build_app(Settings())
    try:
        async with app.db.read() as tx:
            communes = await places.communes(tx)
            villages = await places.villages(tx)
    finally:
        await app.close()
    if not communes:
        print("No places yet: import a roster first (troly06 import-roster FILE --create-places)")
    for commune in communes:
        print(f"commune {commune.id}\t{commune.name} ({commune.province})")
        for village in (v for v in villages if v.commune_id == commune.id):
            island = "\tisland" if village.is_island else ""
            print(f"  village {village.id}\t{village.name}{island}")
    return 0


async def apply_migrations() -> int:
    app = await build_app(Settings())
    await app.close()
    return 0
