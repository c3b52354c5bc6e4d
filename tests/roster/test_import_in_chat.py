"""A roster file sent in the chat is read and written outside the message's transaction:
others are answered while it is read, and between its write steps; a step that fails is
told, and confirming again finishes the import without doubles; after a crash mid-import
the message is still unanswered, and handling it again finishes the import."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot.core.inbound import Inbound
from bot.services.identity import Role
from bot.services.roster_import import steps, writing
from bot.storage import inbox
from bot.storage import roster as store
from tests.driver import ChatDriver
from tests.roster.conftest import ROWS, Small, count_people, csv_bytes

NEW_ROWS = [
    ("Vạn Thạnh", "Đầm Môn", f"N{i // 3}", f"Người Mới {i}", "1980", "Nam", "", "", "", "", "")
    for i in range(9)
]
GUARD_S = 30  # only so that a failure ends; the assertions are about order, not time


@pytest.fixture
def slow_reading(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, ...]]:
    """The file reader waits for `release` once it has `entered` (a big file, in effect)."""
    entered, release = threading.Event(), threading.Event()
    real = writing.prepare

    def slow_prepare(*args: object) -> object:
        entered.set()
        release.wait(GUARD_S)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "prepare", slow_prepare)
    yield entered, release
    release.set()


async def _answered_while_reading(
    slow: tuple[threading.Event, ...], importing: asyncio.Task[object], other: ChatDriver
) -> list[str]:
    """Another user's /help, sent while the file is being read: answered before it ends."""
    entered, release = slow
    assert await asyncio.to_thread(entered.wait, GUARD_S)
    helping = asyncio.create_task(other.say("/help"))
    done, _pending = await asyncio.wait(
        {helping, importing}, timeout=GUARD_S, return_when=asyncio.FIRST_COMPLETED
    )
    assert done == {helping}  # answered while the import still waits for its file
    release.set()
    await importing
    entered.clear()
    release.clear()
    return [r.text for r in other.last]


async def test_others_are_answered_while_a_file_is_previewed_and_imported(
    small: Small, admin: ChatDriver, slow_reading: tuple[threading.Event, ...]
) -> None:
    resident = ChatDriver(small.app, "resident")
    before = await count_people(small.app)
    preview = asyncio.create_task(admin.send_file("thon.csv", csv_bytes(NEW_ROWS)))
    answered = await _answered_while_reading(slow_reading, preview, resident)
    assert answered and answered[0]
    assert admin.text.startswith("Xem trước tệp danh sách: 9 dòng, thêm mới 9 người")
    assert await count_people(small.app) == before
    importing = asyncio.create_task(admin.say("đồng ý"))
    await _answered_while_reading(slow_reading, importing, resident)
    assert admin.text.startswith("Đã nhập danh sách: 9 dòng, thêm mới 9 người")
    assert await count_people(small.app) == before + 9


async def test_others_write_between_the_import_steps(
    small: Small, admin: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not small.app.db.is_sqlite:
        pytest.skip("only SQLite has one write lock: on PostgreSQL nobody waits on the steps")
    monkeypatch.setattr(steps, "STEP_ROWS", 2)  # 9 people: 5 write steps
    resident = ChatDriver(small.app, "resident")
    written: list[int] = []
    helped: list[int] = []
    real_insert = store.insert_people

    async def insert_people(tx: object, rows: list[dict[str, object]]) -> None:
        await real_insert(tx, rows)  # type: ignore[arg-type]
        written.append(len(rows))
        if len(written) == 1:  # queued behind this step's transaction
            task = asyncio.create_task(resident.say("/help"))
            task.add_done_callback(lambda _t: helped.append(len(written)))

    monkeypatch.setattr(store, "insert_people", insert_people)
    await admin.send_file("thon.csv", csv_bytes(NEW_ROWS))
    await admin.say("ok")
    assert admin.text.startswith("Đã nhập danh sách: 9 dòng, thêm mới 9 người")
    assert written == [2, 2, 2, 2, 1]
    assert helped and helped[0] < len(written)  # answered between two steps, not after all
    assert resident.text


@pytest.mark.parametrize("yes", ["đúng", "ok", "ừ", "đồng ý", "Đúng rồi"])
async def test_a_typed_yes_imports_the_previewed_file(
    small: Small, admin: ChatDriver, yes: str
) -> None:
    before = await count_people(small.app)
    await admin.send_file("thon.csv", csv_bytes(NEW_ROWS))
    assert "Chưa ghi gì" in admin.text
    await admin.say(yes)
    assert admin.text.startswith("Đã nhập danh sách: 9 dòng, thêm mới 9 người")
    assert await count_people(small.app) == before + 9


@pytest.mark.parametrize("no", ["không", "thôi", "huỷ"])
async def test_a_typed_no_imports_nothing(small: Small, admin: ChatDriver, no: str) -> None:
    before = await count_people(small.app)
    await admin.send_file("thon.csv", csv_bytes(NEW_ROWS))
    await admin.say(no)
    await admin.say("ok")  # nothing waits any more
    assert "Đã nhập" not in admin.text
    assert await count_people(small.app) == before


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("thon.csv", b"\x00\x01\x02 not a roster \xff\xfe", "Không"),
        ("thon.csv", csv_bytes(ROWS, header=("A", "B", "C")), "cột"),
        ("thon.xlsx", b"PK\x03\x04 broken zip", "Không"),
    ],
)
async def test_a_broken_file_gets_a_clear_answer_and_changes_nothing(
    small: Small, admin: ChatDriver, name: str, data: bytes, says: str
) -> None:
    before = await count_people(small.app)
    await admin.send_file(name, data)
    assert says in admin.text
    assert "Sorry" not in admin.text and "Xin lỗi, đã có lỗi" not in admin.text
    await admin.say("đồng ý")
    assert "Đã nhập" not in admin.text
    assert await count_people(small.app) == before


async def test_a_failed_step_is_told_and_confirming_again_finishes_without_doubles(
    small: Small, admin: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "STEP_ROWS", 4)  # 9 people: 3 write steps
    before = await count_people(small.app)
    real_insert = store.insert_people
    calls: list[int] = []

    async def failing_second(tx: object, rows: list[dict[str, object]]) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise OSError("disk full")
        await real_insert(tx, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "insert_people", failing_second)
    await admin.send_file("thon.csv", csv_bytes(NEW_ROWS))
    await admin.say("đồng ý")
    assert "dừng sau khi ghi 4 trên 9 người" in admin.text  # not "imported"
    assert "Đã nhập" not in admin.text
    assert await count_people(small.app) == before + 4
    monkeypatch.setattr(store, "insert_people", real_insert)
    await admin.say("đồng ý")  # the flow and the file were kept: this finishes it
    assert admin.text.startswith("Đã nhập danh sách: 9 dòng, thêm mới 5 người")
    assert "không đổi 4" in admin.text
    assert await count_people(small.app) == before + 9


class Killed(BaseException):
    """The process dying mid-import (no handler catches it)."""


async def test_a_crash_mid_import_leaves_the_message_unanswered_and_a_rerun_finishes_it(
    small: Small, admin: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "STEP_ROWS", 4)  # 9 people: 3 write steps
    before = await count_people(small.app)
    await admin.send_file("thon.csv", csv_bytes(NEW_ROWS))
    async with small.app.db.write() as tx:
        [row] = await inbox.insert_received(
            tx, "console", [inbox.Received("u-1", "admin", "admin", "{}")], small.app.clock.now()
        )
    confirm = Inbound(channel="console", chat_id="admin", user_id="admin", text="đồng ý")
    confirm = replace(confirm, inbox_id=row.id)
    real_insert = store.insert_people
    calls: list[int] = []

    async def dying_on_the_second(tx: object, rows: list[dict[str, object]]) -> None:
        calls.append(len(rows))
        if len(calls) == 2:
            raise Killed
        await real_insert(tx, rows)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "insert_people", dying_on_the_second)
    with pytest.raises(Killed):
        await small.app.dispatcher.handle(confirm)
    assert await count_people(small.app) == before + 4  # the first step only
    async with small.app.db.read() as tx:
        [left] = await inbox.unfinished(tx, "console")
    assert (left.id, left.status) == (row.id, inbox.NEW)  # not answered: handled on restart
    monkeypatch.setattr(store, "insert_people", real_insert)
    replies = await small.app.dispatcher.handle(confirm)  # the restart handles it again
    assert replies[-1].text.startswith("Đã nhập danh sách: 9 dòng, thêm mới 5 người")
    assert await count_people(small.app) == before + 9
    async with small.app.db.read() as tx:
        [answered] = await inbox.unfinished(tx, "console")
    assert answered.status == inbox.HANDLED
    assert answered.replies[-1].text == replies[-1].text


async def test_two_admins_confirming_the_same_file_at_once_add_its_people_once(
    small: Small, admin: ChatDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = ChatDriver(small.app, "admin-2")
    await other.grant(Role.ADMIN)
    before = await count_people(small.app)
    for chat in (admin, other):
        await chat.send_file("thon.csv", csv_bytes(NEW_ROWS))
    both_read = threading.Barrier(2, timeout=GUARD_S)
    real = writing.prepare

    def together(*args: object) -> object:
        both_read.wait()  # both files read at once, then matched and written
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "prepare", together)
    monkeypatch.setattr(steps, "STEP_ROWS", 2)
    await asyncio.gather(admin.say("đồng ý"), other.say("đồng ý"))
    assert await count_people(small.app) == before + 9
    texts = sorted([admin.text, other.text])
    assert "thêm mới 0 người" in texts[0] and "không đổi 9" in texts[0]
    assert "thêm mới 9 người" in texts[1]
