"""The delivery report: sent, failed, blocked, and who to visit on foot, by household."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.clock import Clock
from bot.core.i18n import format_datetime, format_number, use_locale
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.services import outbox as outbox_service
from bot.services.access import is_province_admin, visible_villages
from bot.services.broadcast.audience import Audience
from bot.services.broadcast.replies import reply_line
from bot.services.identity import Actor
from bot.services.phone import mask_phone
from bot.services.privacy.safe_files import csv_bytes
from bot.storage import broadcast as store
from bot.storage import identities
from bot.storage.db import Database

logger = logging.getLogger(__name__)

FILE_ACTION = "broadcast.file"
SUMMARY_HOUSEHOLDS = 20  # households listed in the text report; the file has them all
SCAN_PAGE = 200  # notices read at a time when looking for the ones an actor may see
SCAN_LIMIT = 5000  # the most notices looked through for them


@dataclass(frozen=True)
class Status:
    """Where a broadcast stands: the outbox counts, the replies, the people without chat."""

    broadcast: store.BroadcastRow
    people: int
    without_chat: int
    outbox: dict[str, int]
    replies: dict[str, int]

    def count(self, status: str) -> int:
        return self.outbox.get(status, 0)

    @property
    def waiting(self) -> int:
        return self.count("pending") + self.count("sending")


def audience_of(broadcast: store.BroadcastRow) -> Audience | None:
    """The stored audience, or None if the row no longer loads."""
    try:
        return Audience.model_validate(broadcast.audience)
    except ValidationError:
        logger.warning("broadcast audience does not load: id=%s", broadcast.id)
        return None


async def may_see(tx: AsyncConnection, actor: Actor, broadcast: store.BroadcastRow) -> bool:
    """The author, a province admin, or staff (a commune admin too) of one of its villages."""
    if broadcast.author_user_id == actor.user_id or is_province_admin(actor):
        return True
    return _reaches(broadcast, await visible_villages(tx, actor))


def _reaches(broadcast: store.BroadcastRow, villages: frozenset[int]) -> bool:
    audience = audience_of(broadcast)
    return audience is not None and bool(set(audience.village_ids) & villages)


async def visible_recent(tx: AsyncConnection, actor: Actor, limit: int = 6) -> list[Status]:
    """The latest broadcasts this actor wrote or whose villages they look after.

    On a province database most notices are other communes': the search pages back through
    up to SCAN_LIMIT of them, not only the latest page.
    """
    everything = is_province_admin(actor)
    villages = frozenset() if everything else await visible_villages(tx, actor)
    out: list[Status] = []
    before: int | None = None
    for _page in range(SCAN_LIMIT // SCAN_PAGE):
        page = await store.recent(tx, SCAN_PAGE, before)
        for broadcast in page:
            if (
                everything
                or broadcast.author_user_id == actor.user_id
                or _reaches(broadcast, villages)
            ):
                out.append(await status(tx, broadcast))
                if len(out) >= limit:
                    return out
        if len(page) < SCAN_PAGE:
            break
        before = page[-1].id
    return out


async def status(tx: AsyncConnection, broadcast: store.BroadcastRow) -> Status:
    people, without_chat = await store.recipient_counts(tx, broadcast.id)
    return Status(
        broadcast,
        people,
        without_chat,
        await store.outbox_counts(tx, broadcast.id),
        await store.reply_counts(tx, broadcast.id),
    )


async def find_visible(
    tx: AsyncConnection, actor: Actor, broadcast_id: int
) -> store.BroadcastRow | None:
    broadcast = await store.find(tx, broadcast_id)
    if broadcast is None or not await may_see(tx, actor, broadcast):
        return None
    return broadcast


async def finish_due(tx: AsyncConnection, now: datetime, default_locale: str = "vi") -> list[int]:
    """Close the broadcasts with nothing left to send and queue each author's report."""
    await store.start_due(tx, now)
    finished: list[int] = []
    for broadcast_id in await store.settled(tx, now):
        if not await store.finish(tx, broadcast_id, "done", now):
            continue
        broadcast = await store.find(tx, broadcast_id)
        assert broadcast is not None
        await _send_report(tx, broadcast, now, default_locale)
        finished.append(broadcast_id)
    return finished


async def _send_report(
    tx: AsyncConnection, broadcast: store.BroadcastRow, now: datetime, default_locale: str
) -> None:
    audience = audience_of(broadcast)
    rows = await store.not_reached(tx, broadcast.id, audience.village_ids if audience else [])
    current = await status(tx, broadcast)
    locale = await identities.user_locale(tx, broadcast.author_user_id) or default_locale
    with use_locale(locale):
        text = report_text(current, rows)
        choices = [Choice(_("Download the list (CSV)"), FILE_ACTION, str(broadcast.id))]
    await outbox_service.enqueue(
        tx,
        user_id=broadcast.author_user_id,
        key=f"broadcast:{broadcast.id}:report",
        text=text,
        now=now,
        choices=choices if rows else [],
    )
    logger.info("broadcast done: id=%s not_reached=%s", broadcast.id, len(rows))


def status_text(current: Status) -> str:
    """Counts of one broadcast, in the current language."""
    b = current.broadcast
    n = format_number
    lines = [
        _("Notice of {when} ({status}):").format(
            when=format_datetime(b.created_at, "short"), status=status_name(b)
        ),
        _("Audience: {people} people, {without} of them without a chat.").format(
            people=n(current.people), without=n(current.without_chat)
        ),
        _("Sent: {sent}. Failed: {failed}. Blocked the bot: {blocked}.").format(
            sent=n(current.count("sent")),
            failed=n(current.count("failed")),
            blocked=n(current.count("blocked")),
        ),
    ]
    if current.waiting:
        lines.append(
            _("Still to send: {waiting} (from {when}).").format(
                waiting=n(current.waiting), when=format_datetime(b.scheduled_at, "short")
            )
        )
    if b.with_replies:
        lines.append(_("Replies: {line}.").format(line=reply_line(current.replies)))
    return "\n".join(lines)


def status_name(broadcast: store.BroadcastRow) -> str:
    names = {
        "scheduled": _("scheduled"),
        "sending": _("sending"),
        "done": _("done"),
        "cancelled": _("cancelled"),
    }
    return names.get(broadcast.status, broadcast.status)


def _households(rows: Sequence[store.NotReachedRow]) -> list[list[store.NotReachedRow]]:
    groups: dict[tuple[str, str], list[store.NotReachedRow]] = {}
    for row in rows:
        groups.setdefault((row.village, row.household_code), []).append(row)
    return list(groups.values())


def report_text(current: Status, rows: Sequence[store.NotReachedRow]) -> str:
    """The report for the author: counts, then who to visit on foot, by household."""
    households = _households(rows)
    lines = [_("Delivery report."), status_text(current)]
    if not households:
        lines.append(_("Everyone in the audience was reached in the chat."))
        return "\n".join(lines)
    lines.append(
        _("Not reached in the chat: {people} people in {households} households:").format(
            people=format_number(len(rows)), households=format_number(len(households))
        )
    )
    for members in households[:SUMMARY_HOUSEHOLDS]:
        first = members[0]
        names = ", ".join(_person_brief(m) for m in members)
        lines.append(f"• {first.village}, {first.household_code} ({first.address}): {names}")
    if len(households) > SUMMARY_HOUSEHOLDS:
        lines.append(
            _("…and {more} more households: see the file.").format(
                more=format_number(len(households) - SUMMARY_HOUSEHOLDS)
            )
        )
    return "\n".join(lines)


def _person_brief(row: store.NotReachedRow) -> str:
    extras = [str(row.birth_year)] if row.birth_year else []
    if row.phone:
        extras.append(mask_phone(row.phone))
    return f"{row.full_name} ({', '.join(extras)})" if extras else row.full_name


def _reason(row: store.NotReachedRow) -> str:
    if row.outbox_status == "blocked":
        return _("blocked the bot")
    if row.outbox_status == "failed":
        return _("sending failed")
    return _("no chat")


def report_csv(rows: Sequence[store.NotReachedRow]) -> bytes:
    """The people not reached, one a line, for the village head to visit (UTF-8 with BOM)."""
    header = [
        _("Village"),
        _("Household code"),
        _("Address"),
        _("Full name"),
        _("Year of birth"),
        _("Phone"),
        _("Why not reached"),
    ]
    return csv_bytes(
        header,
        (
            [
                row.village,
                row.household_code,
                row.address,
                row.full_name,
                row.birth_year or "",
                mask_phone(row.phone),
                _reason(row),
            ]
            for row in rows
        ),
    )


async def not_reached_for(
    tx: AsyncConnection, actor: Actor, broadcast: store.BroadcastRow
) -> list[store.NotReachedRow]:
    """The not-reached list, limited to the villages this actor may see."""
    audience = audience_of(broadcast)
    if audience is None:
        return []
    allowed = set(audience.village_ids)
    if not (broadcast.author_user_id == actor.user_id or is_province_admin(actor)):
        allowed &= await visible_villages(tx, actor)
    rows = await store.not_reached(tx, broadcast.id, allowed)
    logger.info(
        "broadcast list exported: id=%s by=%s rows=%s", broadcast.id, actor.user_id, len(rows)
    )
    return rows


class ReportWatcher:
    """A runtime component: every `interval` seconds, close finished broadcasts (their report)."""

    def __init__(
        self, db: Database, clock: Clock, interval: float = 30.0, default_locale: str = "vi"
    ) -> None:
        self.db = db
        self.clock = clock
        self.interval = interval
        self.default_locale = default_locale
        self._task: asyncio.Task[None] | None = None

    async def check(self) -> list[int]:
        """One pass; a read first, so an idle bot does not take the write lock."""
        async with self.db.read() as tx:
            if not await store.settled(tx, self.clock.now()):
                return []
        async with self.db.write() as tx:
            return await finish_due(tx, self.clock.now(), self.default_locale)

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:
                logger.exception("broadcast report check failed")
            await asyncio.sleep(self.interval)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="broadcast-reports")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
