"""Writing a notice once: the audience snapshotted, one outbox row per recipient."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.core.i18n import to_local, use_locale
from bot.core.keys import new_choice_key
from bot.core.understand import meaning
from bot.services.access import is_province_admin, visible_villages
from bot.services.booking import Service as BookingService
from bot.services.booking import reservations as booking_reservations
from bot.services.booking import sessions as booking_sessions
from bot.services.booking import texts as booking_texts
from bot.services.broadcast.audience import Audience, audience_rows, check_scope
from bot.services.broadcast.replies import Answer
from bot.services.broadcast.report import audience_of
from bot.services.identity import Actor
from bot.storage import broadcast as store
from bot.storage import conversations
from bot.storage import outbox as outbox_store
from bot.storage.conversations import StoredChoice

logger = logging.getLogger(__name__)

REPLY_ACTION = "broadcast.reply"


@dataclass(frozen=True)
class Created:
    broadcast_id: int
    people: int
    queued: int


async def sessions_to_announce(
    tx: AsyncConnection, village_id: int, now: datetime, limit: int = 5
) -> list[tuple[int, str]]:
    """(id, "place · time") of the open booking sessions nearest to `village_id`."""
    found = await booking_sessions.sessions_for_resident(
        tx, village_id=village_id, now=now, limit=limit
    )
    return [(s.id, _session_label(s.point_name, s.address, s.starts_at, s.ends_at)) for s in found]


def _session_label(name: str, address: str, starts_at: datetime, ends_at: datetime) -> str:
    return f"{booking_texts.where(name, address)} · {booking_texts.when(starts_at, ends_at)}"


async def session_text(tx: AsyncConnection, session_id: int, now: datetime) -> str | None:
    """A notice announcing an open session (place and time filled in), or None."""
    found = await booking_reservations.session_info(tx, session_id, now)
    if found is None or found.status != "open" or found.ends_at <= now:
        return None
    return "\n".join(
        [
            _(
                "The commune's Project 06 team takes applications for the chip ID card and "
                "registers level 2 electronic identification accounts:"
            ),
            _("Where: {where}").format(where=booking_texts.where(found.point_name, found.address)),
            _("When: {when}").format(when=booking_texts.when(found.starts_at, found.ends_at)),
            _("Book a time slot in this chat (menu) so you do not have to wait."),
            booking_texts.what_to_bring(BookingService.BOTH),
        ]
    )


async def create(
    tx: AsyncConnection,
    actor: Actor,
    *,
    audience: Audience,
    text: str,
    with_replies: bool,
    scheduled_at: datetime,
    now: datetime,
    session_id: int | None = None,
    default_locale: str = "vi",
) -> Created:
    """Store the broadcast and queue one message per recipient with a chat."""
    await check_scope(tx, actor, audience)
    rows = await audience_rows(tx, audience, to_local(now).date())
    broadcast_id = await store.insert_broadcast(
        tx,
        {
            "author_user_id": actor.user_id,
            "text": text,
            "audience": audience.model_dump(mode="json"),
            "session_id": session_id,
            "with_replies": with_replies,
            "status": "scheduled" if scheduled_at > now else "sending",
            "scheduled_at": scheduled_at,
            "created_at": now,
        },
    )
    await store.insert_recipients(
        tx,
        [
            {
                "broadcast_id": broadcast_id,
                "person_id": row.person_id,
                "household_id": row.household_id,
                "user_id": row.user_id,
                "has_chat": row.has_chat,
            }
            for row in rows
        ],
    )
    queued = await _enqueue_all(
        tx, broadcast_id, rows, text, with_replies, scheduled_at, now, default_locale
    )
    logger.info(
        "broadcast created: id=%s author=%s people=%s queued=%s",
        broadcast_id,
        actor.user_id,
        len(rows),
        queued,
    )
    return Created(broadcast_id, len(rows), queued)


def _dressing(locale: str, broadcast_id: int) -> tuple[str, list[tuple[str, str]]]:
    """The header and the reply-button (label, value) pairs in one language."""
    with use_locale(locale):
        header = _("📢 Notice from the commune's Project 06 team")
        buttons = [
            (_("I will come"), f"{broadcast_id}:{Answer.COMING}"),
            (_("I cannot come"), f"{broadcast_id}:{Answer.CANNOT}"),
        ]
    return header, buttons


async def _enqueue_all(
    tx: AsyncConnection,
    broadcast_id: int,
    rows: Sequence[store.AudienceRow],
    text: str,
    with_replies: bool,
    scheduled_at: datetime,
    now: datetime,
    default_locale: str,
) -> int:
    """One outbox row per recipient with a chat, in bulk (bot.services.outbox does one)."""
    messages: list[dict[str, Any]] = []
    keyed: list[StoredChoice] = []
    dressing: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for row in rows:
        if not row.has_chat or row.user_id is None:
            continue
        locale = row.locale or default_locale
        if locale not in dressing:
            dressing[locale] = _dressing(locale, broadcast_id)
        header, buttons = dressing[locale]
        recipient = outbox_store.Recipient(
            row.user_id, row.identity_id or 0, row.channel or "", row.chat_id or "", True
        )
        choices = (
            [
                StoredChoice(
                    new_choice_key(),
                    recipient.identity_id,
                    REPLY_ACTION,
                    value,
                    label,
                    meaning.NO if value.endswith(Answer.CANNOT) else meaning.YES,
                )
                for label, value in buttons
            ]
            if with_replies
            else []
        )
        keyed += choices
        messages.append(
            outbox_store.message_row(
                key=f"broadcast:{broadcast_id}:{row.user_id}",
                recipient=recipient,
                text=f"{header}\n\n{text}",
                now=now,
                not_before=scheduled_at,
                choices=[[c.label, c.key] for c in choices],
                broadcast_id=broadcast_id,
            )
        )
    queued = await outbox_store.insert_messages(tx, messages)
    await conversations.add_choices(tx, keyed, now)
    return queued


async def cancel(tx: AsyncConnection, actor: Actor, broadcast_id: int, now: datetime) -> bool:
    """Stop a broadcast that is still going out: its waiting messages are withdrawn."""
    broadcast = await store.find(tx, broadcast_id)
    if broadcast is None or not await may_stop(tx, actor, broadcast):
        return False
    if not await store.finish(tx, broadcast_id, "cancelled", now):
        return False
    dropped = await store.drop_unsent(tx, broadcast_id)
    logger.info(
        "broadcast cancelled: id=%s by=%s withdrawn=%s", broadcast_id, actor.user_id, dropped
    )
    return True


async def may_stop(tx: AsyncConnection, actor: Actor, broadcast: store.BroadcastRow) -> bool:
    """A province admin stops any notice; its author or a commune admin one within their villages.

    The author must still cover its villages (checked before writing).
    """
    if is_province_admin(actor):
        return True
    if not (broadcast.author_user_id == actor.user_id or actor.is_admin):
        return False
    audience = audience_of(broadcast)
    return audience is not None and set(audience.village_ids) <= await visible_villages(tx, actor)
