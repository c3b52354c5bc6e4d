"""At "who comes" in a household booking, phrases typed on the console and the Zalo fake:
"cả nhà", "tui với vợ", "thêm <tên>", "bỏ <tên> ra", "bỏ bà nội ra"."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import select

from bot.app import App
from bot.storage.tables.booking import booking_members
from tests.booking.conftest import Place, add_session, link
from tests.driver import ChatDriver
from tests.journeys.drivers import actor_of, zalo_chat

Say = Callable[[str], Awaitable[str]]


@pytest.fixture(params=["console", "zalo"])
async def say(request: pytest.FixtureRequest, app: App, place: Place) -> AsyncIterator[Say]:
    """A resident linked to An (head of a household of three), typing words only."""
    await add_session(app, place.police)
    if request.param == "console":
        driver = ChatDriver(app, "typist")
        await link(driver, place.household[0])

        async def console(text: str) -> str:
            replies = await driver.say(text)
            return "\n".join(
                [r.text for r in replies] + [c.label for r in replies for c in r.choices]
            )

        yield console
        return
    async with zalo_chat(app) as chat:
        actor = await actor_of(chat)
        from bot.storage import identities

        async with app.db.write() as tx:
            await identities.set_person(tx, actor.user_id, place.household[0])

        async def zalo(text: str) -> str:
            return "\n".join(await chat.say(text))

        yield zalo


async def _at_who_comes(say: Say) -> str:
    await say("đặt lịch")
    await say("mức độ 2")
    await say("công an xã")
    return await say("7 giờ")


async def _booked(app: App) -> set[int]:
    async with app.db.read() as tx:
        return set((await tx.execute(select(booking_members.c.person_id))).scalars().all())


async def test_everyone_then_one_out_then_one_back(say: Say, app: App, place: Place) -> None:
    text = await _at_who_comes(say)
    assert "✅ Nguyễn Văn An" in text and "⬜ Trần Thị Bình" in text
    text = await say("cả nhà")
    assert "✅ Trần Thị Bình" in text and "✅ Nguyễn Văn Cường" in text
    text = await say("bỏ Cường ra")
    assert "⬜ Nguyễn Văn Cường" in text and "✅ Trần Thị Bình" in text
    text = await say("thêm thằng Cường")
    assert "✅ Nguyễn Văn Cường" in text
    text = await say("Bình không đi")
    assert "⬜ Trần Thị Bình" in text
    await say("tiếp tục")
    await say("xác nhận")
    assert await _booked(app) == {place.household[0], place.household[2]}


async def test_kin_words_are_asked_back_when_the_roster_has_no_relations(
    say: Say, app: App, place: Place
) -> None:
    await _at_who_comes(say)
    await say("ca nha")
    text = await say("tui với vợ")  # the roster does not say who the wife is: asked back
    assert "“vợ” là ai" in text
    assert "✅ Nguyễn Văn An" in text and "⬜ Trần Thị Bình" in text
    text = await say("bỏ bà nội ra")
    assert "“bà nội” là ai" in text
    await say("Bình")  # her name: she is added
    await say("ok")
    await say("xác nhận")
    assert await _booked(app) == {place.household[0], place.household[1]}
