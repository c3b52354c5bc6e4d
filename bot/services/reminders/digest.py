"""The team leads' morning digest: per village, who comes back to shore today still missing."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import to_local, use_locale
from bot.services import outbox
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.services.reminders import texts
from bot.services.reminders.policy import Policy, default_policy
from bot.storage import reminders as store

logger = logging.getLogger(__name__)


async def send_digests(tx: AsyncConnection, now: datetime, policy: Policy | None = None) -> int:
    """Queue today's digest for every team lead with someone to report; returns how many."""
    policy = policy or default_policy()
    today = to_local(now).date()
    queued = 0
    for user_id, commune_id, locale in await store.team_leads(tx):
        arrivals = await store.arrivals_missing(tx, today, commune_id=commune_id)
        if not arrivals:
            continue
        with use_locale(locale or "vi"):
            text = texts.digest(today, arrivals)
        queued += await outbox.enqueue(
            tx,
            user_id=user_id,
            key=f"digest:{user_id}:{commune_id}:{today.isoformat()}",
            text=text,
            now=now,
            not_before=policy.out_of_quiet(now),
        )
    logger.info("digests queued: %s", queued)
    return queued


async def arrivals_today(tx: AsyncConnection, actor: Actor, now: datetime) -> str:
    """The digest on demand, for the villages this actor looks after (empty if nobody)."""
    today = to_local(now).date()
    village_ids = sorted(await visible_villages(tx, actor))
    arrivals = await store.arrivals_missing(tx, today, village_ids=village_ids)
    return texts.digest(today, arrivals) if arrivals else ""
