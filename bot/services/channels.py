"""One person on two chat apps: a one-time code made on one app links the other to the same user.

The chat that types the code joins the user who asked for it, with its language and queued
messages. The code links a chat to a person and never carries roles: the joined chat is marked
link-only and acts without the user's roles (a team lead's leaked code used to make a
stranger's Zalo chat a team lead); a role needs its own invite on that chat. A chat that holds
roles or a roster link the other app lacks is refused (the person makes the code on it instead).
Messages the bot starts then go to whichever app the person used last
(users.last_identity_id, kept by every incoming message).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.identity import Actor, new_code
from bot.storage import identities
from bot.storage import link_codes as store

logger = logging.getLogger(__name__)

LINK_CODE_TTL = timedelta(hours=1)


class JoinError(StrEnum):
    USED = "used"
    EXPIRED = "expired"
    SAME_USER = "same_user"  # typed on the app that made it, or already linked
    HOLDS_MORE = "holds_more"  # this chat has roles or a roster link the code's user lacks


async def new_link_code(tx: AsyncConnection, actor: Actor, now: datetime) -> str:
    """A code, valid once for an hour, that links another app to this user."""
    code = new_code()
    await store.replace_code(tx, actor.user_id, code, now, now + LINK_CODE_TTL)
    return code


async def is_link_code(tx: AsyncConnection, code: str) -> bool:
    return await store.find_code(tx, _clean(code)) is not None


async def join(tx: AsyncConnection, actor: Actor, code: str, now: datetime) -> int | JoinError:
    """Move the actor's chats to the code's user and return its id, or say why not.

    The caller checked `is_link_code` first. A refused code changes nothing.
    """
    row = await store.find_code(tx, _clean(code))
    if row is None or row.used_at is not None:
        return JoinError.USED
    if row.expires_at <= now:
        return JoinError.EXPIRED
    if row.user_id == actor.user_id:
        return JoinError.SAME_USER
    source = await store.user_brief(tx, actor.user_id)
    target = await store.user_brief(tx, row.user_id)
    if await _holds_more(tx, source, target):
        return JoinError.HOLDS_MORE
    if not await store.use_code(tx, row.code, actor.identity_id, now):
        return JoinError.USED
    await store.clear_user(tx, source.user_id)
    await store.move_identities(tx, source.user_id, target.user_id)
    await store.move_outbox(tx, source.user_id, target.user_id)
    if source.locale and not target.locale:
        await identities.set_locale(tx, target.user_id, source.locale)
    await store.set_last_identity(tx, target.user_id, actor.identity_id)
    logger.info(
        "chat linked: identity=%s user=%s->%s", actor.identity_id, source.user_id, row.user_id
    )
    return target.user_id


async def _holds_more(
    tx: AsyncConnection, source: store.UserBrief, target: store.UserBrief
) -> bool:
    """True if the joining chat's user has a roster link or a role the code's user lacks."""
    if source.person_id is not None:  # one person per user: the target cannot hold it too
        return True
    held = set(await identities.grants_of(tx, target.user_id))
    return any(grant not in held for grant in await identities.grants_of(tx, source.user_id))


def _clean(code: str) -> str:
    return code.strip().upper()[:16]
