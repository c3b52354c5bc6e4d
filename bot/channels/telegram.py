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

import logging
import re
import secrets
import unicodedata
import warnings
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
from telegram.ext import AIORateLimiter, Application, ContextTypes, ExtBot, TypeHandler
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.channels.base import SendResult, SendStatus, numbered_choices, split_text
from bot.config import Settings
from bot.core.dispatcher import Dispatcher, failure_text
from bot.core.i18n import SUPPORTED, use_locale
from bot.core.i18n import gettext as _
from bot.core.inbound import Inbound, InboundFile, Kind
from bot.core.locks import KeyedLocks
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
# Updates handled at once. Writes queue for one database lock, so more would only add
# waiting inside the core; a few overlap one user's database work with another's sending.
CONCURRENT_UPDATES = 4
ROLE_COMMANDS = frozenset({"start", "join"})  # commands that may give the chat a role
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
        concurrency: int = CONCURRENT_UPDATES,
    ) -> None:
        self.dispatcher = dispatcher
        self.settings = settings
        self.max_file_bytes = max_file_bytes
        self.poll_timeout_s = poll_timeout_s
        self._chat_locks = KeyedLocks()
        _quiet_token_loggers()
        base_url, base_file_url = api_urls(settings.telegram_api_url)
        self.application: Application[Any, Any, Any, Any, Any, Any] = (
            Application.builder()
            .token(settings.telegram_token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            .rate_limiter(AIORateLimiter(overall_max_rate=0, max_retries=2))
            .concurrent_updates(concurrency)
            .job_queue(None)  # reminders have their own scheduler
            .build()
        )
        self.application.add_handler(TypeHandler(Update, self.on_update))
        self.application.add_error_handler(self.on_error)
        self.outbox_bot: ExtBot[None] = ExtBot(
            settings.telegram_token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=HTTPXRequest(connection_pool_size=OUTBOX_POOL_SIZE),
        )

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        """Connect, publish the command menu, and start receiving updates."""
        await self.application.initialize()
        await self.outbox_bot.initialize()
        await self.publish_commands()
        await self.application.start()
        updater = self.application.updater
        assert updater is not None
        if self.settings.webhook_url:
            secret = self.settings.webhook_secret or secrets.token_urlsafe(32)
            await updater.start_webhook(
                listen=self.settings.webhook_listen,
                port=self.settings.webhook_port,
                url_path=urlsplit(self.settings.webhook_url).path.lstrip("/"),
                webhook_url=self.settings.webhook_url,
                secret_token=secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            logger.info("telegram: webhook on port %s", self.settings.webhook_port)
        else:
            await updater.start_polling(
                timeout=self.poll_timeout_s, allowed_updates=ALLOWED_UPDATES
            )
            logger.info("telegram: polling as bot %s", self.application.bot.id)

    async def stop(self) -> None:
        updater = self.application.updater
        if updater is not None and updater.running:
            await updater.stop()
        if self.application.running:
            await self.application.stop()
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

    # ---- updates in -------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand one update to the core and send its replies, in order per chat."""
        if update.callback_query is not None:
            await _answer(update.callback_query)
        try:
            inbound = await to_inbound(update, self.max_file_bytes)
        except FileTooLarge:
            chat = update.effective_chat
            if chat is not None:
                with use_locale(self.settings.default_locale):
                    text = _("That file is too large. Please send files under {size} MB.")
                    await context.bot.send_message(
                        chat.id, text.format(size=self.max_file_bytes // (1024 * 1024))
                    )
            return
        if inbound is None:
            logger.debug("telegram: update %s ignored", update.update_id)
            return
        async with self._chat_locks.hold(inbound.chat_id):
            replies = await self.dispatcher.handle(inbound)
            shared_phone = inbound.kind is Kind.CONTACT
            for index, reply in enumerate(replies):
                drop = shared_phone and index == 0
                await render(context.bot, int(inbound.chat_id), reply, drop_phone_button=drop)
        if inbound.command in ROLE_COMMANDS:  # a role may have been taken: update the menu
            await self.refresh_commands(inbound.chat_id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log with ids only, then still tell the user, in one Vietnamese sentence."""
        error = context.error
        chat = update.effective_chat if isinstance(update, Update) else None
        logger.error(
            "telegram: update %s failed in chat %s: %s",
            update.update_id if isinstance(update, Update) else "-",
            chat.id if chat else "-",
            type(error).__name__,
            exc_info=error if not isinstance(error, TelegramError) else None,
        )
        if chat is None or isinstance(error, Forbidden):
            return
        try:
            with use_locale(self.settings.default_locale):
                await context.bot.send_message(chat.id, failure_text())
        except TelegramError as exc:
            logger.warning("telegram: could not tell chat %s: %s", chat.id, type(exc).__name__)

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
