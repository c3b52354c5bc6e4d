"""Decree 13/2023 deletion: a person anonymised on request, the counts kept, the act logged.

The commune police (an admin, or the command line) anonymise a roster person: name, phone,
birth date, ID number, boat and every chat link go; the household, status and card flags
stay, so progress still counts them. Residents ask in the chat ("xoá thông tin của tôi"),
which queues a request for the police; nothing is deleted without them.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor
from bot.services.privacy.clean import one_line
from bot.storage import audit as audit_store
from bot.storage import privacy as store
from bot.storage.privacy import ForgetRequest

logger = logging.getLogger(__name__)


def placeholder(person_id: int) -> str:
    """What stands in the roster for a forgotten person's name."""
    return f"[đã xoá #{person_id}]"


async def forget_person(
    tx: AsyncConnection, person_id: int, *, by: int | None, now: datetime, reason: str
) -> bool:
    """Anonymise the person and log who and why; False if there is no such person."""
    why = one_line(reason)
    if not why or not await store.person_exists(tx, person_id):
        return False
    await store.anonymise_person(tx, person_id, placeholder(person_id))
    await store.close_forget_requests(tx, person_id=person_id, user_id=None, by=by, now=now)
    await audit_store.add_event(
        tx, at=now, actor_user_id=by, action="forget", subject=f"person:{person_id}", detail=why
    )
    logger.info("person forgotten: person=%s by=%s", person_id, by or "cli")
    return True


async def forget_request_of(
    tx: AsyncConnection, request: ForgetRequest, *, by: int, now: datetime, reason: str
) -> bool:
    """Carry out a resident's request: their person, or only their chat if not linked."""
    if request.person_id is not None:
        return await forget_person(tx, request.person_id, by=by, now=now, reason=reason)
    await store.forget_user_chats(tx, request.user_id)
    await store.close_forget_requests(tx, person_id=None, user_id=request.user_id, by=by, now=now)
    await audit_store.add_event(
        tx,
        at=now,
        actor_user_id=by,
        action="forget",
        subject=f"user:{request.user_id}",
        detail=one_line(reason),
    )
    return True


async def request_forget(tx: AsyncConnection, actor: Actor, now: datetime) -> bool:
    """Queue the resident's request for the police; False if one is already open."""
    if await store.open_forget_request(tx, actor.user_id) is not None:
        return False
    await store.add_forget_request(tx, actor.user_id, actor.person_id, now)
    await audit_store.add_event(
        tx,
        at=now,
        actor_user_id=actor.user_id,
        action="forget_request",
        subject=f"person:{actor.person_id}" if actor.person_id else f"user:{actor.user_id}",
    )
    return True


async def open_requests(tx: AsyncConnection, actor: Actor) -> list[ForgetRequest]:
    return await store.forget_requests_open(tx) if actor.is_admin else []
