"""The Telegram channel on python-telegram-bot 22: updates in, replies out, outbox delivery.

`to_inbound` is the one place a Telegram `Update` becomes an `Inbound`; `render` is the one
place a `Reply` becomes Bot API calls. Interactive replies go through the Application's bot
with `AIORateLimiter`: group chats are held to Telegram's 20 a minute, and a 429 is waited
out and retried twice. Its overall 30/s cap is off: replies answer people who just wrote
(they come at the pace people type), and the budget that matters, proactive messages, is
paced by the outbox sender. The sender calls `deliver`, which uses a second bot without the
limiter, because the sender paces itself and must see every 429 and 403 as it happens.
Logs carry update, chat and user ids only: never the token, phone numbers or message text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import unicodedata
import warnings
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import AIORateLimiter, Application, ExtBot
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import SendResult, SendStatus, numbered_choices, split_text
from bot.channels.telegram_intake import poll, updates_of
from bot.config import Settings
from bot.core.dispatcher import Dispatcher, failure_text
from bot.core.flood import FloodLimit
from bot.core.i18n import SUPPORTED, use_locale
from bot.core.i18n import gettext as _
from bot.core.inbound import Inbound, InboundFile, Kind
from bot.core.inbox import Inbox, Unreadable, nothing_shown
from bot.core.reply import Reply
from bot.services import command_menus

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
MAX_FILE_BYTES = 10 * 1024 * 1024  # a roster workbook is far smaller; the Bot API caps at 20 MB
CALLBACK_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
OUTBOX_POOL_SIZE = 64
ROLE_COMMANDS = frozenset({"start", "join"})  # commands that may give the chat a role
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_MAX_BYTES = 1024 * 1024  # an update is a few KB; a bigger body is refused unread
# Loggers that would write the token (it is part of every Bot API URL), and the least level
# at which they do not.
TOKEN_LOGGERS = {"httpx": logging.WARNING, "httpcore": logging.WARNING, "telegram": logging.INFO}


class FileTooLarge(Exception):
    """The user sent a document bigger than MAX_FILE_BYTES."""


def api_urls(api_url: str) -> tuple[str, str]:
    """The Bot API and file URLs PTB wants, from TROLY06_TELEGRAM_API_URL (the server root)."""
    root = (api_url or "https://api.telegram.org").rstrip("/").removesuffix("/bot")
    return f"{root}/bot", f"{root}/file/bot"


def is_choice_key(data: str | None) -> bool:
    """Whether callback data looks like a key the core made (short, URL-safe)."""
    return bool(data) and CALLBACK_KEY.fullmatch(data or "") is not None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


async def to_inbound(update: Update, max_file_bytes: int = MAX_FILE_BYTES) -> Inbound | None:
    """Turn an update into an Inbound, or None for updates the bot ignores.

    A document is downloaded here (FileTooLarge above the cap). Callback data that is not a
    well-formed key becomes an empty key, which the core answers as an expired button.
    """
    query = update.callback_query
    message = update.message
    if query is not None:
        data = query.data if is_choice_key(query.data) else ""
        chat = query.message.chat if query.message else None
        chat_id = chat.id if chat else query.from_user.id
        group = chat is not None and chat.type != "private"
        return _inbound(
            update, query.from_user, chat_id, kind=Kind.CHOICE, choice_key=data, is_group=group
        )
    if message is None or message.from_user is None:
        return None
    sender, chat_id = message.from_user, message.chat.id
    if message.chat.type != "private":  # a group: no contacts or files read, text only
        if message.text is None:
            return _inbound(update, sender, chat_id, kind=Kind.UNSUPPORTED, is_group=True)
        return _inbound(update, sender, chat_id, text=_nfc(message.text), is_group=True)
    if message.contact is not None:
        return _inbound(
            update,
            sender,
            chat_id,
            kind=Kind.CONTACT,
            phone=message.contact.phone_number,
            contact_is_own=message.contact.user_id == sender.id,
        )
    if message.document is not None:
        return _inbound(
            update, sender, chat_id, kind=Kind.FILE, file=await _download(message, max_file_bytes)
        )
    if message.text is not None:
        return _inbound(update, sender, chat_id, text=_nfc(message.text))
    return _inbound(update, sender, chat_id, kind=Kind.UNSUPPORTED)


def _inbound(update: Update, sender: Any, chat_id: int, **fields: Any) -> Inbound:
    return Inbound(
        channel=CHANNEL,
        chat_id=str(chat_id),
        user_id=str(sender.id),
        display_name=sender.full_name,
        language_code=sender.language_code or "",
        raw=update,
        **fields,
    )


async def _download(message: Message, max_bytes: int) -> InboundFile:
    document = message.document
    assert document is not None
    if document.file_size is not None and document.file_size > max_bytes:
        raise FileTooLarge(document.file_size)
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    if len(data) > max_bytes:
        raise FileTooLarge(len(data))
    return InboundFile(document.file_name or "file", data)


def _inline_keyboard(reply: Reply) -> InlineKeyboardMarkup:
    for choice in reply.choices:
        if not is_choice_key(choice.key):
            raise ValueError("a choice without a valid key cannot become a button")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(_nfc(c.label), callback_data=c.key)] for c in reply.choices]
    )


def _phone_keyboard() -> ReplyKeyboardMarkup:
    button = KeyboardButton(_("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)


async def render(
    bot: ExtBot[Any], chat_id: int | str, reply: Reply, *, drop_phone_button: bool = False
) -> None:
    """Send one reply: text in pieces of at most 4096 characters, then the photo and file.

    Choices become inline buttons under the last piece of text (callback data = the key);
    `request_phone` puts a one-time contact button under the first. When both are asked of
    a single piece, the contact button wins and the choices are listed as numbers, which the
    core accepts as typed answers. `drop_phone_button` (the contact was shared) takes the
    contact button away with the first piece; the choices are then put under it by an edit.
    """
    if drop_phone_button and not reply.request_phone and reply.text.strip():
        await _render_dropping_phone_button(bot, chat_id, reply)
        return
    text = _nfc(reply.text)
    if reply.request_phone and reply.choices:
        text = _nfc(numbered_choices(reply))
    pieces = split_text(text, TEXT_LIMIT) if text.strip() else []
    buttons = _inline_keyboard(reply) if reply.choices else None
    for index, piece in enumerate(pieces):
        markup: Any = None
        if index == 0 and reply.request_phone:
            markup = _phone_keyboard()
        elif index == len(pieces) - 1 and not reply.request_phone:
            markup = buttons
        await bot.send_message(chat_id, piece, reply_markup=markup)
    trailing = buttons if not pieces and not reply.request_phone else None
    if reply.photo is not None:
        photo = InputFile(reply.photo.data, filename=reply.photo.filename)
        await bot.send_photo(chat_id, photo, reply_markup=trailing)
        trailing = None
    if reply.document is not None:
        document = InputFile(reply.document.data, filename=reply.document.filename)
        await bot.send_document(chat_id, document, reply_markup=trailing)


async def _render_dropping_phone_button(
    bot: ExtBot[Any], chat_id: int | str, reply: Reply
) -> None:
    """The first piece goes with ReplyKeyboardRemove (a message holds one keyboard only)."""
    pieces = split_text(_nfc(reply.text), TEXT_LIMIT)
    first = await bot.send_message(chat_id, pieces[0], reply_markup=ReplyKeyboardRemove())
    rest = Reply("\n".join(pieces[1:]), reply.choices, reply.photo, reply.document)
    if len(pieces) > 1 or reply.photo is not None or reply.document is not None:
        await render(bot, chat_id, rest)
    elif reply.choices:
        await bot.edit_message_reply_markup(
            chat_id, first.message_id, reply_markup=_inline_keyboard(reply)
        )


def _retry_seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB warns about int vs timedelta; either is fine here
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def send_result(exc: Exception) -> SendResult:
    """What a failed send means for the outbox."""
    name = type(exc).__name__
    if isinstance(exc, RetryAfter):
        return SendResult(SendStatus.RETRY, retry_after=_retry_seconds(exc), error=name)
    if isinstance(exc, Forbidden):
        return SendResult(SendStatus.BLOCKED, error=name)
    if isinstance(exc, BadRequest):  # a subclass of NetworkError: test it first
        return SendResult(SendStatus.FAILED, error=f"{name}: {exc.message}"[:200])
    return SendResult(SendStatus.RETRY, error=name)  # NetworkError, TimedOut, server errors


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
            .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
            .job_queue(None)  # reminders have their own scheduler
            .build()
        )
        self.outbox_bot: ExtBot[None] = ExtBot(
            settings.telegram_token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=HTTPXRequest(connection_pool_size=OUTBOX_POOL_SIZE),
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
        if update.callback_query is not None:
            await _answer(update.callback_query)
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
        return inbound

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        """Send the replies in order; a failure is logged (ids only) and ends this answer.

        After a shared contact the first reply takes the contact button away; after a command
        that may give a role, the chat's "/" menu is brought up to date.
        """
        shared_phone = inbound is not None and inbound.kind is Kind.CONTACT
        try:
            for index, reply in enumerate(replies):
                drop = shared_phone and index == 0
                await render(self.application.bot, int(chat_id), reply, drop_phone_button=drop)
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
                    await self.application.bot.send_message(int(chat_id), failure_text())
            except TelegramError as again:
                logger.warning(
                    "telegram: could not tell chat %s: %s", chat_id, type(again).__name__
                )
        if inbound is not None and inbound.command in ROLE_COMMANDS:  # a role may be new
            await self.refresh_commands(chat_id)

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


async def _answer(query: CallbackQuery) -> None:
    """Stop the button's spinner; a query too old to answer changes nothing."""
    try:
        await query.answer()
    except TelegramError as exc:
        logger.info("telegram: callback %s not answered: %s", query.id, type(exc).__name__)
