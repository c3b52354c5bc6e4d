"""One person on two chat apps: a code from one links the other; reminders follow the last used."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot.app import App
from bot.channels.base import SendResult, SendStatus
from bot.core.clock import FixedClock
from bot.core.reply import Reply
from bot.services import outbox
from bot.services.identity import Role
from bot.services.sender import Sender
from bot.storage.tables.core import chat_identities, persons, roles, users
from bot.storage.tables.core import outbox as outbox_table
from tests.driver import ChatDriver
from tests.zalo.harness import ZaloHarness, ZaloUser


async def _code_from(chat: ChatDriver) -> str:
    await chat.say("/menu")
    replies = await chat.press("Liên kết ứng dụng nhắn tin khác")
    found = re.search(r"/join ([A-Z0-9]{8})", replies[0].text)
    assert found, replies[0].text
    return found.group(1)


async def _user_of(app: App, channel: str, external_id: str) -> int:
    async with app.db.read() as tx:
        return await tx.scalar(
            select(chat_identities.c.user_id).where(
                chat_identities.c.channel == channel, chat_identities.c.external_id == external_id
            )
        )


async def _enqueue(app: App, user_id: int, key: str) -> tuple[str, str]:
    async with app.db.write() as tx:
        assert await outbox.enqueue(
            tx, user_id=user_id, key=key, text="Nhắc lịch", now=app.clock.now()
        )
        row = (
            await tx.execute(
                select(outbox_table.c.channel, outbox_table.c.chat_id).where(
                    outbox_table.c.key == key
                )
            )
        ).one()
    return row[0], row[1]


async def test_a_code_links_zalo_to_the_telegram_user(
    zalo: ZaloHarness, zalo_user: ZaloUser
) -> None:
    telegram = ChatDriver(zalo.app, "tg-42", "telegram")
    code = await _code_from(telegram)
    texts = await zalo_user.say(f"/join {code}")
    assert texts[0].startswith("Xong: cuộc trò chuyện này đã được liên kết")
    owner = await _user_of(zalo.app, "telegram", "tg-42")
    assert await _user_of(zalo.app, "zalo", zalo_user.user_id) == owner
    again = ZaloUser(zalo, "zalo-someone-else")
    assert "đã được dùng" in (await again.say(f"/join {code}"))[0]  # once only


async def test_reminders_go_to_the_app_used_last(zalo: ZaloHarness, zalo_user: ZaloUser) -> None:
    telegram = ChatDriver(zalo.app, "tg-42", "telegram")
    await zalo_user.say(f"/join {await _code_from(telegram)}")
    user_id = await _user_of(zalo.app, "telegram", "tg-42")
    assert await _enqueue(zalo.app, user_id, "r1") == ("zalo", zalo_user.user_id)
    await telegram.say("/menu")
    assert await _enqueue(zalo.app, user_id, "r2") == ("telegram", "tg-42")
    await zalo_user.say("menu")
    assert await _enqueue(zalo.app, user_id, "r3") == ("zalo", zalo_user.user_id)
    # and the Zalo channel delivers what the outbox holds for it
    result = await zalo.channel.deliver(zalo_user.user_id, Reply("Nhắc lịch"))
    assert result.status.value == "sent"
    assert zalo.server.texts_to(zalo_user.user_id)[-1] == "Nhắc lịch"


async def test_the_roster_link_follows_but_never_the_roles(
    demo_app: App, zalo: ZaloHarness
) -> None:
    telegram = ChatDriver(demo_app, "tg-head", "telegram")
    await telegram.grant(Role.VILLAGE_HEAD, village_id=2)
    head_user = (await telegram.actor()).user_id
    async with demo_app.db.write() as tx:
        person_id = await tx.scalar(select(persons.c.id).order_by(persons.c.id).limit(1))
        await tx.execute(users.update().where(users.c.id == head_user).values(person_id=person_id))
    await ZaloUser(zalo, "zalo-head").say(f"/join {await _code_from(telegram)}")
    actor = await ChatDriver(demo_app, "zalo-head", "zalo").actor()
    assert actor.person_id == person_id
    assert actor.village_ids() == frozenset() and actor.grants == ()  # a code carries no role
    assert (await telegram.actor()).village_ids() == frozenset({2})  # the maker keeps it


async def test_a_chat_with_its_own_role_cannot_join_another(zalo: ZaloHarness) -> None:
    telegram = ChatDriver(zalo.app, "tg-stranger", "telegram")
    code = await _code_from(telegram)
    head = ZaloUser(zalo, "zalo-head")
    await head.say("/start")
    await ChatDriver(zalo.app, "zalo-head", "zalo").grant(Role.TEAM_LEAD)
    texts = await head.say(f"/join {code}")
    assert "đã có vai trò riêng" in texts[0]
    head_user = await _user_of(zalo.app, "zalo", "zalo-head")
    assert head_user != await _user_of(zalo.app, "telegram", "tg-stranger")
    async with zalo.app.db.read() as tx:
        held = (await tx.execute(select(roles.c.user_id, roles.c.role))).all()
    assert held == [(head_user, "team_lead")]  # the role stayed where it was


async def test_expired_and_own_codes_are_refused(
    zalo: ZaloHarness, zalo_user: ZaloUser, clock: FixedClock
) -> None:
    telegram = ChatDriver(zalo.app, "tg-42", "telegram")
    code = await _code_from(telegram)
    assert "đã được liên kết với ứng dụng đó rồi" in (await telegram.say(f"/join {code}"))[0].text
    clock.advance(timedelta(hours=1, minutes=1))
    assert "đã hết hạn" in (await zalo_user.say(f"/join {code}"))[0]
    assert await _user_of(zalo.app, "zalo", zalo_user.user_id) != await _user_of(
        zalo.app, "telegram", "tg-42"
    )


async def test_a_new_code_replaces_the_old_one(zalo: ZaloHarness, zalo_user: ZaloUser) -> None:
    telegram = ChatDriver(zalo.app, "tg-42", "telegram")
    old = await _code_from(telegram)
    new = await _code_from(telegram)
    assert "không tồn tại" in (await zalo_user.say(f"/join {old}"))[0]
    assert (await zalo_user.say(f"/join {new}"))[0].startswith("Xong")


async def test_join_still_redeems_invite_codes(zalo: ZaloHarness, zalo_user: ZaloUser) -> None:
    from bot.services import identity

    async with zalo.app.db.write() as tx:
        code = await identity.create_invite(tx, Role.TEAM_LEAD, zalo.app.clock.now())
    texts = await zalo_user.say(f"/join {code}")
    assert "tổ trưởng" in texts[0]
    assert "không tồn tại" in (await zalo_user.say("/join ZZZZ2222"))[0]


class Recording:
    """A stand-in for the Telegram channel that keeps what it was asked to deliver."""

    name = "telegram"
    text_limit = 4096

    def __init__(self) -> None:
        self.delivered: list[tuple[str, str]] = []

    async def deliver(self, chat_id: str, reply: Reply) -> SendResult:
        self.delivered.append((chat_id, reply.text))
        return SendResult(SendStatus.SENT)


async def test_the_sender_delivers_on_the_app_used_last(
    zalo: ZaloHarness, zalo_user: ZaloUser
) -> None:
    app, telegram = zalo.app, ChatDriver(zalo.app, "tg-42", "telegram")
    await zalo_user.say(f"/join {await _code_from(telegram)}")
    user_id = await _user_of(app, "telegram", "tg-42")
    other = Recording()
    sender = Sender(app.db, app.clock, app.settings, [zalo.channel, other])
    await sender.start()
    try:
        await _enqueue(app, user_id, "after-zalo")
        sender.wake()
        await sender.wait_idle(within_s=20)
        assert zalo.server.texts_to(zalo_user.user_id)[-1] == "Nhắc lịch"
        assert other.delivered == []
        await telegram.say("/menu")
        await _enqueue(app, user_id, "after-telegram")
        sender.wake()
        await sender.wait_idle(within_s=20)
        assert other.delivered == [("tg-42", "Nhắc lịch")]
        assert zalo.server.texts_to(zalo_user.user_id).count("Nhắc lịch") == 1
    finally:
        await sender.stop()
