"""`troly06 chat`: the console channel, on a demo database the first time."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.app import App, build_app, configure_logging
from bot.channels.console import CHANNEL, ConsoleChannel
from bot.config import Settings
from bot.core.inbound import Inbound
from bot.demo import ensure_demo
from bot.services import identity
from bot.services.identity import Role
from bot.storage import places


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("chat", help="chat with the bot in this terminal")
    parser.add_argument("--as", dest="role", choices=[r.value for r in Role], default="resident")
    parser.add_argument("--user", default="", help="console user id (default: one per role)")
    parser.add_argument("--no-demo", action="store_true", help="do not create the demo data")
    parser.set_defaults(func=lambda args: asyncio.run(chat(args)))


async def chat(args: argparse.Namespace) -> int:
    configure_logging(logging.WARNING)
    app = await build_app(Settings())
    try:
        if not args.no_demo:
            await ensure_demo(app)
        user_id = args.user or f"console-{args.role}"
        await grant_console_role(app, user_id, Role(args.role))
        await ConsoleChannel(app.dispatcher, user_id).run()
    finally:
        await app.close()
    return 0


async def grant_console_role(app: App, user_id: str, role: Role) -> None:
    """Give the console user `role`, scoped to the first village or commune on file."""
    if role is Role.RESIDENT:
        return
    inbound = Inbound(channel=CHANNEL, chat_id=user_id, user_id=user_id)
    async with app.db.write() as tx:
        actor = await identity.resolve(tx, inbound, app.clock.now())
        village_id, commune_id = await places.first_village(tx)
        await identity.grant(
            tx,
            actor.user_id,
            role,
            app.clock.now(),
            village_id=village_id if role is Role.VILLAGE_HEAD else None,
            commune_id=commune_id,
        )
