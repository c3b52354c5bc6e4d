"""Home visits and transport for the elderly, sick and disabled: asked, planned, done."""

from __future__ import annotations

import logging
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services import access
from bot.services.booking import notices, texts
from bot.services.booking.sessions import may_manage
from bot.services.identity import Actor
from bot.services.phone import normalize_phone
from bot.services.privacy.clean import NAME_CHARS, one_line
from bot.storage import booking as store
from bot.storage import privacy as privacy_store

logger = logging.getLogger(__name__)

KINDS = ("visit", "transport")
REASONS = ("elderly", "sick", "disabled", "other")
MAX_OPEN_PER_USER = 3  # one chat cannot flood the team with requests


class VisitError(StrEnum):
    BAD_PHONE = "bad_phone"
    BAD_FIELD = "bad_field"
    DUPLICATE = "duplicate"
    TOO_MANY = "too_many"  # the asker already has MAX_OPEN_PER_USER open requests
    NOT_FOUND = "not_found"  # or not in the actor's villages
    NOT_A_ROUND = "not_a_round"
    NOT_OPEN = "not_open"


async def request(
    tx: AsyncConnection,
    *,
    user_id: int,
    person_id: int | None,
    person_name: str,
    kind: str,
    reason: str,
    address: str,
    phone: str,
    preferred_time: str,
    village_id: int,
    now: datetime,
) -> int | VisitError:
    """Record a request for the village's team; one open request per person and asker."""
    number = normalize_phone(phone)
    if number is None:
        return VisitError.BAD_PHONE
    name, place = one_line(person_name, NAME_CHARS), one_line(address)
    if kind not in KINDS or reason not in REASONS or not name or not place:
        return VisitError.BAD_FIELD
    if await store.open_visit_of(tx, user_id, name) is not None:
        return VisitError.DUPLICATE
    if not await may_ask(tx, user_id):
        logger.warning("home visit refused: user=%s has too many open", user_id)
        return VisitError.TOO_MANY
    visit_id = await store.insert_visit(
        tx,
        {
            "user_id": user_id,
            "person_id": person_id,
            "person_name": name,
            "kind": kind,
            "reason": reason,
            "address": place,
            "phone": number,
            "preferred_time": one_line(preferred_time, 100),
            "village_id": village_id,
            "status": "open",
            "created_at": now,
            "updated_at": now,
        },
    )
    logger.info("home visit requested: id=%s village=%s", visit_id, village_id)
    return visit_id


async def may_ask(tx: AsyncConnection, user_id: int) -> bool:
    """False when the user already has MAX_OPEN_PER_USER requests not done yet."""
    return await privacy_store.open_visits_of_user(tx, user_id) < MAX_OPEN_PER_USER


async def open_requests(tx: AsyncConnection, actor: Actor) -> list[store.HomeVisit]:
    """Requests not done yet in the villages the actor may see, by village."""
    villages = await access.visible_villages(tx, actor)
    return await store.visits(tx, villages, ("open", "assigned"))


async def visible(tx: AsyncConnection, actor: Actor, visit_id: int) -> store.HomeVisit | None:
    found = await store.visit(tx, visit_id)
    if found is None or not await access.may_see_village(tx, actor, found.village_id):
        return None
    return found


async def assign(
    tx: AsyncConnection, actor: Actor, *, visit_id: int, session_id: int, now: datetime
) -> store.HomeVisit | VisitError:
    """Put a request on a round (a mobile session) and tell the person who asked."""
    found = await visible(tx, actor, visit_id)
    if found is None:
        return VisitError.NOT_FOUND
    session = await store.session(tx, session_id, now)
    if (
        session is None
        or not session.is_mobile
        or session.status != "open"
        or session.ends_at <= now
        or not may_manage(actor, session.commune_id)
    ):
        return VisitError.NOT_A_ROUND
    if not await store.set_visit(
        tx,
        visit_id,
        expect=("open", "assigned"),
        status="assigned",
        round_session_id=session_id,
        updated_at=now,
    ):
        return VisitError.NOT_OPEN
    await notices.send(
        tx,
        found.user_id,
        f"booking:visit-assigned:{visit_id}:{session_id}",
        now,
        lambda: notices.visit_assigned(
            texts.when(session.starts_at, session.ends_at), session.point_name
        ),
    )
    return found


async def mark_done(
    tx: AsyncConnection, actor: Actor, *, visit_id: int, now: datetime
) -> store.HomeVisit | VisitError:
    found = await visible(tx, actor, visit_id)
    if found is None:
        return VisitError.NOT_FOUND
    if not await store.set_visit(
        tx, visit_id, expect=("open", "assigned"), status="done", updated_at=now
    ):
        return VisitError.NOT_OPEN
    return found


async def home_of(tx: AsyncConnection, person_id: int | None) -> store.Home | None:
    """The roster household (village, address) of a linked person."""
    return await store.home_of(tx, person_id) if person_id else None
