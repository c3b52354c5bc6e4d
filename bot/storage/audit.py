"""The SQL of the audit trail: logged events, and every grant, revocation and export, merged."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import roles
from bot.storage.tables.privacy import audit_events, role_history
from bot.storage.tables.roster import roster_exports


async def add_event(
    tx: AsyncConnection,
    *,
    at: datetime,
    actor_user_id: int | None,
    action: str,
    subject: str = "",
    detail: str = "",
) -> None:
    await tx.execute(
        insert(audit_events).values(
            at=at,
            actor_user_id=actor_user_id,
            action=action,
            subject=subject[:120],
            detail=detail[:200],
        )
    )


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    action: str  # grant | revoke | export | download | forget | forget_request | reveal ...
    actor_user_id: int | None
    subject: str
    detail: str


async def audit(tx: AsyncConnection, limit: int = 200) -> list[AuditRow]:
    """Grants, revocations, exports and the logged events, newest first."""
    found: list[AuditRow] = []
    for row in await tx.execute(
        select(
            roles.c.granted_at,
            roles.c.granted_by,
            roles.c.user_id,
            roles.c.role,
            roles.c.village_id,
            roles.c.commune_id,
        )
    ):
        found.append(
            AuditRow(row[0], "grant", row[1], f"user:{row[2]}", _scope(row[3], row[4], row[5]))
        )
    for row in await tx.execute(
        select(
            role_history.c.revoked_at,
            role_history.c.revoked_by,
            role_history.c.user_id,
            role_history.c.role,
            role_history.c.village_id,
            role_history.c.commune_id,
            role_history.c.granted_by,
            role_history.c.granted_at,
            role_history.c.reason,
        )
    ):
        scope = _scope(row[3], row[4], row[5])
        found.append(AuditRow(row[7], "grant", row[6], f"user:{row[2]}", scope))  # taken back
        found.append(AuditRow(row[0], "revoke", row[1], f"user:{row[2]}", f"{scope} {row[8]}"))
    for row in await tx.execute(
        select(
            roster_exports.c.created_at,
            roster_exports.c.user_id,
            roster_exports.c.village_ids,
            roster_exports.c.subset,
            roster_exports.c.format,
            roster_exports.c.rows,
        )
    ):
        villages = ",".join(str(v) for v in row[2])
        found.append(
            AuditRow(
                row[0], "export", row[1], f"villages:{villages}", f"{row[3]} {row[4]} {row[5]}"
            )
        )
    for row in await tx.execute(
        select(
            audit_events.c.at,
            audit_events.c.action,
            audit_events.c.actor_user_id,
            audit_events.c.subject,
            audit_events.c.detail,
        )
    ):
        found.append(AuditRow(row[0], row[1], row[2], row[3], row[4]))
    found.sort(key=lambda r: r.at, reverse=True)
    return found[:limit]


def _scope(role: str, village_id: int | None, commune_id: int | None) -> str:
    if village_id is not None:
        return f"{role} village:{village_id}"
    if commune_id is not None:
        return f"{role} commune:{commune_id}"
    return role


async def event_times(
    tx: AsyncConnection, action: str, subject: str, since: datetime
) -> list[datetime]:
    """When these events happened since `since`, oldest first."""
    rows = await tx.execute(
        select(audit_events.c.at)
        .where(
            audit_events.c.action == action,
            audit_events.c.subject == subject,
            audit_events.c.at >= since,
        )
        .order_by(audit_events.c.at)
    )
    return [row[0] for row in rows]
