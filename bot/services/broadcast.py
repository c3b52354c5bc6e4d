"""Broadcasts: audiences within the author's villages, sending through the outbox, replies, report.

A broadcast is written once (`create`): the audience is snapshotted and every recipient with
a chat gets one outbox row (key "broadcast:<id>:<user>", `not_before` = the scheduled time),
all in the caller's transaction, so the sender delivers each at most once and resumes after
a crash. The report goes out when no row of the broadcast is waiting any more: `finish_due`
finds those; `ReportWatcher` calls it every half minute and `/broadcast_status` calls it too.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.clock import Clock
from bot.core.dispatcher import new_choice_key
from bot.core.i18n import LOCAL_TZ, format_datetime, format_number, to_local, use_locale
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.text import fold
from bot.services import outbox as outbox_service
from bot.services.access import visible_villages
from bot.services.booking import Service as BookingService
from bot.services.booking import reservations as booking_reservations
from bot.services.booking import sessions as booking_sessions
from bot.services.booking import texts as booking_texts
from bot.services.identity import Actor
from bot.services.phone import mask_phone
from bot.services.quiet_hours import QuietHours
from bot.storage import broadcast as store
from bot.storage import conversations, places
from bot.storage import outbox as outbox_store
from bot.storage.conversations import StoredChoice
from bot.storage.db import Database

if TYPE_CHECKING:
    from bot.runtime import Part, Runtime

logger = logging.getLogger(__name__)

BroadcastRow = store.BroadcastRow
NotReachedRow = store.NotReachedRow

REPLY_NOTICE_EVERY = 10  # tell the author the running counts at most once per this many replies
SUMMARY_HOUSEHOLDS = 20  # households listed in the text report; the file has them all
REPLY_ACTION = "broadcast.reply"
FILE_ACTION = "broadcast.file"
MAX_AHEAD = timedelta(days=60)  # how far ahead a notice may be scheduled
MAX_RANGE = timedelta(days=62)  # the longest "coming in between" window


class AudienceKind(StrEnum):
    ALL = "all"  # everyone on the roster of the villages (not moved, not exempt)
    MISSING = "missing"  # still without an ID card or without level 2
    RETURNING = "returning"  # fishermen coming in between two dates


class Answer(StrEnum):
    COMING = "coming"
    CANNOT = "cannot"


class Audience(BaseModel):
    """Who a broadcast is for; stored with it as JSON."""

    village_ids: list[int]
    kind: AudienceKind
    date_from: date | None = None
    date_to: date | None = None


class OutOfScope(PermissionError):
    """The audience names a village the author may not reach."""


@dataclass(frozen=True)
class Preview:
    people: int
    with_chat: int
    households_without_chat: int

    @property
    def without_chat(self) -> int:
        return self.people - self.with_chat


@dataclass(frozen=True)
class Created:
    broadcast_id: int
    people: int
    queued: int


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


class WhenError(StrEnum):
    BAD = "bad"
    PAST = "past"
    TOO_FAR = "too_far"


_TIME = re.compile(r"\b(\d{1,2})\s*(?:h|g|gio|:)\s*(\d{2})?(?!\d)")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b")
_AFTERNOON = ("chieu", "toi", "pm")


def _date_from(match: re.Match[str], today: date) -> date | None:
    """A typed day: "5/12" (this year, or next if that was long ago) or "5/12/2027"."""
    day, month, year = int(match[1]), int(match[2]), match[3]
    full_year = (2000 + int(year) if len(year) == 2 else int(year)) if year else today.year
    try:
        found = date(full_year, month, day)
    except ValueError:
        return None
    if not year and found < today - timedelta(days=180):
        found = found.replace(year=today.year + 1)
    return found


def parse_when(text: str, now: datetime) -> datetime | WhenError:
    """When to send: "17h", "18:30 5/12", "mai 7h30", "7h toi"; returned in UTC."""
    folded = fold(text)
    found = _TIME.search(folded)
    if found is None:
        return WhenError.BAD
    hour, minute = int(found[1]), int(found[2] or 0)
    rest = f"{folded[: found.start()]} {folded[found.end() :]}"
    if hour < 12 and any(word in rest.split() for word in _AFTERNOON):
        hour += 12
    if hour > 23 or minute > 59:
        return WhenError.BAD
    local = to_local(now)
    typed_day = _DATE.search(rest)
    if typed_day is not None:
        day = _date_from(typed_day, local.date())
        if day is None:
            return WhenError.BAD
    elif "ngay kia" in rest:
        day = local.date() + timedelta(days=2)
    elif "mai" in rest.split():
        day = local.date() + timedelta(days=1)
    else:
        day = local.date()
    moment = datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ)
    if typed_day is None and moment <= local and "nay" not in rest.split():
        moment += timedelta(days=1)  # "17h" said after five means tomorrow
    if moment <= local:
        return WhenError.PAST
    if moment - local > MAX_AHEAD:
        return WhenError.TOO_FAR
    return moment.astimezone(UTC)


class RangeError(StrEnum):
    BAD = "bad"
    PAST = "past"
    TOO_LONG = "too_long"


def parse_range(text: str, today: date) -> tuple[date, date] | RangeError:
    """Two days ("3/12 - 10/12", "tu 3/12 den 10/12") or one; in order."""
    days = [_date_from(m, today) for m in _DATE.finditer(fold(text))]
    if not days or len(days) > 2 or None in days:
        return RangeError.BAD
    first, last = min(days), max(days)  # type: ignore[type-var]
    assert first is not None and last is not None
    if last < today:
        return RangeError.PAST
    if last - first > MAX_RANGE:
        return RangeError.TOO_LONG
    return first, last


def out_of_quiet_hours(moment: datetime, start: time, end: time) -> tuple[datetime, bool]:
    """`moment`, or the end of the quiet hours if it falls inside them; and whether it moved."""
    allowed = QuietHours(start, end).next_allowed(moment)
    return allowed, allowed != moment


async def villages_for(tx: AsyncConnection, actor: Actor) -> list[places.Village]:
    """The villages this actor may send a notice to."""
    allowed = await visible_villages(tx, actor)
    return [v for v in await places.all_villages(tx) if v.id in allowed]


async def village_names(tx: AsyncConnection, village_ids: Sequence[int]) -> list[str]:
    names = await store.village_names(tx, village_ids)
    return [names[v] for v in village_ids if v in names]


async def sessions_to_announce(
    tx: AsyncConnection, village_id: int, now: datetime, limit: int = 5
) -> list[tuple[int, str]]:
    """(id, "place · time") of the open booking sessions nearest to `village_id`."""
    found = await booking_sessions.sessions_for_resident(
        tx, village_id=village_id, now=now, limit=limit
    )
    return [(s.id, _session_label(s.point_name, s.address, s.starts_at, s.ends_at)) for s in found]


def _session_label(name: str, address: str, starts_at: datetime, ends_at: datetime) -> str:
    return f"{booking_texts.where(name, address)} · {booking_texts.when(starts_at, ends_at)}"


async def session_text(tx: AsyncConnection, session_id: int, now: datetime) -> str | None:
    """A notice announcing an open session (place and time filled in), or None."""
    found = await booking_reservations.session_info(tx, session_id, now)
    if found is None or found.status != "open" or found.ends_at <= now:
        return None
    return "\n".join(
        [
            _(
                "The commune's Project 06 team takes applications for the chip ID card and "
                "registers level 2 electronic identification accounts:"
            ),
            _("Where: {where}").format(where=booking_texts.where(found.point_name, found.address)),
            _("When: {when}").format(when=booking_texts.when(found.starts_at, found.ends_at)),
            _("Book a time slot in this chat (menu) so you do not have to wait."),
            booking_texts.what_to_bring(BookingService.BOTH),
        ]
    )


async def _check_scope(tx: AsyncConnection, actor: Actor, audience: Audience) -> None:
    allowed = await visible_villages(tx, actor)
    if not audience.village_ids or not set(audience.village_ids) <= allowed:
        raise OutOfScope(audience.village_ids)


async def _rows(tx: AsyncConnection, audience: Audience) -> list[store.AudienceRow]:
    return await store.audience(
        tx,
        village_ids=audience.village_ids,
        kind=audience.kind,
        date_from=audience.date_from,
        date_to=audience.date_to,
    )


async def preview(tx: AsyncConnection, actor: Actor, audience: Audience) -> Preview:
    """How many people the audience holds, and how many of them the chat can reach."""
    await _check_scope(tx, actor, audience)
    rows = await _rows(tx, audience)
    with_chat = sum(1 for row in rows if row.has_chat)
    households = {row.household_id for row in rows if not row.has_chat}
    return Preview(len(rows), with_chat, len(households))


async def create(
    tx: AsyncConnection,
    actor: Actor,
    *,
    audience: Audience,
    text: str,
    with_replies: bool,
    scheduled_at: datetime,
    now: datetime,
    session_id: int | None = None,
    default_locale: str = "vi",
) -> Created:
    """Store the broadcast and queue one message per recipient with a chat."""
    await _check_scope(tx, actor, audience)
    rows = await _rows(tx, audience)
    broadcast_id = await store.insert_broadcast(
        tx,
        {
            "author_user_id": actor.user_id,
            "text": text,
            "audience": audience.model_dump(mode="json"),
            "session_id": session_id,
            "with_replies": with_replies,
            "status": "scheduled" if scheduled_at > now else "sending",
            "scheduled_at": scheduled_at,
            "created_at": now,
        },
    )
    await store.insert_recipients(
        tx,
        [
            {
                "broadcast_id": broadcast_id,
                "person_id": row.person_id,
                "household_id": row.household_id,
                "user_id": row.user_id,
                "has_chat": row.has_chat,
            }
            for row in rows
        ],
    )
    queued = await _enqueue_all(
        tx, broadcast_id, rows, text, with_replies, scheduled_at, now, default_locale
    )
    logger.info(
        "broadcast created: id=%s author=%s people=%s queued=%s",
        broadcast_id,
        actor.user_id,
        len(rows),
        queued,
    )
    return Created(broadcast_id, len(rows), queued)


def _dressing(locale: str, broadcast_id: int) -> tuple[str, list[tuple[str, str]]]:
    """The header and the reply-button (label, value) pairs in one language."""
    with use_locale(locale):
        header = _("📢 Notice from the commune's Project 06 team")
        buttons = [
            (_("I will come"), f"{broadcast_id}:{Answer.COMING}"),
            (_("I cannot come"), f"{broadcast_id}:{Answer.CANNOT}"),
        ]
    return header, buttons


async def _enqueue_all(
    tx: AsyncConnection,
    broadcast_id: int,
    rows: Sequence[store.AudienceRow],
    text: str,
    with_replies: bool,
    scheduled_at: datetime,
    now: datetime,
    default_locale: str,
) -> int:
    """One outbox row per recipient with a chat, in bulk (bot.services.outbox does one)."""
    messages: list[dict[str, Any]] = []
    keyed: list[StoredChoice] = []
    dressing: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    for row in rows:
        if not row.has_chat or row.user_id is None:
            continue
        locale = row.locale or default_locale
        if locale not in dressing:
            dressing[locale] = _dressing(locale, broadcast_id)
        header, buttons = dressing[locale]
        recipient = outbox_store.Recipient(
            row.user_id, row.identity_id or 0, row.channel or "", row.chat_id or "", True
        )
        choices = (
            [
                StoredChoice(new_choice_key(), recipient.identity_id, REPLY_ACTION, value, label)
                for label, value in buttons
            ]
            if with_replies
            else []
        )
        keyed += choices
        messages.append(
            outbox_store.message_row(
                key=f"broadcast:{broadcast_id}:{row.user_id}",
                recipient=recipient,
                text=f"{header}\n\n{text}",
                now=now,
                not_before=scheduled_at,
                choices=[[c.label, c.key] for c in choices],
                broadcast_id=broadcast_id,
            )
        )
    queued = await outbox_store.insert_messages(tx, messages)
    await conversations.add_choices(tx, keyed, now)
    return queued


class ReplyOutcome(StrEnum):
    SAVED = "saved"
    CHANGED = "changed"
    SAME = "same"
    NOT_RECIPIENT = "not_recipient"
    CLOSED = "closed"


async def record_reply(
    tx: AsyncConnection,
    *,
    user_id: int,
    value: str,
    now: datetime,
    every: int | None = None,
    default_locale: str = "vi",
) -> ReplyOutcome:
    """Keep a recipient's answer (the last one counts) and, now and then, tell the author."""
    head, _sep, word = value.partition(":")
    if not head.isdigit() or word not in set(Answer):
        return ReplyOutcome.NOT_RECIPIENT
    broadcast_id = int(head)
    broadcast = await store.find(tx, broadcast_id)
    if broadcast is None or not await store.is_recipient(tx, broadcast_id, user_id):
        return ReplyOutcome.NOT_RECIPIENT
    if broadcast.status == "cancelled":
        return ReplyOutcome.CLOSED
    before = await store.reply_of(tx, broadcast_id, user_id)
    if before == word:
        return ReplyOutcome.SAME
    await store.save_reply(tx, broadcast_id, user_id, word, now)
    if before is not None:
        return ReplyOutcome.CHANGED
    await _maybe_tell_counts(tx, broadcast, now, every or REPLY_NOTICE_EVERY, default_locale)
    return ReplyOutcome.SAVED


async def _maybe_tell_counts(
    tx: AsyncConnection,
    broadcast: store.BroadcastRow,
    now: datetime,
    every: int,
    default_locale: str,
) -> None:
    counts = await store.reply_counts(tx, broadcast.id)
    total = sum(counts.values())
    if total < broadcast.replies_notified + every:
        return
    if not await store.set_replies_notified(tx, broadcast.id, total):
        return
    locale = await store.user_locale(tx, broadcast.author_user_id) or default_locale
    with use_locale(locale):
        text = _("Replies to your notice of {when}:").format(
            when=format_datetime(broadcast.created_at, "short")
        )
        text += "\n" + reply_line(counts)
    await outbox_service.enqueue(
        tx,
        user_id=broadcast.author_user_id,
        key=f"broadcast:{broadcast.id}:replies:{total}",
        text=text,
        now=now,
    )


def reply_line(counts: dict[str, int]) -> str:
    return _("{coming} coming, {cannot} cannot come").format(
        coming=format_number(counts.get(Answer.COMING, 0)),
        cannot=format_number(counts.get(Answer.CANNOT, 0)),
    )


def audience_of(broadcast: store.BroadcastRow) -> Audience | None:
    """The stored audience, or None if the row no longer loads."""
    try:
        return Audience.model_validate(broadcast.audience)
    except ValidationError:
        logger.warning("broadcast audience does not load: id=%s", broadcast.id)
        return None


async def may_see(tx: AsyncConnection, actor: Actor, broadcast: store.BroadcastRow) -> bool:
    """The author, an admin, or a staff member of one of its villages."""
    if broadcast.author_user_id == actor.user_id or actor.is_admin:
        return True
    audience = audience_of(broadcast)
    visible = await visible_villages(tx, actor)
    return audience is not None and bool(set(audience.village_ids) & visible)


async def visible_recent(tx: AsyncConnection, actor: Actor, limit: int = 6) -> list[Status]:
    """The latest broadcasts this actor wrote or whose villages they look after."""
    out: list[Status] = []
    for broadcast in await store.recent(tx, 200):
        if await may_see(tx, actor, broadcast):
            out.append(await status(tx, broadcast))
            if len(out) >= limit:
                break
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


async def cancel(tx: AsyncConnection, actor: Actor, broadcast_id: int, now: datetime) -> bool:
    """Stop a broadcast that is still going out: its waiting messages are withdrawn."""
    broadcast = await store.find(tx, broadcast_id)
    if broadcast is None or not (broadcast.author_user_id == actor.user_id or actor.is_admin):
        return False
    if not await store.finish(tx, broadcast_id, "cancelled", now):
        return False
    dropped = await store.drop_unsent(tx, broadcast_id)
    logger.info(
        "broadcast cancelled: id=%s by=%s withdrawn=%s", broadcast_id, actor.user_id, dropped
    )
    return True


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
    locale = await store.user_locale(tx, broadcast.author_user_id) or default_locale
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
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Village"),
            _("Household code"),
            _("Address"),
            _("Full name"),
            _("Year of birth"),
            _("Phone"),
            _("Why not reached"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                row.village,
                row.household_code,
                row.address,
                row.full_name,
                row.birth_year or "",
                mask_phone(row.phone),
                _reason(row),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


async def not_reached_for(
    tx: AsyncConnection, actor: Actor, broadcast: store.BroadcastRow
) -> list[store.NotReachedRow]:
    """The not-reached list, limited to the villages this actor may see."""
    audience = audience_of(broadcast)
    if audience is None:
        return []
    allowed = set(audience.village_ids)
    if not (broadcast.author_user_id == actor.user_id or actor.is_admin):
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


def report_component(runtime: Runtime) -> Part:
    """The report watcher as a part of `troly06 run` (listed in bot.runtime.COMPONENTS)."""
    from bot.runtime import Part

    app = runtime.app
    watcher = ReportWatcher(app.db, app.clock, default_locale=app.settings.default_locale)
    return Part("broadcast-reports", watcher)
