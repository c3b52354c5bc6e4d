"""Replies to a notice, the running counts, the report with the on-foot list, stopping."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select, update

import bot.services.broadcast as service
from bot.core.clock import FixedClock
from bot.services.broadcast import Audience, AudienceKind, ReplyOutcome, replies
from bot.services.identity import Role
from bot.storage.tables.broadcast import broadcast_replies, broadcasts
from bot.storage.tables.core import outbox
from tests.broadcast.conftest import Roster
from tests.driver import ChatDriver

TEXT = "Chiều nay 14h làm định danh mức độ 2 tại trụ sở công an xã."


async def _create(roster: Roster, lead: ChatDriver, *, delay: timedelta = timedelta()) -> int:
    app = roster.app
    actor = await lead.actor()
    async with app.db.write() as tx:
        created = await service.create(
            tx,
            actor,
            audience=Audience(
                village_ids=[roster.villages["v1"], roster.villages["v2"]],
                kind=AudienceKind.ALL,
            ),
            text=TEXT,
            with_replies=True,
            scheduled_at=app.clock.now() + delay,
            now=app.clock.now(),
        )
    return created.broadcast_id


async def _key(roster: Roster, chat: ChatDriver, label: str) -> str:
    user_id = (await chat.actor()).user_id
    [row] = [r for r in await roster.outbox_rows() if r["user_id"] == user_id]
    return next(key for text, key in row["payload"]["choices"] if text == label)  # type: ignore[index]


async def _replies(roster: Roster) -> dict[int, str]:
    async with roster.app.db.read() as tx:
        rows = await tx.execute(select(broadcast_replies.c.user_id, broadcast_replies.c.answer))
        return dict(rows.all())  # type: ignore[arg-type]


async def test_replies_are_counted_and_the_last_answer_counts(roster: Roster) -> None:
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead)
    r1, r2 = roster.chats["r1"], roster.chats["r2"]
    await r1.press_key(await _key(roster, r1, "Tôi sẽ đến"))
    assert "đã ghi nhận bạn sẽ đến" in r1.text
    await r2.press_key(await _key(roster, r2, "Không đến được"))
    assert "không đến được" in r2.text
    await r1.press_key(await _key(roster, r1, "Không đến được"))  # changes their mind
    assert "Đã đổi câu trả lời" in r1.text
    await r1.press_key(await _key(roster, r1, "Không đến được"))  # same again: no change
    assert "Đã đổi" not in r1.text
    u1, u2 = (await r1.actor()).user_id, (await r2.actor()).user_id
    assert await _replies(roster) == {u1: "cannot", u2: "cannot"}

    await lead.say("/broadcast_status")
    assert "Phản hồi: 0 người sẽ đến, 2 người không đến được." in lead.text
    assert f"broadcast:{broadcast_id}" not in lead.text


async def test_the_author_hears_the_running_counts(
    roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replies, "REPLY_NOTICE_EVERY", 2)
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead)
    await roster.chats["r1"].press_key(await _key(roster, roster.chats["r1"], "Tôi sẽ đến"))
    author = (await lead.actor()).user_id
    notices = [r for r in await roster.outbox_rows() if r["user_id"] == author]
    assert notices == []
    await roster.chats["r4"].press_key(await _key(roster, roster.chats["r4"], "Không đến được"))
    await roster.chats["r4"].press_key(await _key(roster, roster.chats["r4"], "Tôi sẽ đến"))
    notices = [r for r in await roster.outbox_rows() if r["user_id"] == author]
    assert [n["key"] for n in notices] == [f"broadcast:{broadcast_id}:replies:2"]
    assert "1 người sẽ đến, 1 người không đến được" in notices[0]["text"]  # type: ignore[operator]


async def test_someone_else_cannot_use_a_reply_button(roster: Roster) -> None:
    lead = await roster.lead()
    await _create(roster, lead)
    stolen = await _key(roster, roster.chats["r1"], "Tôi sẽ đến")
    await roster.chats["r8"].press_key(stolen)
    assert "hết hạn" in roster.chats["r8"].text
    assert await _replies(roster) == {}
    r8 = (await roster.chats["r8"].actor()).user_id
    async with roster.app.db.write() as tx:  # a forged value from a non-recipient
        outcome = await service.record_reply(
            tx,
            user_id=r8,
            value="1:coming",
            now=roster.app.clock.now(),
        )
        garbage = await service.record_reply(
            tx, user_id=1, value="x:maybe", now=roster.app.clock.now()
        )
    assert outcome is ReplyOutcome.NOT_RECIPIENT and garbage is ReplyOutcome.NOT_RECIPIENT


async def _settle(roster: Roster, broadcast_id: int, outcomes: dict[str, str]) -> None:
    """Play the sender: set each recipient's outbox row to the given status."""
    users = {name: (await roster.chats[name].actor()).user_id for name in outcomes}
    async with roster.app.db.write() as tx:
        for chat_name, status in outcomes.items():
            user_id = users[chat_name]
            await tx.execute(
                update(outbox)
                .where(outbox.c.broadcast_id == broadcast_id, outbox.c.user_id == user_id)
                .values(status=status)
            )


async def test_the_report_counts_and_lists_who_to_visit(roster: Roster) -> None:
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead)
    await _settle(roster, broadcast_id, {"r1": "sent", "r2": "blocked", "r4": "failed"})
    async with roster.app.db.write() as tx:  # r6 still pending: not done yet
        assert await service.finish_due(tx, roster.app.clock.now()) == []
    await _settle(roster, broadcast_id, {"r6": "sent"})
    async with roster.app.db.write() as tx:
        assert await service.finish_due(tx, roster.app.clock.now()) == [broadcast_id]
        assert await service.finish_due(tx, roster.app.clock.now()) == []  # once only
    author = (await lead.actor()).user_id
    [report] = [r for r in await roster.outbox_rows() if r["user_id"] == author]
    text = str(report["text"])
    assert "Đã gửi: 2. Lỗi: 1. Đã chặn bot: 1." in text
    assert "Đối tượng: 5 người, trong đó 1 người chưa có tài khoản chat." in text
    assert "3 người thuộc 2 hộ gia đình" in text
    assert "Đầm Môn, 01-0001 (1 Đầm Môn): Trần Thị Bình (1983), Nguyễn Văn Cường" in text
    assert "098****321" in text and "0987654321" not in text
    assert "Hùng" not in text and "An (" not in text  # reached

    [(label, key)] = report["payload"]["choices"]  # type: ignore[index]
    assert label == "Tải danh sách (CSV)"
    await lead.press_key(key)
    document = lead.last[0].document
    assert document is not None and document.filename.endswith(".csv")
    assert document.data.startswith(b"\xef\xbb\xbf")  # BOM, for Excel
    rows = list(csv.reader(io.StringIO(document.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Thôn", "Mã hộ", "Địa chỉ", "Họ và tên"]
    assert [(r[3], r[6]) for r in rows[1:]] == [
        ("Trần Thị Bình", "đã chặn bot"),
        ("Nguyễn Văn Cường", "chưa có tài khoản chat"),
        ("Lê Văn Dũng", "gửi lỗi"),
    ]
    assert rows[2][5] == "098****321"
    async with roster.app.db.read() as tx:
        status = await tx.scalar(select(broadcasts.c.status))
    assert status == "done"


async def test_a_village_head_gets_their_own_village_only(roster: Roster) -> None:
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead)
    await _settle(
        roster, broadcast_id, {"r1": "sent", "r2": "sent", "r4": "sent", "r6": "blocked"}
    )
    head = await roster.staff("head", Role.VILLAGE_HEAD, village_id=roster.villages["v2"])
    await head.say("/broadcast_status")
    assert "Đã gửi: 3." in head.text  # the report went out during the check
    await head.press("Danh sách chưa nhận được")
    document = head.last[0].document
    assert document is not None
    names = [r[3] for r in csv.reader(io.StringIO(document.data.decode("utf-8-sig")))][1:]
    assert names == ["Võ Văn Hùng"]  # not Cường from Đầm Môn
    other = await roster.staff("other", Role.VILLAGE_HEAD, village_id=roster.villages["v3"])
    await other.say("/broadcast_status")
    assert "Chưa có thông báo nào." in other.text


async def test_stopping_a_scheduled_notice_withdraws_it(roster: Roster) -> None:
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead, delay=timedelta(hours=3))
    await lead.say("/broadcast_status")
    assert "đã hẹn giờ" in lead.text and "Còn chờ gửi: 4" in lead.text
    await lead.press("Dừng gửi")
    assert "Đã dừng" in lead.text
    assert await roster.outbox_rows(broadcast_id) == []
    r1 = (await roster.chats["r1"].actor()).user_id
    async with roster.app.db.write() as tx:
        outcome = await service.record_reply(
            tx,
            user_id=r1,
            value=f"{broadcast_id}:coming",
            now=roster.app.clock.now(),
        )
    assert outcome is ReplyOutcome.CLOSED
    async with roster.app.db.write() as tx:
        assert await service.finish_due(tx, roster.app.clock.now() + timedelta(hours=4)) == []


async def test_the_watcher_sends_the_report_once_the_time_has_come(
    roster: Roster, clock: FixedClock
) -> None:
    lead = await roster.lead()
    broadcast_id = await _create(roster, lead, delay=timedelta(hours=1))
    await _settle(roster, broadcast_id, dict.fromkeys(("r1", "r2", "r4", "r6"), "sent"))
    watcher = service.ReportWatcher(roster.app.db, clock)
    assert await watcher.check() == []  # not due yet
    clock.advance(timedelta(hours=1))
    assert await watcher.check() == [broadcast_id]
    assert await watcher.check() == []
    author = (await lead.actor()).user_id
    [report] = [r for r in await roster.outbox_rows() if r["user_id"] == author]
    assert "Nguyễn Văn Cường" in str(report["text"])


async def test_the_watcher_is_a_part_of_troly06_run(roster: Roster) -> None:
    from bot.runtime import COMPONENTS, Runtime, load_factory
    from bot.services.sender import Sender

    app = roster.app
    assert "bot.runtime:broadcast_reports_component" in COMPONENTS
    runtime = Runtime(app, Sender(app.db, app.clock, app.settings))
    part = load_factory("bot.runtime:broadcast_reports_component")(runtime)
    assert part is not None and isinstance(part.component, service.ReportWatcher)
    await part.component.start()
    await part.component.stop()
