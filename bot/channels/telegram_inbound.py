"""Telegram updates as the core's Inbound: the one place a PTB `Update` becomes an `Inbound`.

A document is downloaded here, within a size cap; callback data that is not a well-formed key
becomes an empty key, which the core answers as an expired button.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from telegram import Message, Update

from bot.core.inbound import Inbound, InboundFile, Kind

CHANNEL = "telegram"
MAX_FILE_BYTES = 10 * 1024 * 1024  # a roster workbook is far smaller; the Bot API caps at 20 MB
CALLBACK_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


class FileTooLarge(Exception):
    """The user sent a document bigger than MAX_FILE_BYTES."""


def is_choice_key(data: str | None) -> bool:
    """Whether callback data looks like a key the core made (short, URL-safe)."""
    return bool(data) and CALLBACK_KEY.fullmatch(data or "") is not None


def nfc(text: str) -> str:
    """Text in composed form (Vietnamese marks typed either way compare equal)."""
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
        return _inbound(update, sender, chat_id, text=nfc(message.text), is_group=True)
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
        return _inbound(update, sender, chat_id, text=nfc(message.text))
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
