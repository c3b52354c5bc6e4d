"""Age rules (facts §2.2, §3.7): under 6 nothing at the desk; 6 to 13 with a parent."""

from __future__ import annotations

from sqlalchemy import insert, select

from bot.app import App
from bot.services.booking import reservations
from bot.services.booking.rules import BookError
from bot.storage import identities
from bot.storage.tables.booking import booking_members, booking_slots
from bot.storage.tables.core import persons
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver
from tests.journeys.drivers import actor_of, telegram_chat


async def _child(app: App, place: Place, name: str, birth_year: int) -> int:
    async with app.db.write() as tx:
        home = await tx.scalar(
            select(persons.c.household_id).where(persons.c.id == place.household[0])
        )
        return (
            await tx.execute(
                insert(persons).values(
                    household_id=home,
                    full_name=name,
                    birth_year=birth_year,
                    updated_at=app.clock.now(),
                )
            )
        ).inserted_primary_key[0]


async def _members(app: App) -> set[int]:
    async with app.db.read() as tx:
        return set(await tx.scalars(select(booking_members.c.person_id)))


async def test_a_child_under_6_cannot_be_booked(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police)
    baby = await _child(app, place, "Nguyễn Văn Bé", 2023)
    await link(chat, place.household[0])
    await chat.say("đặt lịch")
    await chat.press("Thẻ căn cước và VNeID")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    assert "🚫 Nguyễn Văn Bé" in [c.label for c in chat.choices()]
    await chat.press("Nguyễn Văn Bé")
    assert "dưới 6 tuổi" in chat.text and "VNeID" in chat.text
    await chat.press("Tiếp tục")
    await chat.press("Xác nhận")
    assert await _members(app) == {place.household[0]}
    assert baby not in await _members(app)


async def test_the_service_refuses_a_child_under_6(app: App, place: Place) -> None:
    await add_session(app, place.police)
    baby = await _child(app, place, "Nguyễn Văn Bé", 2023)
    async with app.db.write() as tx:
        slot = await tx.scalar(select(booking_slots.c.id).limit(1))
        result = await reservations.book(
            tx,
            user_id=1,
            slot_id=slot,
            service="eid_level2",
            now=app.clock.now(),
            person_ids=[place.household[0], baby],
            booker_person_id=place.household[0],
        )
    assert result is BookError.TOO_YOUNG
    assert await _members(app) == set()


async def test_a_child_of_10_comes_with_a_parent(app: App, place: Place, chat: ChatDriver) -> None:
    await add_session(app, place.police)
    kid = await _child(app, place, "Nguyễn Thị Mai", 2016)
    await link(chat, place.household[0])
    await chat.say("đặt lịch")
    await chat.press("Thẻ căn cước và VNeID")
    await chat.press("Công an xã")
    await chat.press("07:00–07:30")
    await chat.press("Nguyễn Thị Mai")
    await chat.press("Tiếp tục")
    assert "đi cùng cha mẹ" in chat.text
    await chat.press("Xác nhận")
    assert kid in await _members(app)


async def test_under_6_on_telegram(app: App, place: Place) -> None:
    await add_session(app, place.police)
    await _child(app, place, "Nguyễn Văn Bé", 2023)
    async with telegram_chat(app) as person:
        await person.say("/start")
        actor = await actor_of(person)
        async with app.db.write() as tx:
            await identities.set_person(tx, actor.user_id, place.household[0])
        await person.say("đặt lịch")
        await person.pick("Thẻ căn cước và VNeID")
        await person.pick("Công an xã")
        await person.pick("07:00")
        texts = await person.pick("Nguyễn Văn Bé")
        assert "dưới 6 tuổi" in "\n".join(texts)
