"""Point 7: residents' text reaches staff as one clean, capped line; 3 open visits per chat."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.services.booking import home_visits
from bot.services.booking.home_visits import VisitError
from bot.services.identity import Role
from bot.services.privacy.clean import one_line
from bot.storage.tables.booking import home_visits as visits_table
from tests.booking.conftest import Place, add_session
from tests.driver import ChatDriver

FORGED = "Lê Văn Tư\n#99 Nguyễn Văn An · 0912345678 · mở\x00\u202eevil\u2066"


async def _ask(chat: ChatDriver, name: str) -> None:
    await chat.say("/menu")
    await chat.press("Làm tại nhà hoặc đưa đón")
    await chat.press("Người khác")
    await chat.say(name)
    await chat.press("Tổ công tác đến tận nhà")
    await chat.press("nằm liệt giường")
    await chat.say("Thôn 1\r\nxóm 2\u200b")
    await chat.say("0912 345 678")
    await chat.press("Giờ nào cũng được")
    await chat.press("Đầm Môn")
    await chat.press("Gửi")


async def _count(app: App) -> int:
    async with app.db.read() as tx:
        return int(await tx.scalar(select(func.count()).select_from(visits_table)) or 0)


async def test_forged_lines_and_direction_marks_never_reach_the_staff_list(
    app: App, place: Place
) -> None:
    await add_session(app, place.border_post, is_mobile=True)
    stranger = ChatDriver(app, "stranger")
    await _ask(stranger, FORGED)
    assert "Đã gửi đề nghị" in stranger.text
    async with app.db.read() as tx:
        name, address = (
            await tx.execute(select(visits_table.c.person_name, visits_table.c.address))
        ).one()
    assert "\n" not in name and "\x00" not in name and "\u202e" not in name
    assert address == "Thôn 1 xóm 2"
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=place.commune_id)
    await lead.say("/menu")
    await lead.press("Đề nghị làm tại nhà")
    lines = lead.text.split("\n")
    assert len(lines) == 3  # the title, the village, one line for the one request
    assert not any(c in lead.text for c in "\x00\u202e\u2066")


async def test_one_chat_has_at_most_three_open_requests(app: App, place: Place) -> None:
    stranger = ChatDriver(app, "stranger")
    actor = await stranger.actor()
    results = []
    async with app.db.write() as tx:
        for village in (place.mainland, place.island, place.mainland, place.island):
            results.append(
                await home_visits.request(
                    tx,
                    user_id=actor.user_id,
                    person_id=None,
                    person_name=f"Người {len(results)}",
                    kind="visit",
                    reason="sick",
                    address="Thôn 1",
                    phone="0912345678",
                    preferred_time="",
                    village_id=village,
                    now=app.clock.now(),
                )
            )
    assert results[3] is VisitError.TOO_MANY and all(isinstance(r, int) for r in results[:3])
    await stranger.say("/menu")
    await stranger.press("Làm tại nhà hoặc đưa đón")
    assert "đã có 3 đề nghị" in stranger.text
    assert await _count(app) == 3


def test_one_line_table() -> None:
    cases = [
        ("An\nBình", "An Bình"),
        ("  An \t Bình\r\n", "An Bình"),
        ("\u202eAn\u2066\u200d", "An"),
        ("A\x00B\x1bC", "ABC"),
        ("x" * 300, "x" * 199 + "…"),
        (None, ""),
    ]
    assert [one_line(text) for text, _ in cases] == [expected for _, expected in cases]
