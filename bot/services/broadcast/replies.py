"""Replies to a notice ("Tôi sẽ đến" / "Không đến được"): the last answer counts."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import format_datetime, format_number, use_locale
from bot.core.i18n import gettext as _
from bot.services import outbox as outbox_service
from bot.storage import broadcast as store
from bot.storage import identities

logger = logging.getLogger(__name__)

REPLY_NOTICE_EVERY = 10  # tell the author the running counts at most once per this many replies


class Answer(StrEnum):
    COMING = "coming"
    CANNOT = "cannot"


class ReplyOutcome(StrEnum):
    SAVED = "saved"
    CHANGED = "changed"
    SAME = "same"
    NOT_RECIPIENT = "not_recipient"
    CLOSED = "closed"


async def record_reply(
    tx: AsyncConnection,
    *,
    user_id: int,
    value: str,
    now: datetime,
    every: int | None = None,
    default_locale: str = "vi",
) -> ReplyOutcome:
    """Keep a recipient's answer (the last one counts) and, now and then, tell the author."""
    head, _sep, word = value.partition(":")
    if not head.isdigit() or word not in set(Answer):
        return ReplyOutcome.NOT_RECIPIENT
    broadcast_id = int(head)
    broadcast = await store.find(tx, broadcast_id)
    if broadcast is None or not await store.is_recipient(tx, broadcast_id, user_id):
        return ReplyOutcome.NOT_RECIPIENT
    if broadcast.status == "cancelled":
        return ReplyOutcome.CLOSED
    before = await store.reply_of(tx, broadcast_id, user_id)
    if before == word:
        return ReplyOutcome.SAME
    await store.save_reply(tx, broadcast_id, user_id, word, now)
    if before is not None:
        return ReplyOutcome.CHANGED
    await _maybe_tell_counts(tx, broadcast, now, every or REPLY_NOTICE_EVERY, default_locale)
    return ReplyOutcome.SAVED


async def _maybe_tell_counts(
    tx: AsyncConnection,
    broadcast: store.BroadcastRow,
    now: datetime,
    every: int,
    default_locale: str,
) -> None:
    counts = await store.reply_counts(tx, broadcast.id)
    total = sum(counts.values())
    if total < broadcast.replies_notified + every:
        return
    if not await store.set_replies_notified(tx, broadcast.id, total):
        return
    locale = await identities.user_locale(tx, broadcast.author_user_id) or default_locale
    with use_locale(locale):
        text = _("Replies to your notice of {when}:").format(
            when=format_datetime(broadcast.created_at, "short")
        )
        text += "\n" + reply_line(counts)
    await outbox_service.enqueue(
        tx,
        user_id=broadcast.author_user_id,
        key=f"broadcast:{broadcast.id}:replies:{total}",
        text=text,
        now=now,
    )


def reply_line(counts: dict[str, int]) -> str:
    return _("{coming} coming, {cannot} cannot come").format(
        coming=format_number(counts.get(Answer.COMING, 0)),
        cannot=format_number(counts.get(Answer.CANNOT, 0)),
    )
