"""`troly06 run`: every configured component in one process, stopped cleanly on SIGINT/SIGTERM.

A component is anything with `async start()` and `async stop()`. COMPONENTS names the
functions that make them ("module:function"); each takes the `Runtime` and returns a
component, or None when it is not configured (no token, say). To add one, write such a
function next to your code and add one line to COMPONENTS. A chat channel also registers
itself with `runtime.sender.add_channel(channel)` and sets `is_channel` on its `Part`.

Start order: COMPONENTS in order, then the outbox sender (it sends through the channels,
so they must be up); stop order: the reverse.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from bot.app import App, build_app, configure_logging
from bot.config import Settings
from bot.services.sender import Sender

logger = logging.getLogger(__name__)

COMPONENTS: tuple[str, ...] = (
    "bot.runtime:telegram_component",
    "bot.runtime:zalo_component",
    "bot.runtime:reminders_component",
    "bot.runtime:broadcast_reports_component",
)

NO_CHANNEL = (
    "No chat channel is configured: set TROLY06_TELEGRAM_TOKEN or TROLY06_ZALO_TOKEN "
    "(see the README), "
    "or try the bot in this terminal with: troly06 chat\n"
)


class Component(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Part:
    """A started-or-not component, with what the runtime needs to know about it."""

    name: str
    component: Component
    is_channel: bool = False


@dataclass
class Runtime:
    """What a component factory gets: the app and the outbox sender."""

    app: App
    sender: Sender

    @property
    def settings(self) -> Settings:
        return self.app.settings


Factory = Callable[[Runtime], Part | None]


def telegram_component(runtime: Runtime) -> Part | None:
    """The Telegram channel, when TROLY06_TELEGRAM_TOKEN is set."""
    if not runtime.settings.telegram_token:
        return None
    from bot.channels.telegram import TelegramChannel

    channel = TelegramChannel(runtime.app.dispatcher, runtime.settings)
    runtime.sender.add_channel(channel)
    return Part("telegram", channel, is_channel=True)


def zalo_component(runtime: Runtime) -> Part | None:
    """The Zalo channel (TROLY06_ZALO_TOKEN) and the bot's web server (webhook, media)."""
    settings = runtime.settings
    if not (settings.zalo_token or settings.public_url):
        return None
    from bot.services.privacy.downloads import download_logger
    from bot.web import ZaloStack

    stack = ZaloStack(settings, runtime.app.clock, runtime.app.dispatcher.handle, runtime.app.db)
    if stack.web is not None:  # every file download goes to the audit log
        stack.web.media.on_download = download_logger(runtime.app.db, runtime.app.clock)
    if stack.channel is not None:
        runtime.sender.add_channel(stack.channel)
    return Part("zalo", stack, is_channel=stack.channel is not None)


def reminders_component(runtime: Runtime) -> Part:
    """The APScheduler jobs that fire due reminders, the morning digest and offer expiry."""
    from bot.services.leader import Leader
    from reminders.scheduler import ReminderScheduler

    # Not re-armed after every message: reminders are due hours ahead, and the scheduler looks
    # at the table every TROLY06_REMINDER_POLL_S anyway. With several workers on one
    # PostgreSQL, only the one holding the leader lock runs it.
    scheduler = ReminderScheduler(
        runtime.app.db, runtime.app.clock, runtime.settings, on_queued=runtime.sender.wake
    )
    return Part("reminders", Leader(runtime.app.db, scheduler))


def broadcast_reports_component(runtime: Runtime) -> Part:
    """The watcher that closes finished broadcasts and sends their authors the report."""
    from bot.services.broadcast import ReportWatcher

    app = runtime.app
    watcher = ReportWatcher(app.db, app.clock, default_locale=app.settings.default_locale)
    return Part("broadcast-reports", watcher)


def load_factory(spec: str) -> Factory:
    module, _, name = spec.partition(":")
    factory: Factory = getattr(importlib.import_module(module), name)
    return factory


def assemble(runtime: Runtime, specs: tuple[str, ...] = COMPONENTS) -> list[Part]:
    """The configured parts, in start order, the sender last."""
    parts = [part for spec in specs if (part := load_factory(spec)(runtime)) is not None]
    runtime.app.dispatcher.add_on_commit(runtime.sender.wake)
    return [*parts, Part("outbox", runtime.sender)]


async def serve(
    settings: Settings | None = None,
    stop: asyncio.Event | None = None,
    specs: tuple[str, ...] = COMPONENTS,
    handle_signals: bool = True,
) -> int:
    """Start every configured part, wait for `stop` (or a signal), stop them in reverse."""
    app = await build_app(settings)
    stop = stop or asyncio.Event()
    started: list[Part] = []
    try:
        runtime = Runtime(app, Sender(app.db, app.clock, app.settings))
        parts = assemble(runtime, specs)
        if not any(part.is_channel for part in parts):
            sys.stderr.write(NO_CHANNEL)
            return 2
        if handle_signals:
            _on_signals(stop)
        for part in parts:
            await part.component.start()
            started.append(part)
            logger.info("started %s", part.name)
        await stop.wait()
        logger.info("stopping")
    finally:
        for part in reversed(started):
            try:
                await part.component.stop()
            except Exception:
                logger.exception("could not stop %s cleanly", part.name)
        await app.close()
    return 0


def _on_signals(stop: asyncio.Event) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on every platform
            loop.add_signal_handler(sig, stop.set)


def main() -> int:
    configure_logging()
    return asyncio.run(serve())
