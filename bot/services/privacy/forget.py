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

from bot.services.access import is_province_admin, visible_villages
from bot.services.identity import Actor
from bot.services.privacy.clean import one_line
from bot.storage import audit as audit_store
from bot.storage import privacy as store
from bot.storage import roster_queries
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


async def may_forget(tx: AsyncConnection, actor: Actor, person_id: int) -> bool:
    """A province admin forgets anyone; a commune admin the people of their commune's villages.

    An id that is no one passes, to be answered as no such person.
    """
    if is_province_admin(actor):
        return True
    if not actor.is_admin:
        return False
    place = await roster_queries.person_place(tx, person_id)
    return place is None or place.village_id in await visible_villages(tx, actor)


async def open_requests(tx: AsyncConnection, actor: Actor) -> list[ForgetRequest]:
    """The open requests an admin may carry out: a commune admin's, their commune's people's.

    A request from a chat user not linked to the roster has no commune: every admin sees it.
    """
    if not actor.is_admin:
        return []
    found = await store.forget_requests_open(tx)
    if is_province_admin(actor):
        return found
    return [r for r in found if r.person_id is None or await may_forget(tx, actor, r.person_id)]
