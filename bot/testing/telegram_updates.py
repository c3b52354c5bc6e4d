"""Build realistic Telegram updates (without `update_id`: FakeTelegram.push gives one).

The shapes follow what Telegram sends to a private chat; the chat id of a private chat is the
user's id. Every builder returns a plain dict, ready to be pushed or fed to `Update.de_json`.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

_message_ids = itertools.count(1)
_query_ids = itertools.count(1)


def user(user_id: int, first_name: str = "Lan", language_code: str = "vi") -> dict[str, Any]:
    return {
        "id": user_id,
        "is_bot": False,
        "first_name": first_name,
        "language_code": language_code,
    }


def _message(user_id: int, chat_id: int | None = None, **fields: Any) -> dict[str, Any]:
    return {
        "message_id": next(_message_ids),
        "from": user(user_id),
        "chat": {"id": chat_id or user_id, "type": "private", "first_name": "Lan"},
        "date": int(time.time()),
        **fields,
    }


def message(user_id: int, text: str, *, chat_id: int | None = None) -> dict[str, Any]:
    """A text message from a user in their private chat with the bot."""
    fields: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        length = len(text.split(maxsplit=1)[0])
        fields["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": _message(user_id, chat_id, **fields)}


def command(user_id: int, name: str, args: str = "") -> dict[str, Any]:
    """`/name args` (a deep link `t.me/bot?start=CODE` arrives as `/start CODE`)."""
    return message(user_id, f"/{name} {args}".strip())


def callback_query(
    user_id: int, data: str, *, message_id: int = 1, text: str = "..."
) -> dict[str, Any]:
    """A press on an inline button carrying `data`, under a message the bot sent."""
    bot_message = {
        "message_id": message_id,
        "from": {"id": 123456, "is_bot": True, "first_name": "Trợ lý 06"},
        "chat": {"id": user_id, "type": "private", "first_name": "Lan"},
        "date": int(time.time()),
        "text": text,
    }
    return {
        "callback_query": {
            "id": str(next(_query_ids)),
            "from": user(user_id),
            "message": bot_message,
            "chat_instance": f"ci-{user_id}",
            "data": data,
        }
    }


def contact(
    user_id: int, phone: str, *, contact_user_id: int | None = None, first_name: str = "Lan"
) -> dict[str, Any]:
    """A shared contact: the user's own when `contact_user_id` is their id (the default)."""
    shared: dict[str, Any] = {"phone_number": phone, "first_name": first_name}
    owner = user_id if contact_user_id is None else contact_user_id
    if owner:
        shared["user_id"] = owner
    return {"message": _message(user_id, contact=shared)}


def sticker(user_id: int) -> dict[str, Any]:
    return {
        "message": _message(
            user_id,
            sticker={
                "file_id": "sticker-1",
                "file_unique_id": "s1",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            },
        )
    }


def photo(user_id: int, caption: str = "") -> dict[str, Any]:
    sizes = [
        {"file_id": "photo-s", "file_unique_id": "ps", "width": 90, "height": 90},
        {"file_id": "photo-m", "file_unique_id": "pm", "width": 800, "height": 800},
    ]
    fields: dict[str, Any] = {"photo": sizes}
    if caption:
        fields["caption"] = caption
    return {"message": _message(user_id, **fields)}


def voice(user_id: int) -> dict[str, Any]:
    return {
        "message": _message(
            user_id, voice={"file_id": "voice-1", "file_unique_id": "v1", "duration": 3}
        )
    }


def document(
    user_id: int,
    file_id: str,
    file_name: str,
    file_size: int,
    mime_type: str = "application/octet-stream",
) -> dict[str, Any]:
    """A document message; register its bytes with `FakeTelegram.add_file(file_id, data)`."""
    return {
        "message": _message(
            user_id,
            document={
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": file_size,
            },
        )
    }
