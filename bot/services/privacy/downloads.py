"""Each download of a file link logged with who got the link (the audit trail)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.core.clock import Clock
from bot.storage import audit as store
from bot.storage import identities
from bot.storage.db import Database

if TYPE_CHECKING:
    from bot.media import OnDownload, _Item

logger = logging.getLogger(__name__)


def download_logger(db: Database, clock: Clock) -> OnDownload:
    """The MediaStore callback: one audit event per file served, with the chat's user."""

    async def log(item: _Item) -> None:
        channel, _, chat_id = item.recipient.partition(":")
        async with db.write() as tx:
            found = await identities.find_identity(tx, channel, chat_id) if chat_id else None
            await store.add_event(
                tx,
                at=clock.now(),
                actor_user_id=found.user_id if found else None,
                action="download",
                subject=f"file:{item.attachment.filename}",
                detail=item.recipient,
            )
        logger.info("file downloaded: user=%s", found.user_id if found else None)

    return log
