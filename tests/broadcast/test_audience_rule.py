"""Broadcast audiences follow /missing's rule (14 and over); the preview names who is left out."""

from __future__ import annotations

from sqlalchemy import insert, select, update

from bot.storage.tables.broadcast import broadcast_recipients
from bot.storage.tables.core import chat_identities, households, persons
from tests.broadcast.conftest import Roster
from tests.driver import ChatDriver
from tests.journeys.drivers import telegram_chat


async def _add_child(roster: Roster) -> int:
    """A seven-year-old without a card in Đầm Môn's first household."""
    async with roster.app.db.write() as tx:
        home = await tx.scalar(select(households.c.id).where(households.c.code == "01-0001"))
        return (
            await tx.execute(
                insert(persons).values(
                    household_id=home,
                    full_name="Nguyễn Văn Tí",
                    birth_year=2019,
                    has_id_card=False,
                    has_eid_level2=False,
                    updated_at=roster.app.clock.now(),
                )
            )
        ).inserted_primary_key[0]


async def _compose(chat: ChatDriver, audience: str) -> None:
    await chat.say("/broadcast")
    await chat.press("Tất cả các thôn")
    await chat.press(audience)
    await chat.say("Mời bà con ra nhà văn hóa làm căn cước.")
    await chat.press("Không")


async def test_missing_audience_leaves_out_children_under_14(roster: Roster) -> None:
    child = await _add_child(roster)
    lead = await roster.lead()
    await _compose(lead, "Chỉ những người còn thiếu")
    assert "3 người: 2 người sẽ nhận qua chat" in lead.text  # the child is not counted
    await lead.press("Gửi ngay")
    async with roster.app.db.read() as tx:
        people = set(await tx.scalars(select(broadcast_recipients.c.person_id)))
    assert child not in people and len(people) == 3


async def test_preview_says_who_will_not_get_it_and_why(roster: Roster) -> None:
    async with roster.app.db.write() as tx:
        await tx.execute(
            update(chat_identities)
            .where(chat_identities.c.chat_id == "r1")
            .values(unreachable_at=roster.app.clock.now())
        )
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    text = lead.text
    assert "1 người đã chặn bot" in text
    assert "1 người đánh dấu trường hợp khách quan và 1 người chuyển đi" in text


async def test_preview_on_telegram(roster: Roster) -> None:
    await _add_child(roster)
    async with telegram_chat(roster.app) as lead:
        from bot.services.identity import Role
        from tests.journeys.drivers import grant

        await grant(lead, Role.TEAM_LEAD, commune_id=roster.commune)
        await lead.say("/broadcast")
        await lead.pick("Tất cả các thôn")
        await lead.pick("Chỉ những người còn thiếu")
        await lead.say("Mời bà con ra nhà văn hóa.")
        texts = await lead.pick("Không")
        assert "3 người: 2 người sẽ nhận qua chat" in "\n".join(texts)
