"""Codes typed in the chat (/join, /start CODE): wrong tries throttled per chat and logged.

Five wrong codes within ten minutes pause the chat for an hour. Each wrong try is an audit
event naming the chat, never the code, and the pause is read from those events, so the
throttle needs no table of its own. (bot/services/throttle.py, the shared per-chat counter
the `understand` engineer is building for linking by phone, was not on main when this was
written; /join can move to it as purpose "join".)
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import format_time
from bot.core.i18n import gettext as _
from bot.storage import audit as store
from bot.storage import identities, link_codes

logger = logging.getLogger(__name__)

ACTION = "code_refused"
LIMIT = 5
WINDOW = timedelta(minutes=10)
PAUSE = timedelta(hours=1)


def chat_key(channel: str, chat_id: str) -> str:
    return f"chat:{channel}:{chat_id}"[:120]


async def paused_until(
    tx: AsyncConnection, channel: str, chat_id: str, now: datetime
) -> datetime | None:
    """When the chat may try a code again, if LIMIT wrong tries within WINDOW paused it."""
    times = await store.event_times(tx, ACTION, chat_key(channel, chat_id), now - PAUSE - WINDOW)
    until = None
    for first, fifth in zip(times, times[LIMIT - 1 :], strict=False):
        if fifth - first <= WINDOW:
            until = fifth + PAUSE
    return until if until is not None and until > now else None


async def exists(tx: AsyncConnection, code: str) -> bool:
    """Whether the code is a link code or an invite at all (used or not)."""
    clean = code.strip().upper()[:16]
    return (
        await link_codes.find_code(tx, clean) is not None
        or await identities.find_invite(tx, clean) is not None
    )


async def wrong(
    tx: AsyncConnection, user_id: int, channel: str, chat_id: str, now: datetime
) -> datetime | None:
    """Log a wrong code (the chat, not the code); returns until when the chat is now paused."""
    await store.add_event(
        tx, at=now, actor_user_id=user_id, action=ACTION, subject=chat_key(channel, chat_id)
    )
    until = await paused_until(tx, channel, chat_id, now)
    logger.warning("wrong code: user=%s channel=%s paused=%s", user_id, channel, bool(until))
    return until


def paused_text(until: datetime) -> str:
    return _(
        "Too many wrong codes from this chat. Please try again after {time}, or ask the "
        "commune police for a new code."
    ).format(time=format_time(until))
