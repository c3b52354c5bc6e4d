"""Wiring: the flows in priority order, the database, the dispatcher."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.dispatcher import Dispatcher
from bot.core.router import Router
from bot.services import identity
from bot.storage.db import Database


def routers() -> list[Router]:
    """Every flow, first match first. Free-text catch-alls (the FAQ) come last."""
    from handlers import (
        away,
        boats,
        booking,
        booking_confirm,
        booking_desk,
        booking_home,
        booking_mine,
        booking_open,
        booking_people,
        booking_sessions,
        booking_slots,
        broadcast,
        broadcast_replies,
        broadcast_status,
        channels,
        faq,
        identity,
        invites,
        missing,
        missing_typed,
        privacy,
        progress,
        roster,
        roster_file,
        start,
    )

    return [
        start.router,
        channels.router,  # before identity: its /join tries link codes, then invites
        identity.router,
        invites.router,
        privacy.router,  # its typed "xoá thông tin của tôi" must come before the FAQ
        broadcast.router,
        broadcast_status.router,
        broadcast_replies.router,
        away.router,  # its free-text trigger needs a date in the text: before the FAQ
        boats.router,
        roster.router,
        roster_file.router,
        missing.router,
        missing_typed.router,
        progress.router,
        booking.router,  # its free-text trigger ("đặt lịch") must come before the FAQ
        booking_slots.router,
        booking_people.router,
        booking_confirm.router,
        booking_mine.router,
        booking_open.router,
        booking_sessions.router,
        booking_desk.router,
        booking_home.router,
        faq.router,  # last: it answers any free text
    ]


@dataclass
class App:
    settings: Settings
    db: Database
    clock: Clock
    dispatcher: Dispatcher

    async def close(self) -> None:
        await self.db.close()


async def build_app(settings: Settings | None = None, clock: Clock | None = None) -> App:
    """Open the database, apply migrations and build the dispatcher."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    db = Database(settings.db_url)
    await db.migrate()
    dispatcher = Dispatcher(routers(), db, clock, settings, identities=identity)
    await dispatcher.purge_old_choices()
    return App(settings, db, clock, dispatcher)


def configure_logging(level: int = logging.INFO) -> None:
    """Log ids and events only; httpx would log URLs that carry the bot token."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in (
        "httpx",
        "httpcore",
        "telegram.ext.Updater",
        "apscheduler",
        "alembic",
        "aiosqlite",
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
