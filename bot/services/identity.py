"""Who is writing: chat users, their roles and scopes, invite codes, linking to the roster."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.inbound import Inbound
from bot.services.phone import normalize_phone
from bot.storage import identities as store
from bot.storage.conversations import ConversationRow

INVITE_TTL = timedelta(days=14)
LINK_ROLE = "link"  # an invite that links a chat user to one roster person
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


class Role(StrEnum):
    RESIDENT = "resident"
    TEAM_LEAD = "team_lead"
    VILLAGE_HEAD = "village_head"
    ADMIN = "admin"


@dataclass(frozen=True)
class Grant:
    role: Role
    village_id: int | None = None
    commune_id: int | None = None


@dataclass(frozen=True)
class Actor:
    """The user behind the message being handled, with what they may do."""

    user_id: int
    identity_id: int
    channel: str
    chat_id: str
    person_id: int | None
    locale: str | None
    grants: tuple[Grant, ...] = ()

    @property
    def roles(self) -> frozenset[Role]:
        """Everyone is a resident; an admin holds every role."""
        held = {grant.role for grant in self.grants} | {Role.RESIDENT}
        return frozenset(Role) if Role.ADMIN in held else frozenset(held)

    def has(self, *wanted: Role) -> bool:
        return bool(self.roles & set(wanted))

    @property
    def is_admin(self) -> bool:
        return any(grant.role is Role.ADMIN for grant in self.grants)

    def village_ids(self, role: Role = Role.VILLAGE_HEAD) -> frozenset[int]:
        """The villages this user holds `role` for."""
        return frozenset(
            g.village_id for g in self.grants if g.role is role and g.village_id is not None
        )

    def commune_ids(self, role: Role = Role.TEAM_LEAD) -> frozenset[int]:
        return frozenset(
            g.commune_id for g in self.grants if g.role is role and g.commune_id is not None
        )

    def admin_communes(self) -> frozenset[int] | None:
        """The communes this user's admin grants cover; None for the whole province.

        An admin grant with no place is province-wide; any other holds its commune.
        """
        grants = [g for g in self.grants if g.role is Role.ADMIN]
        if any(g.commune_id is None and g.village_id is None for g in grants):
            return None
        return self.commune_ids(Role.ADMIN)


TOUCH_EVERY = timedelta(minutes=10)


async def resolve(tx: AsyncConnection, inbound: Inbound, now: datetime) -> Actor:
    """The actor for this message; a first message creates the user.

    The identity is marked as seen (reachable again, the user's last-used channel) only when
    that changes something or the last mark is old, to spare a write on most messages.
    """
    return (await _resolve(tx, inbound, now, with_conversation=False))[0]


async def resolve_chat(
    tx: AsyncConnection, inbound: Inbound, now: datetime
) -> tuple[Actor, ConversationRow]:
    """The actor, as `resolve`, and its conversation, read in the same statement."""
    return await _resolve(tx, inbound, now, with_conversation=True)


async def _resolve(
    tx: AsyncConnection, inbound: Inbound, now: datetime, *, with_conversation: bool
) -> tuple[Actor, ConversationRow]:
    found = await store.find_actor(
        tx, inbound.channel, inbound.user_id, with_conversation=with_conversation
    )
    if found is None:
        user_id = await store.create_user(tx, now)
        identity_id = await store.create_identity(
            tx,
            user_id=user_id,
            channel=inbound.channel,
            external_id=inbound.user_id,
            chat_id=inbound.chat_id,
            display_name=inbound.display_name,
            now=now,
        )
        found = store.ActorRow(
            store.IdentityRow(identity_id, user_id, None, None),
            inbound.chat_id,
            now,
            True,
            False,
            (),
        )
    stale = (
        found.chat_id != inbound.chat_id
        or not found.reachable
        or not found.is_last_identity
        or now - found.last_seen_at >= TOUCH_EVERY
    )
    if stale:
        row = found.identity
        await store.touch_identity(tx, row.identity_id, row.user_id, inbound.chat_id, now)
    actor = _make_actor(found.identity, found.grants, inbound.channel, inbound.chat_id)
    return actor, found.conversation or ConversationRow()


def _make_actor(
    row: store.IdentityRow, grants: tuple[store.GrantRow, ...], channel: str, chat_id: str
) -> Actor:
    return Actor(
        user_id=row.user_id,
        identity_id=row.identity_id,
        channel=channel,
        chat_id=chat_id,
        person_id=row.person_id,
        locale=row.locale,
        grants=tuple(Grant(Role(g.role), g.village_id, g.commune_id) for g in grants),
    )


async def _actor(tx: AsyncConnection, row: store.IdentityRow, channel: str, chat_id: str) -> Actor:
    link_only = await store.is_link_only(tx, row.identity_id)
    grants = () if link_only else tuple(await store.grants_of(tx, row.user_id))
    return _make_actor(row, grants, channel, chat_id)


async def reload(tx: AsyncConnection, actor: Actor) -> Actor:
    """The same actor read again, after a role or a link changed."""
    row = await store.identity_by_id(tx, actor.identity_id)
    return await _actor(tx, row, actor.channel, actor.chat_id)


class UnknownVillage(ValueError):
    """An invite named a village that does not exist."""


async def locale_of(tx: AsyncConnection, channel: str, external_id: str) -> str | None:
    """The language a chat user chose, if any."""
    row = await store.find_identity(tx, channel, external_id)
    return row.locale if row else None


def new_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))


async def create_invite(
    tx: AsyncConnection,
    role: str,
    now: datetime,
    *,
    village_id: int | None = None,
    commune_id: int | None = None,
    person_id: int | None = None,
    created_by: int | None = None,
) -> str:
    """A one-time code for a role (or, with role "link", for linking to one person)."""
    if role != LINK_ROLE:
        Role(role)  # raises ValueError for an unknown role
    if role != LINK_ROLE:
        village_id, commune_id = await role_scope(tx, Role(role), village_id, commune_id)
    elif village_id is not None:
        commune_id = await store.village_commune(tx, village_id)
        if commune_id is None:
            raise UnknownVillage(village_id)
    code = new_code()
    await store.insert_invite(
        tx,
        code=code,
        role=role,
        village_id=village_id,
        commune_id=commune_id,
        person_id=person_id,
        created_by=created_by,
        now=now,
        expires_at=now + INVITE_TTL,
    )
    return code


class NeedsVillage(ValueError):
    """A village head's role names no village."""


class NeedsCommune(ValueError):
    """A commune-wide role names no commune while there are several."""


class UnknownCommune(ValueError):
    """A role named a commune that does not exist."""


async def role_scope(
    tx: AsyncConnection, role: Role, village_id: int | None, commune_id: int | None
) -> tuple[int | None, int | None]:
    """Where a role applies: a village head's village; a team lead's or admin's commune.

    A team lead or admin given no place holds the whole commune: the only one when there is
    one (none yet: no place at all); with several, the caller must say which.
    """
    from bot.storage import places

    if village_id is not None:
        commune_id = await store.village_commune(tx, village_id)
        if commune_id is None:
            raise UnknownVillage(village_id)
        return village_id, commune_id
    if role is Role.VILLAGE_HEAD:
        raise NeedsVillage(role)
    if role is Role.RESIDENT:
        return None, commune_id
    communes = [c.id for c in await places.all_communes(tx)]
    if commune_id is not None:
        if commune_id not in communes:
            raise UnknownCommune(commune_id)
        return None, commune_id
    if len(communes) > 1:
        raise NeedsCommune(role)
    return None, communes[0] if communes else None


class InviteError(StrEnum):
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    TAKEN = "taken"  # the person is already linked to another chat user


@dataclass(frozen=True)
class Redeemed:
    role: str
    village_id: int | None
    person_id: int | None
    commune_id: int | None = None


async def redeem_invite(
    tx: AsyncConnection, actor: Actor, code: str, now: datetime
) -> Redeemed | InviteError:
    """Use a one-time code: grant its role or link its person. A used code changes nothing."""
    invite = await store.find_invite(tx, code.strip().upper())
    if invite is None:
        return InviteError.UNKNOWN
    if invite.used_at is not None:
        return InviteError.USED
    if invite.expires_at <= now:
        return InviteError.EXPIRED
    if invite.person_id is not None:
        owner = await store.user_of_person(tx, invite.person_id)
        if owner is not None and owner != actor.user_id:
            return InviteError.TAKEN
    if not await store.use_invite(tx, invite.code, actor.user_id, now):
        return InviteError.USED
    if invite.person_id is not None:
        await store.set_person(tx, actor.user_id, invite.person_id)
    if invite.role != LINK_ROLE:
        await store.add_grant(
            tx,
            actor.user_id,
            invite.role,
            invite.village_id,
            invite.commune_id,
            now,
            granted_by=invite.created_by,
        )
        await store.allow_roles(tx, actor.identity_id)  # a role given to this very chat
    return Redeemed(invite.role, invite.village_id, invite.person_id, invite.commune_id)


async def grant(
    tx: AsyncConnection,
    user_id: int,
    role: Role,
    now: datetime,
    *,
    village_id: int | None = None,
    commune_id: int | None = None,
    granted_by: int | None = None,
    province: bool = False,
) -> None:
    """Give `role` where it applies; `province` makes an admin's grant cover every commune."""
    if province and role is Role.ADMIN:
        village_id = commune_id = None
    else:
        village_id, commune_id = await role_scope(tx, role, village_id, commune_id)
    await store.add_grant(
        tx, user_id, role.value, village_id, commune_id, now, granted_by=granted_by
    )


class LinkError(StrEnum):
    NOT_OWN = "not_own"
    BAD_PHONE = "bad_phone"
    NOT_FOUND = "not_found"
    TAKEN = "taken"


async def link_by_phone(
    tx: AsyncConnection, actor: Actor, phone: str, is_own: bool
) -> list[store.PersonBrief] | LinkError:
    """Link the user to the roster person with this phone.

    Returns the person linked (one), or the candidates to choose from when a household
    shares one number, or why it cannot link. Someone else's contact is refused.
    """
    if not is_own:
        return LinkError.NOT_OWN
    normalized = normalize_phone(phone)
    if normalized is None:
        return LinkError.BAD_PHONE
    people = await store.persons_with_phone(tx, normalized)
    free = [
        p for p in people if await store.user_of_person(tx, p.person_id) in (None, actor.user_id)
    ]
    if not people:
        return LinkError.NOT_FOUND
    if not free:
        return LinkError.TAKEN
    if len(free) == 1:
        await store.set_person(tx, actor.user_id, free[0].person_id)
    return free


PersonBrief = store.PersonBrief


def _born_fits(held: tuple[date | None, int | None], born: date | None, year: int | None) -> bool:
    held_date, held_year = held
    if born is not None:
        return held_date == born or (held_date is None and held_year == born.year)
    if year is not None:
        return year in (held_year, held_date.year if held_date else None)
    return False


async def link_by_typing(
    tx: AsyncConnection, actor: Actor, phone: str, born: date | None, year: int | None
) -> list[store.PersonBrief] | LinkError:
    """Link by a typed phone and birth date (or year), for chats that cannot share a contact.

    Both must match one roster person. A phone that is not on the roster and a birth date
    that does not match give the same NOT_FOUND, so a reply never tells whether a phone is
    there; the caller counts wrong tries.
    """
    normalized = normalize_phone(phone)
    if normalized is None:
        return LinkError.BAD_PHONE
    people = await store.persons_with_phone(tx, normalized)
    births = await store.births_of(tx, [p.person_id for p in people])
    fitting = [p for p in people if _born_fits(births.get(p.person_id, (None, None)), born, year)]
    if not fitting:
        return LinkError.NOT_FOUND
    free = [
        p for p in fitting if await store.user_of_person(tx, p.person_id) in (None, actor.user_id)
    ]
    if not free:
        return LinkError.TAKEN
    if len(free) == 1:
        await store.set_person(tx, actor.user_id, free[0].person_id)
    return free


async def link_person(tx: AsyncConnection, actor: Actor, person_id: int, phone: str) -> bool:
    """Link to a candidate `link_by_phone` offered (checked again: the phone must match)."""
    normalized = normalize_phone(phone)
    people = await store.persons_with_phone(tx, normalized or "")
    if person_id not in {p.person_id for p in people}:
        return False
    if await store.user_of_person(tx, person_id) not in (None, actor.user_id):
        return False
    await store.set_person(tx, actor.user_id, person_id)
    return True


async def set_locale(tx: AsyncConnection, actor: Actor, locale: str) -> None:
    await store.set_locale(tx, actor.user_id, locale)
