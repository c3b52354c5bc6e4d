"""The village head's list by typing: search by name or household, pages, filters, undoing
every mark (who set it, when), and a reason asked for "Lý do khác"."""

from __future__ import annotations

from tests.driver import ChatDriver
from tests.roster.conftest import Small, person


async def test_search_by_name_with_or_without_marks_and_by_household(head: ChatDriver) -> None:
    await head.say("/missing")
    await head.say("tìm Nguyễn Văn An")
    assert head.text == "Tìm thấy 1 người. Chọn người để xem hoặc đổi đánh dấu:"
    assert head.choices()[0].label == "Nguyễn Văn An (1950) · H1"
    await head.say("binh")  # no marks, and a done person is found too
    assert [c.label for c in head.choices()][:1] == ["Trần Thị Bình (1955) · H1"]
    await head.say("hộ 2")
    assert [c.label for c in head.choices()][:2] == [
        "Lê Văn Dũng (1985) · H2",
        "Lê Thị Hoa (1990) · H2",
    ]
    await head.say("Phạm Văn Em")  # Hòn Ông is not this head's village
    assert head.text.startswith("Không có ai trong thôn khớp với “Phạm Văn Em”")


async def test_pages_and_filters_by_typing(head: ChatDriver) -> None:
    await head.say("/missing")
    await head.say("trang 5")  # past the end: the last page
    assert "Trang 1/1" in head.text  # the list, not the FAQ
    await head.say("chỉ người đi biển")
    assert "Đi biển / đi vắng" in head.text.splitlines()[0]
    await head.say("trang sau")
    assert "Đi biển / đi vắng" in head.text.splitlines()[0]  # the filter is kept


async def test_a_moved_person_is_found_and_the_mark_undone(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.press("Đánh dấu")
    await head.press("Lê Văn Dũng")
    await head.press("Đã chuyển đi")
    assert "Lê Văn Dũng" not in head.text.split("\n\n", 1)[1]  # off the list
    await head.say("le van dung")  # "dung" alone is the cancel word "dừng"
    assert head.choices()[0].label == "Lê Văn Dũng (1985) · H2 · đã chuyển đi"
    await head.press(1)
    first = head.text.splitlines()[0]
    assert first.startswith("Hiện tại: đã chuyển đi (do ") and "đánh dấu lúc" in first
    await head.press("Có mặt")
    assert "Đã lưu: Lê Văn Dũng đã có mặt trở lại." in head.text
    assert (await person(small.app, "Lê Văn Dũng"))["status"] == "present"


async def test_other_reason_is_asked_and_kept(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.say("Nguyễn Văn An")
    await head.press(1)
    await head.press("Trường hợp khách quan")
    await head.press("Lý do khác")
    assert head.text == "Lý do là gì? Gõ ngắn gọn, ví dụ: đang đi tù."
    await head.say("lý do: đang chữa bệnh dài ngày")
    assert "Đã lưu: Nguyễn Văn An là trường hợp khách quan" in head.text
    an = await person(small.app, "Nguyễn Văn An")
    assert (an["status"], an["exempt_reason"], an["exempt_detail"]) == (
        "exempt",
        "other",
        "đang chữa bệnh dài ngày",
    )
    # A reason typed instead of picked: a known one is stored as such.
    await head.say("Lê Văn Dũng")
    await head.press(1)
    await head.press("Trường hợp khách quan")
    await head.say("đã qua đời")
    assert (await person(small.app, "Lê Văn Dũng"))["exempt_reason"] == "dead"


async def test_the_situation_typed_instead_of_pressed(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    await head.say("Lê Văn Dũng")
    await head.say("1")
    await head.say("chuyển đi")
    assert "Đã lưu: Lê Văn Dũng đã chuyển đi" in head.text
    await head.say("le van dung")
    await head.say("1")
    await head.say("có mặt")
    assert "Đã lưu: Lê Văn Dũng đã có mặt trở lại." in head.text
    await head.say("Lê Văn Dũng")
    await head.say("1")
    await head.say("không biết")
    assert head.text.startswith('Gõ "có mặt", "đi vắng", "chuyển đi" hoặc "miễn"')
