"""Replies out on Telegram: the one place a `Reply` becomes Bot API calls.

Text goes in pieces of at most 4096 characters, choices become inline buttons, `request_phone`
a one-time contact button; a reply to a button press can edit the message that carried it.
`send_result` says what a failed send means for the outbox.
"""

from __future__ import annotations

import logging
import warnings
from datetime import timedelta
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

from bot.channels.base import SendResult, SendStatus, numbered_choices, split_text
from bot.channels.telegram_inbound import is_choice_key, nfc
from bot.core.i18n import gettext as _
from bot.core.reply import Reply

TEXT_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # 4096
CAPTION_LIMIT = MessageLimit.CAPTION_LENGTH  # 1024
NOTICE_LIMIT = 200  # answerCallbackQuery's text

logger = logging.getLogger(__name__)


# Replies are sent through `do_api_request` with the Bot API's own JSON: PTB's send_message
# builds a keyboard of objects, turns it back into JSON, and parses the answer into a Message
# we never read; on the updates bench that was half the CPU of a send. PTB recommends its
# named method for this endpoint; we chose the plain one, so that advice is silenced.
warnings.filterwarnings(
    "ignore", message=r"Please use 'Bot\.sendMessage'", category=PTBUserWarning
)


def _keyboard(reply: Reply) -> dict[str, Any]:
    """Inline buttons, one per row, as the Bot API's JSON (callback data = the choice's key)."""
    for choice in reply.choices:
        if not is_choice_key(choice.key):
            raise ValueError("a choice without a valid key cannot become a button")
    rows = [[{"text": nfc(c.label), "callback_data": c.key}] for c in reply.choices]
    return {"inline_keyboard": rows}


def _inline_keyboard(reply: Reply) -> InlineKeyboardMarkup:
    """The same buttons as PTB's object, for the calls that take one (edits, photos, files)."""
    rows = _keyboard(reply)["inline_keyboard"]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b["text"], callback_data=b["callback_data"]) for b in row]
            for row in rows
        ]
    )


def _phone_keyboard() -> dict[str, Any]:
    button = KeyboardButton(_("📱 Share my phone number"), request_contact=True)
    return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True).to_dict()


async def send_text(
    bot: ExtBot[Any], chat_id: int | str, text: str, markup: dict[str, Any] | None = None
) -> int:
    """sendMessage with the Bot API's JSON; the new message's id."""
    kwargs: dict[str, Any] = {"chat_id": chat_id, "text": text}
    if markup is not None:
        kwargs["reply_markup"] = markup
    sent = await bot.do_api_request("sendMessage", api_kwargs=kwargs)
    return int(sent["message_id"]) if isinstance(sent, dict) else 0


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
    text = nfc(reply.text)
    if reply.request_phone and reply.choices:
        text = nfc(numbered_choices(reply))
    pieces = split_text(text, TEXT_LIMIT) if text.strip() else []
    buttons = _keyboard(reply) if reply.choices else None
    for index, piece in enumerate(pieces):
        markup = None
        if index == 0 and reply.request_phone:
            markup = _phone_keyboard()
        elif index == len(pieces) - 1 and not reply.request_phone:
            markup = buttons
        await send_text(bot, chat_id, piece, markup)
    last_keyboard = reply.choices and not pieces and not reply.request_phone
    trailing = _inline_keyboard(reply) if last_keyboard else None
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
    pieces = split_text(nfc(reply.text), TEXT_LIMIT)
    first = await send_text(bot, chat_id, pieces[0], ReplyKeyboardRemove().to_dict())
    rest = Reply("\n".join(pieces[1:]), reply.choices, reply.photo, reply.document)
    if len(pieces) > 1 or reply.photo is not None or reply.document is not None:
        await render(bot, chat_id, rest)
    elif reply.choices:
        await bot.edit_message_reply_markup(chat_id, first, reply_markup=_inline_keyboard(reply))


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


async def answer_press(bot: ExtBot[Any], query_id: str, notice: str = "") -> None:
    """Stop the button's spinner, with a short note when there is one (an expired button)."""
    try:
        await bot.answer_callback_query(query_id, text=nfc(notice)[:NOTICE_LIMIT] or None)
    except TelegramError as exc:  # a query too old to answer changes nothing
        logger.info("telegram: callback %s not answered: %s", query_id, type(exc).__name__)


async def edit_in_place(bot: ExtBot[Any], chat_id: int, message_id: int, reply: Reply) -> bool:
    """Make the message whose button was pressed show `reply` (text and buttons).

    False when it cannot be (a file or photo, a text over one message, a message Telegram no
    longer lets us edit): the caller sends the reply instead.
    """
    text = nfc(reply.text)
    if reply.photo or reply.document or reply.request_phone:
        return False
    if not text.strip() or len(text) > TEXT_LIMIT:
        return False
    markup = _inline_keyboard(reply) if reply.choices else None
    try:
        await bot.edit_message_text(
            text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return True  # a double tap showed the same list: it is already what the user sees
        logger.info("telegram: message %s of chat %s not edited: %s", message_id, chat_id, exc)
        return False
    return True


async def drop_buttons(bot: ExtBot[Any], chat_id: int, message_id: int) -> None:
    """Take the buttons off a question once answered, so an old one cannot be pressed again."""
    try:
        await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except BadRequest as exc:  # already without buttons, or too old: nothing to do
        logger.debug("telegram: buttons of message %s kept: %s", message_id, exc.message)
