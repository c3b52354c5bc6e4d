"""Linking a chat to the roster and joining a role with a one-time code."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.services import identity
from bot.services.identity import Role
from bot.storage.tables.core import persons, roles, users
from tests.driver import ChatDriver


async def _person_with_phone(app: App) -> tuple[int, str, str]:
    async with app.db.read() as tx:
        row = (
            await tx.execute(
                select(persons.c.id, persons.c.phone, persons.c.full_name)
                .where(persons.c.phone.is_not(None))
                .order_by(persons.c.id)
            )
        ).first()
    assert row is not None
    return row[0], row[1], row[2]


async def _linked_person(chat: ChatDriver) -> int | None:
    actor = await chat.actor()
    async with chat.app.db.read() as tx:
        return await tx.scalar(select(users.c.person_id).where(users.c.id == actor.user_id))


async def test_own_contact_links_to_roster(demo_app: App) -> None:
    person_id, phone, name = await _person_with_phone(demo_app)
    chat = ChatDriver(demo_app)
    replies = await chat.share_phone("+84" + phone[1:])
    assert f"Cảm ơn {name}" in replies[0].text
    assert await _linked_person(chat) == person_id


async def test_someone_elses_contact_is_refused(demo_app: App) -> None:
    _, phone, _ = await _person_with_phone(demo_app)
    chat = ChatDriver(demo_app)
    replies = await chat.share_phone(phone, own=False)
    assert "của chính bạn" in replies[0].text
    assert await _linked_person(chat) is None


async def test_unknown_phone_gives_hotline(demo_app: App) -> None:
    chat = ChatDriver(demo_app)
    replies = await chat.share_phone("0999999999")
    assert "1900 0368" in replies[0].text
    assert await _linked_person(chat) is None


async def test_invite_code_works_once(demo_app: App) -> None:
    async with demo_app.db.write() as tx:
        code = await identity.create_invite(
            tx, Role.VILLAGE_HEAD, demo_app.clock.now(), village_id=2
        )
    first, second = ChatDriver(demo_app, "head"), ChatDriver(demo_app, "other")
    replies = await first.say(f"/start {code}")
    assert "trưởng thôn" in replies[0].text
    replies = await second.say(f"/join {code}")
    assert "đã được dùng" in replies[0].text
    async with demo_app.db.read() as tx:
        grants = (await tx.execute(select(roles.c.role, roles.c.village_id))).all()
    assert grants == [("village_head", 2)]


async def test_menu_follows_role(demo_app: App) -> None:
    chat = ChatDriver(demo_app, "boss")
    resident_menu = {c.label for c in (await chat.say("/menu"))[0].choices}
    await chat.grant(Role.ADMIN)
    admin_menu = {c.label for c in (await chat.say("/menu"))[0].choices}
    assert "Tạo mã mời" in admin_menu - resident_menu


async def test_invite_command_needs_admin(demo_app: App) -> None:
    chat = ChatDriver(demo_app)
    replies = await chat.say("/invite team_lead")
    assert "không có quyền" in replies[0].text
    await chat.grant(Role.ADMIN)
    replies = await chat.say("/invite team_lead")
    assert "/join" in replies[0].text


async def test_staff_see_their_work_first(demo_app: App) -> None:
    chat = ChatDriver(demo_app, "lead")
    await chat.grant(Role.TEAM_LEAD, commune_id=1)
    labels = [c.label for c in (await chat.say("/menu"))[0].choices]
    assert labels.index("Mở buổi thu nhận") < labels.index("Đặt lịch làm căn cước, VNeID")
