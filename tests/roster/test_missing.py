"""Who is still missing: scope by role, forged requests refused, marks stored and counted."""

from __future__ import annotations

from datetime import date

from bot.storage import conversations
from bot.storage.conversations import StoredChoice
from tests.driver import ChatDriver
from tests.roster.conftest import Small, person


async def forge(chat: ChatDriver, action: str, value: str) -> str:
    """Store a choice this user was never offered, as a tampered client would press it."""
    actor = await chat.actor()
    key = f"forged{len(value)}"
    async with chat.app.db.write() as tx:
        await conversations.add_choices(
            tx, [StoredChoice(key, actor.identity_id, action, value, "x")], chat.app.clock.now()
        )
    return key


async def test_village_head_sees_own_village_by_household_with_masked_phones(
    head: ChatDriver,
) -> None:
    await head.say("/missing")
    text = head.text
    assert "Đầm Môn: còn thiếu 2 người ở 2 hộ" in text
    assert text.index("Hộ H1") < text.index("Nguyễn Văn An") < text.index("Hộ H2")
    assert "Nguyễn Văn An (1950) · chưa có định danh mức 2 · 091****678" in text
    assert "Lê Văn Dũng (1985) · chưa có thẻ căn cước · 098****321" in text
    assert "0912345678" not in text
    assert "Phạm Văn Em" not in text  # Hòn Ông is not theirs
    assert "Nguyễn Văn Cường" not in text  # too young to count
    assert "Trần Thị Bình" not in text  # done


async def test_filters(head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Trên 70 tuổi")
    assert "Nguyễn Văn An" in head.text and "Lê Văn Dũng" not in head.text
    await head.press("Chưa có thẻ căn cước")
    assert "Lê Văn Dũng" in head.text and "Nguyễn Văn An" not in head.text
    await head.press("Đi biển / đi vắng")
    assert "Không còn ai trong danh sách này" in head.text


async def test_forged_page_for_another_village_is_refused(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    key = await forge(head, "missing.page", f"{small.hon_ong}|all|1")
    await head.press_key(key)
    assert head.text == "Bạn không được xem danh sách thôn này."
    assert "Phạm Văn Em" not in head.text


async def test_forged_mark_for_another_village_is_refused(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Đánh dấu")
    em = await person(small.app, "Phạm Văn Em")
    key = await forge(head, "missing.person", str(em["id"]))
    await head.press_key(key)
    assert head.text == "Bạn không được xem thông tin người này."
    assert (await person(small.app, "Phạm Văn Em"))["status"] == "present"


async def test_team_lead_picks_any_village_of_the_commune(lead: ChatDriver) -> None:
    await lead.say("/missing")
    assert {c.label for c in lead.choices()} == {"Đầm Môn", "Hòn Ông"}
    await lead.press("Hòn Ông")
    assert "Hòn Ông: còn thiếu 1 người ở 1 hộ" in lead.text and "Phạm Văn Em" in lead.text


async def test_resident_has_no_missing_list(small: Small) -> None:
    resident = ChatDriver(small.app, "resident")
    await resident.say("/missing")
    assert resident.text == "Bạn không có quyền dùng chức năng này."


async def test_mark_exempt_leaves_the_list_and_the_denominator(
    small: Small, head: ChatDriver
) -> None:
    await head.say("/progress")
    assert "Định danh điện tử mức 2: 2/4 người (50,0%)" in head.text
    await head.say("/missing")
    await head.press("Đánh dấu")
    await head.press("Lê Văn Dũng")
    await head.press("Trường hợp khách quan")
    await head.press("Đang tại ngũ")
    assert "Đã lưu: Lê Văn Dũng là trường hợp khách quan" in head.text
    assert "còn thiếu 1 người ở 1 hộ" in head.text and "· 098****321" not in head.text
    stored = await person(small.app, "Lê Văn Dũng")
    assert (stored["status"], stored["exempt_reason"]) == ("exempt", "army")
    await head.say("/progress")
    assert "Định danh điện tử mức 2: 2/3 người (66,7%)" in head.text
    assert "trường hợp khách quan 1" in head.text


async def test_mark_away_until_a_date_then_present(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Đánh dấu")
    await head.press("Nguyễn Văn An")
    await head.press("Đi vắng")
    await head.say("hôm qua")
    assert "không phải là một ngày sau hôm nay" in head.text
    assert (await person(small.app, "Nguyễn Văn An"))["status"] == "present"
    await head.say("20/12")
    assert "Đã lưu: Nguyễn Văn An đi vắng đến ngày 20/12/2026." in head.text
    assert (
        "Nguyễn Văn An (1950) · chưa có định danh mức 2 · 091****678 · đi vắng đến 20/12/2026"
        in (head.text)
    )
    stored = await person(small.app, "Nguyễn Văn An")
    assert (stored["status"], stored["away_until"]) == ("away", date(2026, 12, 20))
    await head.press("Đi biển / đi vắng")
    assert "Nguyễn Văn An" in head.text and "Lê Văn Dũng" not in head.text
    await head.press("Tất cả người còn thiếu")
    await head.press("Đánh dấu")
    await head.press("Nguyễn Văn An")
    await head.press("Có mặt")
    assert (await person(small.app, "Nguyễn Văn An"))["status"] == "present"


async def test_moved_person_leaves_the_list(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Đánh dấu")
    await head.press("Nguyễn Văn An")
    await head.press("Đã chuyển đi")
    assert "còn thiếu 1 người ở 1 hộ" in head.text
    assert (await person(small.app, "Nguyễn Văn An"))["status"] == "moved"


async def test_paging(small: Small, head: ChatDriver) -> None:
    from bot.services.missing import PAGE_HOUSEHOLDS
    from tests.roster.conftest import csv_bytes, run_import

    rows = [
        ("", "Đầm Môn", f"P{n:02d}", f"Hộ Số {n}", "1980", "", "", "", "", "", "")
        for n in range(PAGE_HOUSEHOLDS * 2)
    ]
    await run_import(small.app, csv_bytes(rows))
    await head.say("/missing")
    assert "Trang 1/3" in head.text and "Hộ H1" in head.text
    await head.press("Trang sau")
    assert "Trang 2/3" in head.text and "Hộ H1" not in head.text
    await head.press("Trang sau")
    assert "Trang 3/3" in head.text and "Trang sau ▶" not in [c.label for c in head.choices()]
    await head.press("Trang trước")
    assert "Trang 2/3" in head.text
