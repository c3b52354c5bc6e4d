"""The waiting list: a freed place is offered with a time limit, then passed to the next."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from bot.app import App
from bot.services.booking import expire_offers
from bot.storage.tables.booking import bookings, waitlist_entries
from bot.storage.tables.core import outbox
from tests.booking.conftest import Place, add_session
from tests.driver import ChatDriver


async def _book_one(chat: ChatDriver) -> None:
    await chat.say("dat lich")
    await chat.press("mức độ 2")
    await chat.press("Công an xã")


async def _offer_key(app: App, user_chat: ChatDriver, label: str) -> str:
    """The key of a button in the last outbox message sent to this chat."""
    async with app.db.read() as tx:
        payloads = await tx.scalars(
            select(outbox.c.payload)
            .where(outbox.c.chat_id == user_chat.user_id)
            .order_by(outbox.c.id.desc())
        )
        return next(key for p in payloads for text, key in p["choices"] if label in text)


async def test_offer_accepted_and_expired_offer_passes_on(app: App, place: Place) -> None:
    # one slot of one place
    await add_session(app, place.police, end=time(7, 10), machines=1, minutes=10)
    first, second, third = (ChatDriver(app, f"r{i}") for i in range(3))
    await _book_one(first)
    await first.press("07:00–07:10")
    await first.press(1)  # one person
    await first.press("Xác nhận")
    for waiting in (second, third):
        await _book_one(waiting)
        assert "hết chỗ" in waiting.text
        await waiting.press("danh sách chờ")
        await waiting.press(1)
        await waiting.press("Xác nhận")
    assert "thứ 2 trong danh sách chờ" in third.text

    await first.say("/mybookings")
    await first.press("Huỷ lịch")
    await first.press("Có, huỷ")
    async with app.db.read() as tx:
        statuses = dict(
            (await tx.execute(select(waitlist_entries.c.user_id, waitlist_entries.c.status))).all()
        )
    assert sorted(statuses.values()) == ["offered", "waiting"]

    # the second does not answer in time: the place passes to the third
    app.clock.advance(timedelta(hours=4))
    async with app.db.write() as tx:
        assert await expire_offers(tx, app.clock.now()) == 1
    late = await second.press_key(await _offer_key(app, second, "Nhận chỗ này"))
    assert "đã hết thời gian" in late[0].text or "đã bị huỷ" in late[0].text

    replies = await third.press_key(await _offer_key(app, third, "Nhận chỗ này"))
    assert "đặt lịch thành công" in replies[0].text
    async with app.db.read() as tx:
        rows = (await tx.execute(select(bookings.c.status))).scalars().all()
    assert sorted(rows) == ["cancelled", "confirmed"]
