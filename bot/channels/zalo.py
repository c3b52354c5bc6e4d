"""Zalo channel, polling or webhook: updates in, replies out (the HTTP API: zalo_http).

Zalo has no buttons, so choices become a numbered list (the core maps a typed number or the
option's words back to the choice). Texts are cut at 2,000 characters on line breaks and sent
in order. Pictures go by URL from the bot's own web server when TROLY06_PUBLIC_URL is set,
otherwise a sentence says one could not be shown. Transient errors (5xx, 429, timeouts) are
retried with backoff. Nothing here is imported above bot/channels/.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import random
import secrets
import unicodedata
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.channels.base import SendResult, SendStatus, numbered_choices, split_text
from bot.channels.zalo_http import ZaloApi, ZaloApiError
from bot.channels.zalo_journal import PollJournal, journal_path
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.flood import FloodLimit
from bot.core.inbound import Inbound, Kind
from bot.core.inbox import Inbox, Unreadable
from bot.core.reply import Reply
from bot.media import MediaStore, file_link, file_not_sent, picture_not_shown
from bot.storage.db import Database
from bot.storage.inbox import Received

logger = logging.getLogger(__name__)

CHANNEL = "zalo"
TEXT_LIMIT = 2000
SECRET_HEADER = "X-Bot-Api-Secret-Token"
EVENT_TEXT = "message.text.received"
POLL_TIMEOUT_S = 30
TYPING_EVERY_S = 5.0
TYPING_TIMEOUT_S = 3.0
STORE_TRIES_AT_STOP = 5  # a poll's updates not stored while stopping: tries left
MAX_POLL_BACKOFF_S = 30.0

Handle = Callable[[Inbound], Awaitable[list[Reply]]]


@dataclass(frozen=True)
class Outgoing:
    """One API call that shows (part of) a reply."""

    method: str
    payload: dict[str, Any]


def updates_in(body: Any) -> list[dict[str, Any]]:
    """The updates in a getUpdates result or a webhook body: a list, one object, or none."""
    if isinstance(body, dict) and "result" in body and "event_name" not in body:
        body = body["result"]
    if isinstance(body, list):
        return [u for u in body if isinstance(u, dict)]
    return [body] if isinstance(body, dict) and body else []


def received(update: dict[str, Any]) -> Received:
    """An update as the inbox stores it, keyed by its message id (else a hash of it)."""
    message = update.get("message") if isinstance(update.get("message"), dict) else {}
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id = str(sender.get("id") or "")
    payload = json.dumps(update, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    message_id = message.get("message_id")
    key = (
        f"m:{message_id}"[:80]
        if isinstance(message_id, str | int) and str(message_id)
        else "h:" + hashlib.sha256(payload.encode()).hexdigest()
    )
    return Received(key, str(chat.get("id") or user_id)[:64], user_id[:64], payload)


def parse_update(update: dict[str, Any]) -> Inbound | None:
    """A Zalo update as an Inbound: text (and commands) as text, anything else unsupported.

    Returns None, after logging, for an update without a sender or a chat.
    """
    message = update.get("message")
    if not isinstance(message, dict):
        logger.info("zalo update dropped: no message (event %s)", update.get("event_name"))
        return None
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    chat = message.get("chat") if isinstance(message.get("chat"), dict) else {}
    user_id, chat_id = str(sender.get("id") or ""), str(chat.get("id") or sender.get("id") or "")
    if not user_id or not chat_id:
        logger.info("zalo update dropped: no sender or chat")
        return None
    name = sender.get("display_name") or sender.get("name") or sender.get("first_name") or ""
    base = {
        "channel": CHANNEL,
        "chat_id": chat_id[:64],
        "user_id": user_id[:64],
        "display_name": str(name)[:120],
        "is_group": str(chat.get("chat_type") or "PRIVATE").upper() != "PRIVATE"
        or chat_id != user_id,
        "raw": update,
    }
    text = message.get("text")
    if update.get("event_name", EVENT_TEXT) == EVENT_TEXT and isinstance(text, str):
        return Inbound(**base, kind=Kind.TEXT, text=text)
    return Inbound(**base, kind=Kind.UNSUPPORTED)


def plan_reply(chat_id: str, reply: Reply, media: MediaStore | None) -> list[Outgoing]:
    """The API calls that show `reply` on Zalo, in order: the picture, then the text."""
    calls: list[Outgoing] = []
    lines = [numbered_choices(reply)] if reply.text or reply.choices else []
    if reply.photo is not None:
        if media is not None:
            url = media.publish(reply.photo)
            calls.append(Outgoing("sendPhoto", {"chat_id": chat_id, "photo": url}))
        else:
            lines.append(picture_not_shown())
    if reply.document is not None:
        name = reply.document.filename
        if media is not None:
            url = media.publish(reply.document, download=True, recipient=f"{CHANNEL}:{chat_id}")
            lines.append(file_link(name, url))
        else:
            lines.append(file_not_sent(name))
    text = unicodedata.normalize("NFC", "\n".join(line for line in lines if line))
    if text.strip():
        calls += [
            Outgoing("sendMessage", {"chat_id": chat_id, "text": piece})
            for piece in split_text(text, TEXT_LIMIT)
            if piece.strip()
        ]
    return calls


class ZaloChannel:
    """Receives Zalo updates into the inbox, hands them to the core, and shows the replies."""

    name = CHANNEL
    text_limit = TEXT_LIMIT

    def __init__(
        self,
        handle: Handle,
        api: ZaloApi,
        *,
        db: Database,
        clock: Clock | None = None,
        media: MediaStore | None = None,
        webhook_secret: str = "",
        typing_every_s: float = TYPING_EVERY_S,
        slots: int = 4,
        flood: FloodLimit | None = None,
        locale: str = "vi",
        journal: PollJournal | None = None,
    ) -> None:
        self.api = api
        self.journal = journal  # polled answers kept on disk until the inbox has them
        self.media = media
        self.webhook_secret = webhook_secret
        self.typing_every_s = typing_every_s
        self.inbox = Inbox(
            db, clock or SystemClock(), handle, self, slots=slots, flood=flood, locale=locale
        )
        self._stop = asyncio.Event()
        self._poller: asyncio.Task[None] | None = None
        self._long_poll: asyncio.Future[Any] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        handle: Handle,
        db: Database,
        clock: Clock,
        media: MediaStore | None = None,
    ) -> ZaloChannel:
        """The channel for TROLY06_ZALO_*; without a configured secret, a random one is used."""
        api = ZaloApi(settings.zalo_token, settings.zalo_api_url)
        secret = settings.zalo_webhook_secret or secrets.token_urlsafe(32)
        return cls(
            handle,
            api,
            db=db,
            clock=clock,
            media=media,
            webhook_secret=secret,
            slots=settings.inbox_slots,
            flood=FloodLimit(settings.flood_messages, settings.flood_window_s, CHANNEL),
            locale=settings.default_locale,
            journal=PollJournal(journal_path(settings.zalo_poll_journal, settings.db_url)),
        )

    async def start(self, webhook_url: str = "") -> None:
        """Check the token, take up the inbox and the poll journal, then the webhook or poll."""
        me = await self.api.call("getMe")
        logger.info("zalo bot %s ready", me.get("id") if isinstance(me, dict) else "?")
        await self.inbox.start()
        await self._take_up_journal()
        if webhook_url:
            await self.set_webhook(webhook_url)
            return
        await self.api.call("deleteWebhook")
        self._stop.clear()
        self._poller = asyncio.create_task(self.poll(self._stop))

    async def stop(self) -> None:
        """Stop polling, finish the messages in hand, close the HTTP client."""
        self._stop.set()
        if self._long_poll is not None:
            self._long_poll.cancel()  # only the long poll: updates fetched are stored first
        if self._poller is not None:
            with contextlib.suppress(asyncio.CancelledError, ZaloApiError):
                await self._poller
        await self.inbox.stop()
        await self.api.aclose()
        if self.journal is not None:
            self.journal.close()

    # -- receiving ------------------------------------------------------------------------

    def accepts_secret(self, given: str) -> bool:
        """True only for the webhook secret we registered (compared in constant time)."""
        return bool(self.webhook_secret) and hmac.compare_digest(
            given.encode(), self.webhook_secret.encode()
        )

    async def receive(self, body: Any) -> int:
        """Store every update of a webhook body or poll in the inbox; returns how many were new.

        A replayed update (same message id, or the same body without one) is a no-op.
        """
        return await self.inbox.receive([received(update) for update in updates_in(body)])

    async def drain(self, within_s: float = 30.0) -> None:
        """Wait until every received message has been answered."""
        await self.inbox.wait_idle(within_s)

    async def read(self, payload: Any) -> Inbound | Reply | None:
        if not isinstance(payload, dict):
            raise Unreadable("not an object")
        return parse_update(payload)

    async def show(
        self, chat_id: str, replies: Sequence[Reply], inbound: Inbound | None = None
    ) -> None:
        """Send the replies in order; a failure is logged (ids only) and ends this answer."""
        try:
            for reply in replies:
                await self.send(chat_id, reply)
        except ZaloApiError as exc:
            logger.warning("zalo answer to chat %s not sent: %s", chat_id, exc.code)

    @contextlib.asynccontextmanager
    async def working(self, chat_id: str) -> AsyncIterator[None]:
        """Show "typing" while the core works."""
        done = asyncio.Event()
        typing = asyncio.create_task(self._keep_typing(chat_id, done))
        try:
            yield
        finally:
            done.set()
            await typing

    async def _keep_typing(self, chat_id: str, done: asyncio.Event) -> None:
        """Send "typing" now and every few seconds until `done` (a lost one does not matter)."""
        while not done.is_set():
            try:
                await self.api.call(
                    "sendChatAction",
                    {"chat_id": chat_id, "action": "typing"},
                    timeout_s=TYPING_TIMEOUT_S,
                    retry=False,
                )
            except ZaloApiError as exc:
                logger.debug("zalo typing not shown: %s", exc.code)
            await _sleep_unless(done, self.typing_every_s)

    async def poll(self, stop: asyncio.Event, timeout_s: int = POLL_TIMEOUT_S) -> None:
        """Long-poll getUpdates until `stop` is set; errors back off, an idle 408 does not.

        Zalo's getUpdates has no offset: an update it returned is not returned again. So what
        a poll fetched is written to the journal as it arrives, stored in the inbox before the
        next poll, retried (with backoff) while the database refuses, and never given up while
        the bot runs; `stop` cancels only a long poll in flight, never a store.
        """
        failures = 0
        while not stop.is_set():
            self._long_poll = asyncio.ensure_future(self._fetch(timeout_s))
            try:
                result = await self._long_poll
            except asyncio.CancelledError:
                if stop.is_set():
                    return
                raise
            except ZaloApiError as exc:
                if exc.code == 408:
                    continue
                if exc.code == 401:
                    logger.error("zalo token refused (401): polling stops")
                    raise
                failures += 1
                delay = min(MAX_POLL_BACKOFF_S, 0.5 * 2**failures) * random.uniform(0.5, 1.0)
                logger.warning("zalo getUpdates failed (%s); again in %.1fs", exc.code, delay)
                await _sleep_unless(stop, delay)
                continue
            finally:
                self._long_poll = None
            failures = 0
            if await self._store_fetched(result, stop) and self.journal is not None:
                self.journal.clear()

    async def _fetch(self, timeout_s: int) -> Any:
        """One long poll; its answer is in the journal before anything else runs."""
        result = await self.api.call(
            "getUpdates", {"timeout": str(timeout_s)}, timeout_s=timeout_s + 10, retry=False
        )
        if self.journal is not None and updates_in(result):
            self.journal.write(result)
        return result

    async def _take_up_journal(self) -> None:
        """Store what a previous run polled and may not have stored (a replay is a no-op)."""
        if self.journal is None:
            return
        left = self.journal.left()
        for body in left:
            await self.receive(body)
        if left:
            logger.info("zalo: %s polled answers taken up from the journal", len(left))
            self.journal.clear()

    async def _store_fetched(self, result: Any, stop: asyncio.Event) -> bool:
        """Store a poll's updates, however long the database takes to take them."""
        tries = 0
        while True:
            try:
                await self.receive(result)
                return True
            except Exception:  # Zalo will not send these again: keep them until stored
                tries += 1
                if stop.is_set() and tries > STORE_TRIES_AT_STOP:
                    logger.error("zalo updates fetched, not stored: left in the poll journal")
                    return False
                delay = min(MAX_POLL_BACKOFF_S, 0.1 * 2**tries)
                logger.exception("zalo updates fetched, not yet stored; again in %.1fs", delay)
                await asyncio.sleep(delay)

    async def set_webhook(self, url: str) -> None:
        """Tell Zalo to post updates to `url` with our secret header."""
        if not 8 <= len(self.webhook_secret) <= 256:
            raise ValueError("the Zalo webhook secret must be 8 to 256 characters")
        await self.api.call("setWebhook", {"url": url, "secret_token": self.webhook_secret})

    # -- sending --------------------------------------------------------------------------

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Show one reply; raises ZaloApiError when a part could not be sent."""
        for outgoing in plan_reply(chat_id, reply, self.media):
            await self.api.call(outgoing.method, outgoing.payload)

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        """Send a proactive message (for the outbox sender) and say how it went."""
        try:
            await self.send(chat_id, reply)
        except ZaloApiError as exc:
            if exc.transient:
                return SendResult(SendStatus.RETRY, exc.retry_after, str(exc)[:200])
            if exc.code == 403:
                return SendResult(SendStatus.BLOCKED, error=str(exc)[:200])
            return SendResult(SendStatus.FAILED, error=str(exc)[:200])
        return SendResult(SendStatus.SENT)


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
