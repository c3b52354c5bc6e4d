"""Telegram updates into the inbox: our own getUpdates loop, and the webhook's body.

PTB's Updater confirms a batch as soon as it asks for the next one, before the batch is
handled, and a batch it cannot parse is never confirmed at all. Here an update is read as
plain JSON, written to the inbox, and only then confirmed (the next offset). Parsing into
PTB's `Update` happens later, in the inbox worker, one update at a time: one that fails is
stored as `bad` and skipped, and everyone else is still served.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import warnings
from collections.abc import Sequence
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, TelegramError
from telegram.warnings import PTBUserWarning

from bot.core.inbox import Inbox
from bot.storage.inbox import Received

logger = logging.getLogger(__name__)

MAX_BACKOFF_S = 30.0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def received(raw: Any) -> Received | None:
    """An update as the inbox stores it: its id, chat and sender read from the raw JSON.

    Nothing here trusts the shape beyond what it needs; None only without an update id.
    """
    if not isinstance(raw, dict) or not isinstance(raw.get("update_id"), int):
        return None
    query = _dict(raw.get("callback_query"))
    if query:
        user = _dict(query.get("from")).get("id")
        chat = _dict(_dict(query.get("message")).get("chat")).get("id") or user
    else:
        message = next(
            (_dict(raw[k]) for k in raw if k != "update_id" and isinstance(raw[k], dict)), {}
        )
        user = _dict(message.get("from")).get("id") or _dict(message.get("user")).get("id")
        chat = _dict(message.get("chat")).get("id") or user
    return Received(
        update_key=str(raw["update_id"]),
        chat_key=str(chat) if chat is not None else "",
        user_key=str(user) if user is not None else "",
        payload=json.dumps(raw, ensure_ascii=False, separators=(",", ":")),
    )


def updates_of(batch: Sequence[Any]) -> list[Received]:
    found = [received(raw) for raw in batch]
    missing = sum(1 for item in found if item is None)
    if missing:
        logger.warning("telegram: %s updates without an update_id ignored", missing)
    return [item for item in found if item is not None]


async def get_updates(bot: Bot, offset: int, timeout_s: int, allowed: Sequence[str]) -> list[Any]:
    """One long poll, as raw JSON (PTB would parse, and fail the whole batch on one bad one)."""
    with warnings.catch_warnings():  # "use Bot.get_updates": that is what we must not do
        warnings.simplefilter("ignore", PTBUserWarning)
        result = await bot.do_api_request(
            "get_updates",
            api_kwargs={"offset": offset, "timeout": timeout_s, "allowed_updates": list(allowed)},
            read_timeout=timeout_s + 10,
        )
    return result if isinstance(result, list) else []


async def poll(
    bot: Bot, inbox: Inbox, stop: asyncio.Event, timeout_s: int, allowed: Sequence[str]
) -> None:
    """Long-poll until `stop`; each batch is in the inbox before its offset confirms it."""
    offset, failures = 0, 0
    while not stop.is_set():
        try:
            batch = await get_updates(bot, offset, timeout_s, allowed)
            ids = [
                raw["update_id"] for raw in batch if isinstance(_dict(raw).get("update_id"), int)
            ]
            await inbox.receive(updates_of(batch))
        except InvalidToken:
            logger.error("telegram: token refused; polling stops")
            raise
        except (TelegramError, OSError) as exc:
            failures += 1
            delay = min(MAX_BACKOFF_S, 0.25 * 2**failures) * random.uniform(0.5, 1.0)
            level = logging.ERROR if isinstance(exc, Conflict) else logging.WARNING
            logger.log(
                level,
                "telegram: getUpdates failed (%s); again in %.1fs",
                type(exc).__name__,
                delay,
            )
            await _sleep_unless(stop, delay)
            continue
        except Exception:  # the database: keep the offset, so nothing is confirmed
            failures += 1
            logger.exception("telegram: updates not stored; asking again")
            await _sleep_unless(stop, min(MAX_BACKOFF_S, 0.25 * 2**failures))
            continue
        failures = 0
        if ids:
            offset = max(ids) + 1  # confirmed by the next call, now that they are stored


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
