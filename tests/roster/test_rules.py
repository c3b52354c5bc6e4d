"""The import refuses a birth date after today, and never stores a sex it does not know."""

from __future__ import annotations

from tests.roster.conftest import Small, count_people, csv_bytes, person, run_import


def _row(name: str, born: str, sex: str) -> tuple[str, ...]:
    return ("Vạn Thạnh", "Đầm Môn", "H9", name, born, sex, "", "", "", "", "")


async def test_a_birth_date_after_today_is_refused(small: Small) -> None:
    before = await count_people(small.app)
    # Today is 1 December 2026 (the tests' clock).
    report = await run_import(
        small.app,
        csv_bytes(
            [
                _row("Đỗ Văn Mai", "02/12/2026", "Nam"),  # tomorrow
                _row("Đỗ Thị Năm", "2027", "Nữ"),  # next year
                _row("Đỗ Văn Nay", "01/12/2026", "Nam"),  # born today: fine
            ]
        ),
    )
    reasons = {r.line: r.reason for r in report.rejected}
    assert reasons == {
        2: "ngày sinh không hợp lệ: 02/12/2026",
        3: "ngày sinh không hợp lệ: 2027",
    }
    assert report.imported == 1
    assert await count_people(small.app) == before + 1


async def test_a_sex_the_import_does_not_know_is_left_out_with_a_warning(small: Small) -> None:
    report = await run_import(
        small.app,
        csv_bytes(
            [
                _row("Đỗ Văn Sáu", "1980", "X"),
                _row("Đỗ Thị Bảy", "1981", "không biết"),
                _row("Đỗ Văn Tám", "1982", "nam"),
                _row("Đỗ Thị Chín", "1983", ""),  # blank: unknown, kept blank, no warning
            ]
        ),
    )
    assert report.rejected == [] and report.imported == 4
    assert {r.line: r.reason for r in report.warnings} == {
        2: "bỏ qua giới tính không rõ: X",
        3: "bỏ qua giới tính không rõ: không biết",
    }
    sexes = [
        (await person(small.app, name))["sex"]
        for name in ("Đỗ Văn Sáu", "Đỗ Thị Bảy", "Đỗ Văn Tám", "Đỗ Thị Chín")
    ]
    assert sexes == [None, None, "M", None]
