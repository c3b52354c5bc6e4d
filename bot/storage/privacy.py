"""The SQL of the privacy rules: open requests per user, roles revoked, forgetting, phones shown,
boats placed (the audit trail: bot/storage/audit.py)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.booking import home_visits
from bot.storage.tables.core import (
    boats,
    chat_identities,
    households,
    invites,
    persons,
    roles,
    users,
    villages,
)
from bot.storage.tables.privacy import forget_requests, role_history


async def open_visits_of_user(tx: AsyncConnection, user_id: int) -> int:
    """How many home-visit requests this chat user has that are not done yet."""
    return int(
        await tx.scalar(
            select(func.count())
            .select_from(home_visits)
            .where(
                home_visits.c.user_id == user_id, home_visits.c.status.in_(("open", "assigned"))
            )
        )
        or 0
    )


# --- roles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldRole:
    role_id: int
    user_id: int
    role: str
    village_id: int | None
    commune_id: int | None
    granted_by: int | None
    display_name: str
    village_name: str | None


async def held_roles(tx: AsyncConnection, user_id: int | None = None) -> list[HeldRole]:
    """The roles held now (of one user, or of everyone), with a name to recognise them by."""
    name = (
        select(chat_identities.c.display_name)
        .where(chat_identities.c.user_id == roles.c.user_id)
        .order_by(chat_identities.c.id)
        .limit(1)
        .scalar_subquery()
    )
    query = (
        select(
            roles.c.id,
            roles.c.user_id,
            roles.c.role,
            roles.c.village_id,
            roles.c.commune_id,
            roles.c.granted_by,
            func.coalesce(name, ""),
            villages.c.name,
        )
        .outerjoin(villages, villages.c.id == roles.c.village_id)
        .order_by(roles.c.user_id, roles.c.id)
    )
    if user_id is not None:
        query = query.where(roles.c.user_id == user_id)
    return [HeldRole(*row) for row in await tx.execute(query)]


async def revoke_role(
    tx: AsyncConnection, role_id: int, *, by: int | None, now: datetime, reason: str
) -> HeldRole | None:
    """Take one role back: kept in role_history (granted_by, revoked_by), gone from roles."""
    row = (
        await tx.execute(
            select(
                roles.c.user_id,
                roles.c.role,
                roles.c.village_id,
                roles.c.commune_id,
                roles.c.granted_at,
                roles.c.granted_by,
            ).where(roles.c.id == role_id)
        )
    ).first()
    if row is None:
        return None
    deleted = await tx.execute(delete(roles).where(roles.c.id == role_id))
    if deleted.rowcount != 1:
        return None
    await tx.execute(
        insert(role_history).values(
            user_id=row[0],
            role=row[1],
            village_id=row[2],
            commune_id=row[3],
            granted_at=row[4],
            granted_by=row[5],
            revoked_at=now,
            revoked_by=by,
            reason=reason[:200],
        )
    )
    return HeldRole(role_id, row[0], row[1], row[2], row[3], row[5], "", None)


# --- forgetting ------------------------------------------------------------------------------


async def person_exists(tx: AsyncConnection, person_id: int) -> bool:
    return await tx.scalar(select(persons.c.id).where(persons.c.id == person_id)) is not None


async def anonymise_person(tx: AsyncConnection, person_id: int, placeholder: str) -> None:
    """Remove what names the person; keep the household, status and card flags (the counts).

    The birth year stays: without it the person's age group, and so the counts, would change.
    """
    values: dict[str, object] = {
        "full_name": placeholder,
        "birth_date": None,
        "phone": None,
        "note": "",
        "boat_id": None,
    }
    for column in ("id_number", "id_card_number", "national_id"):  # the roster's ID column
        if column in persons.c:
            values[column] = None
    await tx.execute(update(persons).where(persons.c.id == person_id).values(**values))
    linked = list(
        (await tx.execute(select(users.c.id).where(users.c.person_id == person_id))).scalars()
    )
    if linked:
        await tx.execute(update(users).where(users.c.id.in_(linked)).values(person_id=None))
        await tx.execute(
            update(chat_identities)
            .where(chat_identities.c.user_id.in_(linked))
            .values(display_name="")
        )
    await tx.execute(
        delete(invites).where(invites.c.person_id == person_id, invites.c.used_at.is_(None))
    )
    await tx.execute(
        update(invites).where(invites.c.person_id == person_id).values(person_id=None)
    )
    await tx.execute(
        update(home_visits)
        .where(home_visits.c.person_id == person_id)
        .values(person_name=placeholder, phone="", address="", preferred_time="")
    )


async def open_forget_request(tx: AsyncConnection, user_id: int) -> int | None:
    return await tx.scalar(
        select(forget_requests.c.id).where(
            forget_requests.c.user_id == user_id, forget_requests.c.status == "open"
        )
    )


async def add_forget_request(
    tx: AsyncConnection, user_id: int, person_id: int | None, now: datetime
) -> int:
    result = await tx.execute(
        insert(forget_requests).values(user_id=user_id, person_id=person_id, created_at=now)
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


@dataclass(frozen=True)
class ForgetRequest:
    id: int
    user_id: int
    person_id: int | None
    created_at: datetime


async def forget_requests_open(tx: AsyncConnection) -> list[ForgetRequest]:
    rows = await tx.execute(
        select(
            forget_requests.c.id,
            forget_requests.c.user_id,
            forget_requests.c.person_id,
            forget_requests.c.created_at,
        )
        .where(forget_requests.c.status == "open")
        .order_by(forget_requests.c.id)
    )
    return [ForgetRequest(*row) for row in rows]


async def close_forget_requests(
    tx: AsyncConnection,
    *,
    person_id: int | None,
    user_id: int | None,
    by: int | None,
    now: datetime,
) -> None:
    conditions = []
    if person_id is not None:
        conditions.append(forget_requests.c.person_id == person_id)
    if user_id is not None:
        conditions.append(forget_requests.c.user_id == user_id)
    if not conditions:
        return
    await tx.execute(
        update(forget_requests)
        .where(forget_requests.c.status == "open", or_(*conditions))
        .values(status="done", done_at=now, done_by=by)
    )


async def forget_user_chats(tx: AsyncConnection, user_id: int) -> None:
    """An unlinked resident asked to be forgotten: their chat names and link go."""
    await tx.execute(update(users).where(users.c.id == user_id).values(person_id=None))
    await tx.execute(
        update(chat_identities).where(chat_identities.c.user_id == user_id).values(display_name="")
    )


# --- revealing a phone -----------------------------------------------------------------------


@dataclass(frozen=True)
class PhoneOf:
    person_id: int
    full_name: str
    phone: str | None
    village_id: int
    household_code: str


_PHONE_OF = select(
    persons.c.id,
    persons.c.full_name,
    persons.c.phone,
    households.c.village_id,
    households.c.code,
).join(households, households.c.id == persons.c.household_id)


async def phone_of(tx: AsyncConnection, person_id: int) -> PhoneOf | None:
    row = (await tx.execute(_PHONE_OF.where(persons.c.id == person_id))).first()
    return PhoneOf(*row) if row else None


async def people_with_phone(tx: AsyncConnection, village_ids: Iterable[int]) -> list[PhoneOf]:
    """Everyone with a phone in these villages (searched by name in Python, folded)."""
    ids = sorted(set(village_ids))
    if not ids:
        return []
    rows = await tx.execute(
        _PHONE_OF.where(households.c.village_id.in_(ids), persons.c.phone.is_not(None)).order_by(
            persons.c.full_name, persons.c.id
        )
    )
    return [PhoneOf(*row) for row in rows]


# --- boats -----------------------------------------------------------------------------------


async def crew_by_village(
    tx: AsyncConnection, person_ids: Iterable[int]
) -> list[tuple[int, str, int]]:
    """(village id, village name, how many) of these crew members, by village name."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    rows = await tx.execute(
        select(villages.c.id, villages.c.name, func.count())
        .select_from(persons)
        .join(households, households.c.id == persons.c.household_id)
        .join(villages, villages.c.id == households.c.village_id)
        .where(persons.c.id.in_(ids))
        .group_by(villages.c.id, villages.c.name)
        .order_by(villages.c.name)
    )
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


async def set_boat_village(tx: AsyncConnection, registration: str, village_id: int) -> bool:
    """Give the boat to one village (chosen by an admin); False if boat or village is unknown."""
    if await tx.scalar(select(villages.c.id).where(villages.c.id == village_id)) is None:
        return False
    compact = func.upper(func.replace(boats.c.registration, "-", ""))  # as boats are looked up
    result = await tx.execute(
        update(boats).where(compact == registration).values(village_id=village_id)
    )
    return result.rowcount == 1
