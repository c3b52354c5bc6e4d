"""Link codes, and moving a chat user's identities, roles and messages to another user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import chat_identities, outbox, roles, users
from bot.storage.tables.zalo import link_codes


@dataclass(frozen=True)
class LinkCodeRow:
    code: str
    user_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class UserBrief:
    user_id: int
    person_id: int | None
    locale: str | None


async def replace_code(
    tx: AsyncConnection, user_id: int, code: str, now: datetime, expires_at: datetime
) -> None:
    """Store a new code for the user; their earlier unused codes stop working."""
    await tx.execute(
        delete(link_codes).where(link_codes.c.user_id == user_id, link_codes.c.used_at.is_(None))
    )
    await tx.execute(
        insert(link_codes).values(
            code=code, user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


async def find_code(tx: AsyncConnection, code: str) -> LinkCodeRow | None:
    row = (
        await tx.execute(
            select(
                link_codes.c.code,
                link_codes.c.user_id,
                link_codes.c.expires_at,
                link_codes.c.used_at,
            ).where(link_codes.c.code == code)
        )
    ).first()
    return LinkCodeRow(*row) if row else None


async def use_code(tx: AsyncConnection, code: str, identity_id: int, now: datetime) -> bool:
    """Mark the code used; False if someone used it first."""
    result = await tx.execute(
        update(link_codes)
        .where(and_(link_codes.c.code == code, link_codes.c.used_at.is_(None)))
        .values(used_at=now, used_by_identity=identity_id)
    )
    return result.rowcount == 1


async def user_brief(tx: AsyncConnection, user_id: int) -> UserBrief:
    row = (
        await tx.execute(
            select(users.c.id, users.c.person_id, users.c.locale).where(users.c.id == user_id)
        )
    ).one()
    return UserBrief(*row)


async def move_identities(tx: AsyncConnection, from_user: int, to_user: int) -> None:
    """Move the chats to `to_user`, marked link-only: they never act with its roles."""
    await tx.execute(
        update(chat_identities)
        .where(chat_identities.c.user_id == from_user)
        .values(user_id=to_user, link_only=True)
    )


async def move_outbox(tx: AsyncConnection, from_user: int, to_user: int) -> None:
    await tx.execute(update(outbox).where(outbox.c.user_id == from_user).values(user_id=to_user))


async def set_last_identity(tx: AsyncConnection, user_id: int, identity_id: int) -> None:
    await tx.execute(
        update(users).where(users.c.id == user_id).values(last_identity_id=identity_id)
    )


async def clear_user(tx: AsyncConnection, user_id: int) -> None:
    """Leave a merged user with no person, no last identity and no roles."""
    await tx.execute(
        update(users).where(users.c.id == user_id).values(person_id=None, last_identity_id=None)
    )
    await tx.execute(delete(roles).where(roles.c.user_id == user_id))
