"""Composing a notice in the chat: villages, audience, preview counts, now or later, scope."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from bot.core.clock import FixedClock
from bot.services.identity import Role
from bot.storage.tables.broadcast import broadcast_recipients, broadcasts
from tests.broadcast.conftest import Roster
from tests.driver import ChatDriver

NOTICE = "Sáng 3/12 tổ công tác 06 làm căn cước tại nhà văn hoá thôn. Mang theo điện thoại."


async def _compose(chat: ChatDriver, audience: str, *, replies: bool = True) -> None:
    await chat.say("/broadcast")
    await chat.press("Tất cả các thôn")
    await chat.press(audience)
    if audience.startswith("Ngư dân"):
        await chat.say("3/12 - 10/12")
    await chat.say(NOTICE)
    await chat.press("Có, thêm nút" if replies else "Không")


async def _broadcast_rows(chat: ChatDriver) -> list[dict[str, object]]:
    async with chat.app.db.read() as tx:
        return [dict(r._mapping) for r in await tx.execute(select(broadcasts))]


async def test_send_now_to_everyone_queues_one_message_per_chat(roster: Roster) -> None:
    lead = await roster.lead()
    await lead.say("/broadcast")
    # Vietnamese order: Đ after D (and before H), not after Z.
    assert [c.label for c in lead.choices()][:2] == ["Đầm Môn", "Hòn Ông"]
    assert "Ninh Tịnh" not in [c.label for c in lead.choices()]  # another commune
    await _compose(lead, "Tất cả người dân")
    assert NOTICE in lead.text
    assert "5 người: 4 người sẽ nhận qua chat" in lead.text
    assert "1 người chưa có tài khoản chat (1 hộ gia đình)" in lead.text
    await lead.press("Gửi ngay")
    assert "Đang gửi đến 4 người" in lead.text

    [row] = await _broadcast_rows(lead)
    assert row["status"] == "sending" and row["with_replies"] is True
    assert row["scheduled_at"] == lead.app.clock.now()
    rows = await roster.outbox_rows(row["id"])  # type: ignore[arg-type]
    users = {(await roster.chats[n].actor()).user_id for n in ("r1", "r2", "r4", "r6")}
    assert {r["user_id"] for r in rows} == users
    assert all(r["status"] == "pending" for r in rows)
    assert all(r["next_attempt_at"] == lead.app.clock.now() for r in rows)
    assert all(NOTICE in r["text"] and "Tổ công tác" in r["text"] for r in rows)
    labels = [[c[0] for c in r["payload"]["choices"]] for r in rows]  # type: ignore[index]
    assert labels == [["Tôi sẽ đến", "Không đến được"]] * 4
    async with lead.app.db.read() as tx:
        snapshot = (
            await tx.execute(
                select(broadcast_recipients.c.has_chat, func.count()).group_by(
                    broadcast_recipients.c.has_chat
                )
            )
        ).all()
    assert dict(snapshot) == {True: 4, False: 1}
    assert lead.choices()  # back at the main menu


async def test_only_missing_people(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Chỉ những người còn thiếu", replies=False)
    assert "3 người: 2 người sẽ nhận qua chat" in lead.text
    assert "Nút trả lời: không." in lead.text
    await lead.press("Gửi ngay")
    [row] = await _broadcast_rows(lead)
    rows = await roster.outbox_rows(row["id"])  # type: ignore[arg-type]
    expected = {(await roster.chats[n].actor()).user_id for n in ("r2", "r4")}
    assert {r["user_id"] for r in rows} == expected
    assert all(r["payload"]["choices"] == [] for r in rows)  # type: ignore[index]


async def test_fishermen_coming_in_between_two_dates(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Ngư dân về bờ")
    assert "ngư dân về bờ từ 03/12 đến 10/12" in lead.text
    assert "2 người: 2 người sẽ nhận qua chat" in lead.text  # Dũng's boat, Hùng's own date


async def test_nobody_in_the_window_offers_another_audience(roster: Roster) -> None:
    lead = await roster.lead()
    await lead.say("/broadcast")
    await lead.press("Tất cả các thôn")
    await lead.press("Ngư dân về bờ")
    await lead.say("hôm nay 1/12 đến 2/12")
    await lead.say(NOTICE)
    await lead.press("Không")
    assert "Không có ai thuộc đối tượng này." in lead.text
    assert "Gửi ngay" not in [c.label for c in lead.choices()]
    await lead.press("Chọn lại đối tượng")
    assert "Ai sẽ nhận thông báo?" in lead.text


async def test_bad_dates_are_asked_again(roster: Roster) -> None:
    lead = await roster.lead()
    await lead.say("/broadcast")
    await lead.press("Tất cả các thôn")
    await lead.press("Ngư dân về bờ")
    await lead.say("tuần sau")
    assert "chưa đọc được ngày" in lead.text
    await lead.say("1/11 - 5/11")
    assert "đã qua" in lead.text
    await lead.say("31/2 - 5/3")
    assert "chưa đọc được ngày" in lead.text
    await lead.say("3/12 - 10/12")
    assert "Gõ nội dung thông báo" in lead.text


async def test_villages_are_picked_one_by_one(roster: Roster) -> None:
    lead = await roster.lead()
    await lead.say("/broadcast")
    assert "Tiếp tục" not in [c.label for c in lead.choices()]
    await lead.press("Hòn Ông")
    assert "Đã chọn: Hòn Ông." in lead.text
    await lead.press("Đầm Môn")
    await lead.press("✓ Đầm Môn")  # unpick
    assert "Đã chọn: Hòn Ông." in lead.text
    await lead.press("Tiếp tục")
    await lead.press("Tất cả người dân")
    await lead.say(NOTICE)
    await lead.press("Không")
    assert "1 người: 1 người sẽ nhận qua chat" in lead.text  # Hùng; Lan moved away
    assert "tại Hòn Ông" in lead.text


async def test_a_village_head_reaches_only_their_village(roster: Roster) -> None:
    head = await roster.staff("head", Role.VILLAGE_HEAD, village_id=roster.villages["v2"])
    await head.say("/broadcast")  # one village: straight to the audience
    await head.press("Tất cả người dân")
    await head.say(NOTICE)
    await head.press("Không")
    await head.press("Gửi ngay")
    [row] = await _broadcast_rows(head)
    rows = await roster.outbox_rows(row["id"])  # type: ignore[arg-type]
    hung = (await roster.chats["r6"].actor()).user_id  # Hòn Ông's one resident with a chat
    assert [r["user_id"] for r in rows] == [hung]


async def test_a_forged_village_is_refused(roster: Roster) -> None:
    lead = await roster.lead()
    await lead.say("/broadcast")
    key = lead.choice("Hòn Ông").key
    async with lead.app.db.write() as tx:  # forge the stored value: another commune's village
        from bot.storage.tables.core import choices

        await tx.execute(
            choices.update().where(choices.c.key == key).values(value=str(roster.villages["v3"]))
        )
    await lead.press_key(key)
    assert "không thuộc phạm vi" in lead.text
    assert "Đã chọn" not in lead.text


async def test_residents_cannot_broadcast(roster: Roster) -> None:
    resident = roster.chats["r1"]
    await resident.say("/broadcast")
    assert "không có quyền" in resident.text
    assert await _broadcast_rows(resident) == []


async def test_send_at_a_set_time(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    await lead.press("Hẹn giờ gửi")
    await lead.say("17h")
    assert "Thông báo sẽ được gửi lúc 17:00" in lead.text
    assert "giờ nghỉ" not in lead.text
    await lead.press("Xác nhận")
    assert "Đã hẹn gửi lúc" in lead.text
    [row] = await _broadcast_rows(lead)
    due = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)  # 17:00 in Khánh Hòa
    assert row["status"] == "scheduled" and row["scheduled_at"] == due
    rows = await roster.outbox_rows(row["id"])  # type: ignore[arg-type]
    assert len(rows) == 4 and all(r["next_attempt_at"] == due for r in rows)


async def test_a_time_in_the_quiet_hours_moves_to_their_end(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    await lead.press("Hẹn giờ gửi")
    await lead.say("22h30")
    assert "Không gửi thông báo trong giờ nghỉ (21:00–05:00)" in lead.text
    assert "05:00" in lead.text
    await lead.press("Xác nhận")
    [row] = await _broadcast_rows(lead)
    assert row["scheduled_at"] == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)  # 05:00 on 2/12


async def test_send_now_at_night_waits_for_the_morning(roster: Roster, clock: FixedClock) -> None:
    clock.set(datetime(2026, 12, 1, 16, 30, tzinfo=UTC))  # 23:30 local
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    await lead.press("Gửi ngay")
    assert "giờ nghỉ" in lead.text
    assert "Đang gửi" not in lead.text
    assert await _broadcast_rows(lead) == []  # nothing until confirmed
    await lead.press("Xác nhận")
    [row] = await _broadcast_rows(lead)
    assert row["scheduled_at"] == datetime(2026, 12, 1, 22, 0, tzinfo=UTC)


async def test_a_past_time_is_refused(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    await lead.press("Hẹn giờ gửi")
    await lead.say("7h 1/12")
    assert "đã qua" in lead.text
    await lead.say("khi nào cũng được")
    assert "chưa đọc được giờ" in lead.text
    assert await _broadcast_rows(lead) == []


async def test_cancel_drops_the_draft(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    await lead.press("Huỷ")
    assert "Thông báo chưa được gửi." in lead.text
    assert await _broadcast_rows(lead) == []
    assert await roster.outbox_rows() == []


async def test_a_double_tap_on_send_queues_once(roster: Roster) -> None:
    lead = await roster.lead()
    await _compose(lead, "Tất cả người dân")
    send = lead.choice("Gửi ngay").key
    await lead.press_key(send)
    await lead.press_key(send)
    assert "hết hạn" in lead.text
    assert len(await _broadcast_rows(lead)) == 1
    assert len(await roster.outbox_rows()) == 4


async def test_start_from_an_open_session(roster: Roster) -> None:
    from datetime import date, time

    from bot.services.booking import sessions

    lead = await roster.lead()
    actor = await lead.actor()
    async with lead.app.db.write() as tx:
        point = await sessions.add_point(
            tx, actor, name="Nhà văn hoá Đầm Môn", village_id=roster.villages["v1"], address=""
        )
        assert not isinstance(point, str)
        spec = sessions.SessionSpec(point.id, date(2026, 12, 3), time(7), time(11), 2, 10)
        session_id = await sessions.open_session(tx, spec, now=lead.app.clock.now(), created_by=1)
    await lead.say("/broadcast")
    await lead.press("Tất cả các thôn")
    await lead.press("Tất cả người dân")
    assert "Hoặc bắt đầu từ một buổi thu nhận" in lead.text
    await lead.press("Nhà văn hoá Đầm Môn")
    assert "07:00–11:00" in lead.text and "Nhà văn hoá Đầm Môn" in lead.text
    await lead.press("Không")
    await lead.press("Gửi ngay")
    [row] = await _broadcast_rows(lead)
    assert row["session_id"] == session_id
    assert "07:00–11:00" in str(row["text"])
