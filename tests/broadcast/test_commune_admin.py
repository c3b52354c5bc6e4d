"""A commune admin follows their own commune's notices; a province admin every commune's.

Vạn Thạnh's admin against Ninh Hải's notices (see conftest for who lives where).
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import insert, update

import bot.services.broadcast as service
from bot.services.broadcast import Audience, AudienceKind, report
from bot.services.identity import Role
from bot.storage.tables.broadcast import broadcasts
from bot.storage.tables.core import choices, outbox
from tests.broadcast.conftest import Roster
from tests.driver import ChatDriver, forge_choices

TEXT = "Sáng thứ 7 làm căn cước tại nhà văn hóa."


async def _create(roster: Roster, author: ChatDriver, *village_keys: str) -> int:
    """A notice for the villages, to go out in three hours (so it can still be stopped)."""
    app = roster.app
    actor = await author.actor()
    async with app.db.write() as tx:
        created = await service.create(
            tx,
            actor,
            audience=Audience(
                village_ids=[roster.villages[k] for k in village_keys], kind=AudienceKind.ALL
            ),
            text=TEXT,
            with_replies=False,
            scheduled_at=app.clock.now() + timedelta(hours=3),
            now=app.clock.now(),
        )
    return created.broadcast_id


async def _admin(roster: Roster) -> ChatDriver:
    return await roster.staff("admin", Role.ADMIN, commune_id=roster.commune)


async def _chief(roster: Roster) -> ChatDriver:
    chief = ChatDriver(roster.app, "chief")
    await chief.grant(Role.ADMIN, province=True)
    return chief


def _shown(chat: ChatDriver) -> str:
    return chat.text + "\n" + "\n".join(c.label for c in chat.choices())


async def _forge(chat: ChatDriver, action: str, value: int) -> None:
    await forge_choices(chat.app, (await chat.actor()).identity_id, action, value)


async def test_a_commune_admin_does_not_see_another_communes_notice(roster: Roster) -> None:
    """Typed: the other commune's notice is not listed; a stale pick of it is refused."""
    other_lead = await roster.staff("lead-b", Role.TEAM_LEAD, commune_id=roster.other_commune)
    theirs = await _create(roster, other_lead, "v3")
    admin = await _admin(roster)
    await admin.say("/broadcast_status")
    assert "Chưa có thông báo nào." in admin.text

    chief = await _chief(roster)
    await chief.say("/broadcast_status")
    assert TEXT in chief.text and "Dừng gửi" in _shown(chief)

    ours = await _create(roster, await roster.lead(), "v1")
    await admin.say("/broadcast_status")
    assert TEXT in admin.text and "Dừng gửi" in _shown(admin)  # their commune's: as before
    await _forge(admin, "broadcast.stop", theirs)
    await admin.say("dừng gửi")
    assert "Bạn không xem được thông báo này." in admin.text
    await admin.say("/broadcast_status")
    await _forge(admin, "broadcast.file", theirs)
    await admin.say("danh sách chưa nhận")
    assert "Bạn không xem được thông báo này." in admin.text and not admin.last[0].document
    waiting = await roster.outbox_rows(theirs)
    assert [r["status"] for r in waiting] == ["pending"]  # Nam's message still waits
    assert await roster.outbox_rows(ours)


async def test_a_notice_over_two_communes_shows_a_commune_admin_their_part(
    roster: Roster,
) -> None:
    """Typed: the list holds their commune's people only, and they cannot stop it."""
    chief = await _chief(roster)
    both = await _create(roster, chief, "v1", "v3")
    nam = (await roster.chats["r8"].actor()).user_id
    async with roster.app.db.write() as tx:  # Nam (Ninh Hải) blocked the bot: to visit
        await tx.execute(
            update(outbox)
            .where(outbox.c.broadcast_id == both, outbox.c.user_id == nam)
            .values(status="blocked")
        )
    admin = await _admin(roster)
    await admin.say("/broadcast_status")
    assert TEXT in admin.text and "Dừng gửi" not in _shown(admin)
    await admin.say("danh sách chưa nhận")
    document = admin.last[0].document
    assert document is not None
    names = [r[3] for r in csv.reader(io.StringIO(document.data.decode("utf-8-sig")))][1:]
    assert names == ["Nguyễn Văn Cường"]  # not Nam, of Ninh Hải

    await admin.say("/broadcast_status")
    stop = next(c for c in admin.choices() if c.action == "broadcast.file")
    await _forge_stop(admin, stop.key, both)
    await admin.say("dừng gửi")
    assert "Chỉ người soạn thông báo này" in admin.text
    admin_actor = await admin.actor()
    async with roster.app.db.write() as tx:
        assert await service.cancel(tx, admin_actor, both, roster.app.clock.now()) is False
    left = await roster.outbox_rows(both)
    assert len(left) == 4

    await chief.say("/broadcast_status")
    await chief.say("dừng gửi")
    assert "Đã dừng" in chief.text


async def _forge_stop(chat: ChatDriver, key: str, broadcast_id: int) -> None:
    """Turn a stored choice into a stop button for the notice (as an old list would hold)."""
    async with chat.app.db.write() as tx:
        await tx.execute(
            update(choices)
            .where(choices.c.key == key)
            .values(action="broadcast.stop", value=str(broadcast_id), label="Dừng gửi")
        )


async def test_typed_a_commune_admin_composes_for_their_villages_only(roster: Roster) -> None:
    admin = await _admin(roster)
    await admin.say("/broadcast")
    labels = [c.label for c in admin.choices()]
    assert "Đầm Môn" in labels and "Ninh Tịnh" not in labels
    await _forge(admin, "broadcast.village", roster.villages["v3"])  # an old or forged list
    await admin.say("hòn ông")
    assert "không thuộc phạm vi" in admin.text and "Đã chọn" not in admin.text

    chief = await _chief(roster)
    await chief.say("/broadcast")
    assert "Ninh Tịnh" in [c.label for c in chief.choices()]


async def test_older_notices_of_their_commune_are_found_past_the_others(roster: Roster) -> None:
    """A province sends many notices: a commune admin's own are found, not only the latest."""
    ours = await _create(roster, await roster.lead(), "v1")
    other_lead = await roster.staff("lead-b", Role.TEAM_LEAD, commune_id=roster.other_commune)
    author = (await other_lead.actor()).user_id
    now = roster.app.clock.now()
    row = {
        "author_user_id": author,
        "text": "Thông báo của xã khác",
        "audience": {"village_ids": [roster.villages["v3"]], "kind": "all"},
        "status": "done",
        "scheduled_at": now,
        "created_at": now,
    }
    async with roster.app.db.write() as tx:
        await tx.execute(insert(broadcasts), [row] * (report.SCAN_PAGE + 50))
    admin = await _admin(roster)
    await admin.say("/broadcast_status")
    assert TEXT in admin.text and "xã khác" not in admin.text
    assert [c.value for c in admin.choices() if c.action == "broadcast.file"] == [str(ours)]
