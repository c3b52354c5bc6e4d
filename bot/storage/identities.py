"""Chat users, their channel identities, roles and invite codes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.conversations import ConversationRow, conversation_columns, conversation_from
from bot.storage.prepared import Prepared
from bot.storage.sql import hot
from bot.storage.tables.core import (
    chat_identities,
    conversations,
    households,
    invites,
    persons,
    roles,
    users,
    villages,
)


@dataclass(frozen=True)
class IdentityRow:
    identity_id: int
    user_id: int
    person_id: int | None
    locale: str | None


@dataclass(frozen=True)
class GrantRow:
    role: str
    village_id: int | None
    commune_id: int | None


@dataclass(frozen=True)
class InviteRow:
    code: str
    role: str
    village_id: int | None
    commune_id: int | None
    person_id: int | None
    expires_at: datetime
    used_at: datetime | None
    created_by: int | None = None


@dataclass(frozen=True)
class PersonBrief:
    person_id: int
    full_name: str
    village_id: int
    commune_id: int


@dataclass(frozen=True)
class ActorRow:
    """An identity with its user and grants, read in one query."""

    identity: IdentityRow
    chat_id: str
    last_seen_at: datetime
    reachable: bool
    is_last_identity: bool
    grants: tuple[GrantRow, ...]
    conversation: ConversationRow | None = None  # when asked for: the stored one, or a new one


_ACTOR_COLUMNS = (
    chat_identities.c.id,
    users.c.id,
    users.c.person_id,
    users.c.locale,
    chat_identities.c.chat_id,
    chat_identities.c.last_seen_at,
    chat_identities.c.unreachable_at.is_(None),
    users.c.last_identity_id == chat_identities.c.id,
    roles.c.role,
    roles.c.village_id,
    roles.c.commune_id,
    chat_identities.c.link_only,
)
_BY_KEY = (
    chat_identities.c.channel == bindparam("channel"),
    chat_identities.c.external_id == bindparam("external_id"),
)
# Built once: they run on every message. The second brings the identity's conversation too
# (the dispatcher needs both, and one statement is cheaper than two).
_FIND_ACTOR = Prepared(
    select(*_ACTOR_COLUMNS)
    .join(users, users.c.id == chat_identities.c.user_id)
    .outerjoin(roles, roles.c.user_id == users.c.id)
    .where(*_BY_KEY)
)
_FIND_ACTOR_AND_CONVERSATION = Prepared(
    select(*_ACTOR_COLUMNS, *conversation_columns())
    .join(users, users.c.id == chat_identities.c.user_id)
    .outerjoin(roles, roles.c.user_id == users.c.id)
    .outerjoin(conversations, conversations.c.identity_id == chat_identities.c.id)
    .where(*_BY_KEY)
)


async def find_actor(
    tx: AsyncConnection, channel: str, external_id: str, *, with_conversation: bool = False
) -> ActorRow | None:
    """The identity, its user and the user's grants (one row per grant), in one round trip.

    `with_conversation`: the identity's stored conversation comes in the same statement.
    """
    statement = _FIND_ACTOR_AND_CONVERSATION if with_conversation else _FIND_ACTOR
    rows = (await statement.run(tx, {"channel": channel, "external_id": external_id})).all()
    if not rows:
        return None
    first = rows[0]
    return ActorRow(
        identity=IdentityRow(first[0], first[1], first[2], first[3]),
        chat_id=first[4],
        last_seen_at=first[5],
        reachable=bool(first[6]),
        is_last_identity=bool(first[7]),
        # a chat joined by a /link code acts for the person, never with the user's roles
        grants=()
        if first[11]
        else tuple(GrantRow(r[8], r[9], r[10]) for r in rows if r[8] is not None),
        conversation=conversation_from(first[12:]) if with_conversation else None,
    )


async def find_identity(tx: AsyncConnection, channel: str, external_id: str) -> IdentityRow | None:
    row = (
        await tx.execute(
            select(chat_identities.c.id, users.c.id, users.c.person_id, users.c.locale)
            .join(users, users.c.id == chat_identities.c.user_id)
            .where(
                chat_identities.c.channel == channel,
                chat_identities.c.external_id == external_id,
            )
        )
    ).first()
    return IdentityRow(*row) if row else None


async def identity_by_id(tx: AsyncConnection, identity_id: int) -> IdentityRow:
    row = (
        await tx.execute(
            select(chat_identities.c.id, users.c.id, users.c.person_id, users.c.locale)
            .join(users, users.c.id == chat_identities.c.user_id)
            .where(chat_identities.c.id == identity_id)
        )
    ).one()
    return IdentityRow(*row)


async def create_user(tx: AsyncConnection, now: datetime, locale: str | None = None) -> int:
    result = await tx.execute(hot(insert(users).values(created_at=now, locale=locale)))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def create_identity(
    tx: AsyncConnection,
    *,
    user_id: int,
    channel: str,
    external_id: str,
    chat_id: str,
    display_name: str,
    now: datetime,
) -> int:
    result = await tx.execute(
        hot(
            insert(chat_identities).values(
                user_id=user_id,
                channel=channel,
                external_id=external_id,
                chat_id=chat_id,
                display_name=display_name[:120],
                last_seen_at=now,
            )
        )
    )
    return int(result.inserted_primary_key[0])  # type: ignore[index]


_TOUCH_IDENTITY = Prepared(
    update(chat_identities)
    .where(chat_identities.c.id == bindparam("identity"))
    .values(
        last_seen_at=bindparam("seen", type_=chat_identities.c.last_seen_at.type),
        chat_id=bindparam("chat", type_=chat_identities.c.chat_id.type),
        unreachable_at=None,
    )
)
_LAST_IDENTITY = Prepared(
    update(users)
    .where(users.c.id == bindparam("user"))
    .values(last_identity_id=bindparam("identity", type_=users.c.last_identity_id.type))
)


async def touch_identity(
    tx: AsyncConnection, identity_id: int, user_id: int, chat_id: str, now: datetime
) -> None:
    """Record that the user wrote from this identity just now (it becomes their last channel)."""
    await _TOUCH_IDENTITY.run(tx, {"identity": identity_id, "seen": now, "chat": chat_id})
    await _LAST_IDENTITY.run(tx, {"identity": identity_id, "user": user_id})


async def is_link_only(tx: AsyncConnection, identity_id: int) -> bool:
    """True for a chat joined by a /link code (it never carries the user's roles)."""
    found = await tx.scalar(
        select(chat_identities.c.link_only).where(chat_identities.c.id == identity_id)
    )
    return bool(found)


async def allow_roles(tx: AsyncConnection, identity_id: int) -> None:
    """A role invite redeemed on this chat: it may use the user's roles from now on."""
    await tx.execute(
        update(chat_identities).where(chat_identities.c.id == identity_id).values(link_only=False)
    )


async def grants_of(tx: AsyncConnection, user_id: int) -> list[GrantRow]:
    rows = await tx.execute(
        select(roles.c.role, roles.c.village_id, roles.c.commune_id).where(
            roles.c.user_id == user_id
        )
    )
    return [GrantRow(*row) for row in rows]


async def add_grant(
    tx: AsyncConnection,
    user_id: int,
    role: str,
    village_id: int | None,
    commune_id: int | None,
    now: datetime,
    granted_by: int | None = None,
) -> None:
    existing = await tx.scalar(
        select(roles.c.id).where(
            roles.c.user_id == user_id,
            roles.c.role == role,
            roles.c.village_id.is_(None)
            if village_id is None
            else roles.c.village_id == village_id,
            roles.c.commune_id.is_(None)
            if commune_id is None
            else roles.c.commune_id == commune_id,
        )
    )
    if existing is None:
        await tx.execute(
            insert(roles).values(
                user_id=user_id,
                role=role,
                village_id=village_id,
                commune_id=commune_id,
                granted_at=now,
                granted_by=granted_by,
            )
        )


async def user_locale(tx: AsyncConnection, user_id: int) -> str | None:
    """The language a user chose, if any (for messages the bot starts)."""
    return await tx.scalar(select(users.c.locale).where(users.c.id == user_id))


async def set_locale(tx: AsyncConnection, user_id: int, locale: str) -> None:
    await tx.execute(update(users).where(users.c.id == user_id).values(locale=locale))


async def user_of_person(tx: AsyncConnection, person_id: int) -> int | None:
    return await tx.scalar(select(users.c.id).where(users.c.person_id == person_id))


async def set_person(tx: AsyncConnection, user_id: int, person_id: int | None) -> None:
    await tx.execute(update(users).where(users.c.id == user_id).values(person_id=person_id))


async def births_of(
    tx: AsyncConnection, person_ids: list[int]
) -> dict[int, tuple[date | None, int | None]]:
    """The birth date and year the roster holds for each person (either may be missing)."""
    if not person_ids:
        return {}
    rows = await tx.execute(
        select(persons.c.id, persons.c.birth_date, persons.c.birth_year).where(
            persons.c.id.in_(person_ids)
        )
    )
    return {row[0]: (row[1], row[2]) for row in rows}


async def persons_with_phone(tx: AsyncConnection, phone: str) -> list[PersonBrief]:
    rows = await tx.execute(
        select(persons.c.id, persons.c.full_name, villages.c.id, villages.c.commune_id)
        .join(households, households.c.id == persons.c.household_id)
        .join(villages, villages.c.id == households.c.village_id)
        .where(persons.c.phone == phone)
        .order_by(persons.c.id)
    )
    return [PersonBrief(*row) for row in rows]


async def insert_invite(
    tx: AsyncConnection,
    *,
    code: str,
    role: str,
    village_id: int | None,
    commune_id: int | None,
    person_id: int | None,
    created_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    await tx.execute(
        insert(invites).values(
            code=code,
            role=role,
            village_id=village_id,
            commune_id=commune_id,
            person_id=person_id,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
    )


async def find_invite(tx: AsyncConnection, code: str) -> InviteRow | None:
    row = (
        await tx.execute(
            select(
                invites.c.code,
                invites.c.role,
                invites.c.village_id,
                invites.c.commune_id,
                invites.c.person_id,
                invites.c.expires_at,
                invites.c.used_at,
                invites.c.created_by,
            ).where(invites.c.code == code)
        )
    ).first()
    return InviteRow(*row) if row else None


async def use_invite(tx: AsyncConnection, code: str, user_id: int, now: datetime) -> bool:
    """Mark the invite used; False if someone used it first."""
    result = await tx.execute(
        update(invites)
        .where(and_(invites.c.code == code, invites.c.used_at.is_(None)))
        .values(used_by=user_id, used_at=now)
    )
    return result.rowcount == 1


async def village_commune(tx: AsyncConnection, village_id: int) -> int | None:
    return await tx.scalar(select(villages.c.commune_id).where(villages.c.id == village_id))


async def count_users(tx: AsyncConnection) -> int:
    return int(await tx.scalar(select(func.count()).select_from(users)) or 0)
