"""The Telegram channel on python-telegram-bot 22: its life cycle, the inbox's reader, the outbox.

Updates become Inbounds in `telegram_inbound`, replies become Bot API calls in
`telegram_render`, and `telegram_intake` stores updates before they are confirmed. Interactive
replies go through the Application's bot with `AIORateLimiter`: group chats are held to
Telegram's 20 a minute, and a 429 is waited out and retried twice. Its overall 30/s cap is off:
replies answer people who just wrote (they come at the pace people type), and the budget that
matters, proactive messages, is paced by the outbox sender. The sender calls `deliver`, which
uses a second bot without the limiter, because the sender paces itself and must see every 429
and 403 as it happens. Both bots talk HTTP through `telegram_request` (aiohttp).
Logs carry update, chat and user ids only: never the token, phone numbers or message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import AIORateLimiter, Application, ExtBot

from bot.channels.base import SendResult, SendStatus
from bot.channels.progress import EDIT_STEP, ProgressShown
from bot.channels.telegram_inbound import (
    CHANNEL,
    MAX_FILE_BYTES,
    FileTooLarge,
    is_choice_key,
    to_inbound,
)
from bot.channels.telegram_intake import poll, updates_of
from bot.channels.telegram_render import (
    TEXT_LIMIT,
    answer_press,
    drop_buttons,
    edit_in_place,
    render,
    send_result,
)
from bot.channels.telegram_request import AiohttpRequest
from bot.config import Settings
from bot.core.dispatcher import Dispatcher, failure_text
from bot.core.flood import FloodLimit
from bot.core.i18n import SUPPORTED, use_locale
from bot.core.i18n import gettext as _
from bot.core.inbound import Inbound, Kind
from bot.core.inbox import Inbox, Unreadable, nothing_shown
from bot.core.reply import Reply
from bot.services import command_menus

__all__ = [
    "MAX_FILE_BYTES",
    "SECRET_HEADER",
    "TEXT_LIMIT",
    "TelegramChannel",
    "api_urls",
    "is_choice_key",
    "send_result",
    "to_inbound",
]

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
OUTBOX_POOL_SIZE = 64
ROLE_COMMANDS = frozenset({"start", "join"})  # commands that may give the chat a role
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_MAX_BYTES = 1024 * 1024  # an update is a few KB; a bigger body is refused unread
# Loggers that would write the token (it is part of every Bot API URL), and the least level
# at which they do not.
TOKEN_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


def api_urls(api_url: str) -> tuple[str, str]:
    """The Bot API and file URLs PTB wants, from TROLY06_TELEGRAM_API_URL (the server root)."""
    root = (api_url or "https://api.telegram.org").rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


class TelegramChannel:
    """The bot on Telegram: polling by default, a webhook when TROLY06_WEBHOOK_URL is set."""

    name = CHANNEL
    text_limit = TEXT_LIMIT

    def __init__(
        self,
        dispatcher: Dispatcher,
        settings: Settings,
        *,
        max_file_bytes: int = MAX_FILE_BYTES,
        poll_timeout_s: int = 10,
        concurrency: int = 0,
    ) -> None:
        self.dispatcher = dispatcher
        self.settings = settings
        self.max_file_bytes = max_file_bytes
        self.poll_timeout_s = poll_timeout_s
        self._stop = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self.web: Any = None  # the webhook's server (bot.web.WebServer), in webhook mode
        _quiet_token_loggers()
        base_url, base_file_url = api_urls(settings.telegram_api_url)
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            .request(AiohttpRequest())
            .get_updates_request(AiohttpRequest(pool_size=1))
            .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
            .job_queue(None)  # reminders have their own scheduler
            .build()
        )
        self.outbox_bot: ExtBot[None] = ExtBot(
            settings.telegram_token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=AiohttpRequest(OUTBOX_POOL_SIZE),
        )
        self.inbox = Inbox(
            dispatcher.db,
            dispatcher.clock,
            dispatcher.handle,
            self,
            slots=concurrency or settings.inbox_slots,
            flood=FloodLimit(settings.flood_messages, settings.flood_window_s, CHANNEL),
            locale=settings.default_locale,
        )

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, publish the command menu, take up the inbox, start receiving updates."""
        await self.application.initialize()
        await self.outbox_bot.initialize()
        await self.publish_commands()
        await self.inbox.start()
        bot = self.application.bot
        if self.settings.webhook_url:
            await self._start_webhook()
        else:
            await bot.delete_webhook()
            self._stop.clear()
            self._poller = asyncio.create_task(
                poll(bot, self.inbox, self._stop, self.poll_timeout_s, ALLOWED_UPDATES),
                name="telegram-poll",
            )
            logger.info("telegram: polling as bot %s", bot.id)

    async def _start_webhook(self) -> None:
        from bot.web import WebhookRoute, WebServer

        secret = self.settings.webhook_secret or secrets.token_urlsafe(32)
        route = WebhookRoute(
            path=urlsplit(self.settings.webhook_url).path or "/",
            header=SECRET_HEADER,
            secret=secret,
            receive=self.receive_webhook,
            max_bytes=WEBHOOK_MAX_BYTES,
        )
        self.web = WebServer.for_webhook(
            route, self.settings.webhook_listen, self.settings.webhook_port
        )
        await self.web.start()
        await self.application.bot.set_webhook(
            self.settings.webhook_url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
        )
        logger.info("telegram: webhook on port %s", self.web.port)

    async def stop(self) -> None:
        self._stop.set()
        if self._poller is not None:
            self._poller.cancel()  # a long poll in flight holds nothing unstored
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await self._poller
            self._poller = None
        if self.web is not None:
            await self.web.stop()
            self.web = None
        await self.inbox.stop()
        await self.application.shutdown()
        await self.outbox_bot.shutdown()

    async def publish_commands(self) -> None:
        """The command menu, in Vietnamese by default and in each other supported language;
        every staff chat gets a menu of its own with its roles' commands too."""
        routes = [r for r in self.dispatcher.commands() if not r.roles]
        for lang in SUPPORTED:
            with use_locale(lang):
                commands = [BotCommand(r.key, str(r.description)[:256]) for r in routes]
            code = None if lang == self.settings.default_locale else lang
            await self.application.bot.set_my_commands(commands, language_code=code)
        await self.refresh_commands(None)

    async def refresh_commands(self, chat_id: str | None) -> None:
        """The "/" menu of one chat (or of every staff chat) follows the roles it holds."""
        db = getattr(self.dispatcher, "db", None)  # a wrapped dispatcher may not expose it
        if db is None:
            return
        async with db.read() as tx:
            chats = await command_menus.staff_chats(tx, CHANNEL, chat_id)
        for chat in chats:
            routes = [r for r in self.dispatcher.commands() if r.allows(chat.roles)]
            with use_locale(chat.locale or self.settings.default_locale):
                commands = [BotCommand(r.key, str(r.description)[:256]) for r in routes]
            try:
                await self.application.bot.set_my_commands(
                    commands, scope=BotCommandScopeChat(int(chat.chat_id))
                )
            except TelegramError as exc:
                logger.warning("telegram: menu of chat %s: %s", chat.chat_id, type(exc).__name__)

    # ---- updates in (the inbox calls these) ---------------------------------------------------

    async def receive_webhook(self, body: bytes) -> bool:
        """One webhook call's update, stored in the inbox; False if it is not JSON at all."""
        try:
            raw = json.loads(body)
        except ValueError:
            return False
        await self.inbox.receive(updates_of([raw]))
        return True

    async def read(self, payload: Any) -> Inbound | Reply | None:
        """A stored update as an Inbound (or a reply to send at once, or None to ignore)."""
        try:
            update = Update.de_json(payload, self.application.bot)
        except Exception as exc:  # any shape PTB cannot take
            raise Unreadable(type(exc).__name__) from exc
        if update is None:
            raise Unreadable("empty update")
        try:
            inbound = await to_inbound(update, self.max_file_bytes)
        except FileTooLarge:
            with use_locale(self.settings.default_locale):
                text = _("That file is too large. Please send files under {size} MB.")
            return Reply(text.format(size=self.max_file_bytes // (1024 * 1024)))
        except (AttributeError, TypeError, ValueError) as exc:  # parsed, but not as expected
            raise Unreadable(type(exc).__name__) from exc
        if inbound is None:
            logger.debug("telegram: update %s ignored", update.update_id)
        elif inbound.kind is Kind.FILE:  # a long import shows how far it is, in one message
            show = self._progress_message(int(inbound.chat_id))
            inbound = replace(inbound, progress=ProgressShown(show, EDIT_STEP))
        return inbound

    def _progress_message(self, chat_id: int) -> Callable[[str], Awaitable[None]]:
        """Send the progress once, then edit that message as the share grows."""
        bot = self.application.bot
        sent: list[int] = []

        async def show(text: str) -> None:
            if sent:
                await bot.edit_message_text(text, chat_id=chat_id, message_id=sent[0])
            else:
                sent.append((await bot.send_message(chat_id, text)).message_id)

        return show

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        """Send the replies in order; a failure is logged (ids only) and ends this answer.

        A button press is answered first (with the notice of an expired button, if any);
        then the reply marked `edit` replaces the pressed message, or, when nothing edits
        it, the pressed message loses its buttons. After a shared contact the first reply
        takes the contact button away; after a command that may give a role, the chat's
        "/" menu is brought up to date.
        """
        bot = self.application.bot
        shared_phone = inbound is not None and inbound.kind is Kind.CONTACT
        try:
            press = _press(inbound)
            if press is not None:
                notices = [r.text for r in replies if r.notice]
                await answer_press(bot, press.query_id, " ".join(notices))
                replies = [r for r in replies if not r.notice]
                replies = await self._edit_pressed(int(chat_id), press, replies)
            for index, reply in enumerate(replies):
                drop = shared_phone and index == 0
                await render(bot, int(chat_id), reply, drop_phone_button=drop)
        except Forbidden:
            logger.info("telegram: chat %s blocked the bot; answer not sent", chat_id)
        except TelegramError as exc:
            logger.warning("telegram: answer to chat %s not sent: %s", chat_id, type(exc).__name__)
        except Exception as exc:  # a bug in rendering: log ids only, still tell the user
            logger.error(
                "telegram: answer to chat %s failed: %s", chat_id, type(exc).__name__, exc_info=exc
            )
            try:
                with use_locale(self.settings.default_locale):
                    await bot.send_message(int(chat_id), failure_text())
            except TelegramError as again:
                logger.warning(
                    "telegram: could not tell chat %s: %s", chat_id, type(again).__name__
                )
        if inbound is not None and inbound.command in ROLE_COMMANDS:  # a role may be new
            await self.refresh_commands(chat_id)

    async def _edit_pressed(self, chat_id: int, press: Press, replies: list[Reply]) -> list[Reply]:
        """Edit the pressed message with the reply marked for it; the replies left to send."""
        bot = self.application.bot
        if press.message_id is None:
            return replies
        for index, reply in enumerate(replies):
            if reply.edit and await edit_in_place(bot, chat_id, press.message_id, reply):
                return replies[:index] + replies[index + 1 :]
        if not press.in_group:  # answered: its buttons go, so a double tap cannot repeat it
            await drop_buttons(bot, chat_id, press.message_id)
        return replies

    def working(self, chat_id: str) -> contextlib.AbstractAsyncContextManager[None]:
        return nothing_shown(chat_id)

    # ---- outbox -----------------------------------------------------------------------------

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        """Send one proactive reply; map Telegram's answer to what the outbox should do.

        A reply longer than 4096 characters goes out in pieces; if a later piece fails, the
        retry sends the whole reply again, so keep proactive messages within one piece.
        """
        try:
            await render(self.outbox_bot, chat_id, reply)
        except TelegramError as exc:
            return send_result(exc)
        return SendResult(SendStatus.SENT)


def _quiet_token_loggers() -> None:
    for name, least in TOKEN_LOGGERS.items():
        found = logging.getLogger(name)
        if found.level < least:  # NOTSET (0) too: a later root level must not let it through
            found.setLevel(least)


@dataclass(frozen=True)
class Press:
    """The button press a reply answers: its query, and the message that carried it."""

    query_id: str
    message_id: int | None
    in_group: bool


def _press(inbound: Inbound | None) -> Press | None:
    update = inbound.raw if inbound is not None and inbound.kind is Kind.CHOICE else None
    query = update.callback_query if isinstance(update, Update) else None
    if query is None:
        return None
    message_id = query.message.message_id if query.message is not None else None
    return Press(query.id, message_id, inbound is not None and inbound.is_group)
