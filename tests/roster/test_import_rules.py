"""Roster import rules: ID numbers, landlines, warnings per cell, encodings, unchanged rows."""

from __future__ import annotations

from bot.services.phone import normalize_phone, parse_phone
from tests.roster.conftest import HEADER, ROWS, Small, count_people, csv_bytes, person, run_import

ID_HEADER = (*HEADER, "Số định danh cá nhân")


def _row(name: str, year: str, id_number: str, phone: str = "", sex: str = "Nam") -> tuple:
    return ("Vạn Thạnh", "Đầm Môn", "H9", name, year, sex, phone, "", "", "", "", id_number)


async def test_id_numbers_are_the_key_and_duplicates_are_refused(small: Small) -> None:
    before = await count_people(small.app)
    rows = [
        # Two different people with the same name and birth year in one household.
        _row("Nguyễn Văn Bình", "1990", "056090001234"),
        _row("Nguyễn Văn Bình", "1990", "056090005678"),
        _row("Trần Văn Trùng", "1991", "056 090 001 234"),  # someone else's ID number
        _row("Lê Văn Sai", "1992", "12345"),
    ]
    report = await run_import(small.app, csv_bytes(rows, header=ID_HEADER))
    assert report.imported == 2
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons == {
        4: "trùng số định danh với dòng 2",
        5: "số định danh cá nhân không hợp lệ (12 chữ số): 12345",
    }
    assert await count_people(small.app) == before + 2
    # Re-imported with the name corrected: the ID number finds the person.
    again = [_row("Nguyễn Văn Bính", "1990", "056090001234"), rows[1]]
    report = await run_import(small.app, csv_bytes(again, header=ID_HEADER))
    assert (report.imported, report.updated, report.unchanged) == (0, 1, 1)
    assert (await person(small.app, "Nguyễn Văn Bính"))["id_number"] == "056090001234"


async def test_landlines_are_kept_bad_optional_cells_only_warn(small: Small) -> None:
    rows = [
        _row("Hồ Văn Bàn", "1970", "", phone="0258 3840 123"),
        _row("Hồ Thị Lạ", "1971", "", phone="0123456789", sex="không rõ"),
    ]
    report = await run_import(small.app, csv_bytes(rows, header=ID_HEADER))
    assert report.imported == 2 and report.rejected == []
    assert [(w.line, w.reason) for w in report.warnings] == [
        (3, "bỏ qua số điện thoại không hợp lệ: 0123456789"),
        (3, "bỏ qua giới tính không rõ: không rõ"),
    ]
    assert (await person(small.app, "Hồ Văn Bàn"))["phone"] == "02583840123"
    lac = await person(small.app, "Hồ Thị Lạ")
    assert lac["phone"] is None and lac["sex"] is None
    # A landline is a valid number, but never one to link a chat by its shared contact.
    assert parse_phone("0258 3840 123") == ("02583840123", False)
    assert parse_phone("+84 912 345 678") == ("0912345678", True)
    assert normalize_phone("0258 3840 123") is None


async def test_future_birth_dates_are_refused(small: Small) -> None:
    report = await run_import(
        small.app, csv_bytes([_row("Bé Tương Lai", "01/01/2999", "")], header=ID_HEADER)
    )
    assert [r.reason for r in report.rejected] == ["ngày sinh không hợp lệ: 01/01/2999"]


async def test_utf16_and_utf8_with_or_without_bom(small: Small) -> None:
    text = csv_bytes(ROWS, sep="\t", bom=False).decode()
    for data in (
        text.encode("utf-16"),  # Excel's "Unicode text": UTF-16 LE with a BOM
        text.encode("utf-16-le"),
        text.encode("utf-16-be"),
        text.encode("utf-8"),
        text.encode("utf-8-sig"),
    ):
        report = await run_import(small.app, data, name="danh-sach.txt")
        assert (report.rows, report.unchanged, report.rejected) == (len(ROWS), len(ROWS), [])


async def test_an_unchanged_file_is_counted_unchanged(small: Small) -> None:
    report = await run_import(small.app, csv_bytes(ROWS))
    assert (report.imported, report.updated, report.unchanged) == (0, 0, len(ROWS))


async def test_a_typo_village_names_the_closest_village_on_file(small: Small) -> None:
    row = ("Vạn Thạnh", "Thôn Đầm Mông", "H1", "Mai Văn Lạc", "1983", "", "", "", "", "", "")
    report = await run_import(small.app, csv_bytes([row]))
    assert [r.reason for r in report.rejected] == [
        "không có thôn này: Thôn Đầm Mông (gần nhất trên hệ thống: Đầm Môn)"
    ]
    assert [(u.name, u.rows, u.closest) for u in report.unknown] == [
        ("Thôn Đầm Mông", 1, "Đầm Môn")
    ]
    # With --create-places the preview (a dry run) lists it, with the same suggestion.
    dry = await run_import(small.app, csv_bytes([row]), create_places=True, dry_run=True)
    assert [(u.name, u.closest) for u in dry.new_villages] == [("Thôn Đầm Mông", "Đầm Môn")]


def test_the_phone_verdict_kept_per_prefix_is_the_library_verdict() -> None:
    import random

    import phonenumbers

    rng = random.Random(13)
    for _ in range(3000):
        rest = "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 9))))
        digits = "0" + rng.choice("123456789") + rest
        number = phonenumbers.parse(digits, "VN")
        valid = phonenumbers.is_valid_number(number)
        mobile = valid and phonenumbers.number_type(number) in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        )
        assert parse_phone(digits) == ((digits, mobile) if valid else None), digits
