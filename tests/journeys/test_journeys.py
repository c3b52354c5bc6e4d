"""The main journeys, the same script on Telegram (real PTB channel) and Zalo, each on its fake.

Each journey says what a person types or picks and what they must see, then checks what was
stored. Only the platform differs: buttons on Telegram, a numbered list typed on Zalo.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date

import pytest
from sqlalchemy import select

from bot.app import App
from bot.services.identity import Role
from bot.storage.tables.booking import bookings
from bot.storage.tables.faq import faq_unanswered
from bot.storage.tables.reminders import away_users
from tests.journeys.drivers import JourneyChat, actor_of, grant, telegram_chat, zalo_chat

CHANNELS = ["telegram", "zalo"]


@pytest.fixture(params=CHANNELS)
async def person(request: pytest.FixtureRequest, demo_app: App) -> AsyncIterator[JourneyChat]:
    """One resident of the demo commune, on each channel in turn."""
    opened = telegram_chat if request.param == "telegram" else zalo_chat
    async with opened(demo_app) as chat:
        yield chat


def joined(texts: list[str]) -> str:
    return "\n".join(texts)


async def test_a_question_is_answered(person: JourneyChat) -> None:
    texts = await person.say("ko nhan dc otp")
    assert texts[0].startswith("Không nhận được mã OTP")
    assert "1900 0368" in joined(texts)
    async with person.app.db.read() as tx:
        assert (await tx.execute(select(faq_unanswered.c.question))).all() == []


async def test_an_away_date_is_set(person: JourneyChat) -> None:
    texts = await person.say("di bien den 12/7")
    assert "thứ Hai, 12 tháng 7 năm 2027" in joined(texts)
    assert "Đúng rồi" in person.options()
    texts = await person.pick("Đúng rồi")
    assert "12 tháng 7 năm 2027" in joined(texts)
    actor = await actor_of(person)
    async with person.app.db.read() as tx:
        stored = await tx.scalar(
            select(away_users.c.return_on).where(away_users.c.user_id == actor.user_id)
        )
    assert stored == date(2027, 7, 12)


async def test_a_slot_is_booked_and_cancelled(person: JourneyChat) -> None:
    await person.say("dat lich")
    await person.pick_nth(1)  # what for: a new ID card
    await person.pick_nth(1)  # the first session open
    await person.pick("07:30")  # its first slot, 07:30–08:00
    await person.pick("1")  # one person
    booked = joined(await person.pick_nth(1))  # confirm
    assert "#" in booked and "07:30–08:00" in booked
    actor = await actor_of(person)
    assert await booking_states(person.app, actor.user_id) == [(1, "confirmed")]

    mine = joined(await person.say("/mybookings"))
    assert "07:30–08:00" in mine
    await person.pick_nth(2)  # "cancel" (the first button changes the time)
    await person.pick_nth(1)  # yes, cancel it
    assert await booking_states(person.app, actor.user_id) == [(1, "cancelled")]
    assert "07:30–08:00" not in joined(await person.say("/mybookings"))


async def booking_states(app: App, user_id: int) -> list[tuple[int, str]]:
    async with app.db.read() as tx:
        rows = await tx.execute(
            select(bookings.c.people, bookings.c.status).where(bookings.c.user_id == user_id)
        )
        return [(row[0], row[1]) for row in rows]


async def test_the_missing_list_is_paged(person: JourneyChat) -> None:
    await grant(person, Role.VILLAGE_HEAD, village_id=2)
    first = joined(await person.say("/missing"))
    assert "Trang 1/" in first
    pages = int(first.split("Trang 1/")[1].split()[0])
    assert pages >= 2
    second = joined(await person.pick("Trang sau"))
    assert f"Trang 2/{pages}" in second
    assert "Trang trước" in " ".join(person.options())
    assert people(first) and people(second)
    assert people(first).isdisjoint(people(second))  # a new page shows other people


def people(page: str) -> set[str]:
    """The people listed on a page: "• Nguyễn Văn Hùng (1968) · …" without the bullet."""
    return {m.group(1) for m in re.finditer(r"^• (.+\(\d{4}\).*)$", page, re.MULTILINE)}
