"""Reading dates the way people type them, solar and lunar, with and without diacritics."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest

from bot.core.i18n import use_locale
from bot.core.understand.dates import (
    Ambiguous,
    Found,
    Problem,
    Refused,
    find_in_text,
    lunar_months,
    lunar_of,
    mentions_date,
    parse,
)
from bot.services.reminders.texts import lunar_words, spoken_date

TODAY = date(2026, 12, 1)  # a Tuesday; lunar 23/10 Bính Ngọ


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12/7", date(2027, 7, 12)),
        ("12-7-2027", date(2027, 7, 12)),
        ("12/7/27", date(2027, 7, 12)),
        ("ngày 12 tháng 7 năm 2027", date(2027, 7, 12)),
        ("mai", date(2026, 12, 2)),
        ("ngày mai", date(2026, 12, 2)),
        ("mốt", date(2026, 12, 3)),
        ("ngày mốt", date(2026, 12, 3)),
        ("ngay mot", date(2026, 12, 3)),
        ("thứ 6 tuần sau", date(2026, 12, 11)),
        ("thu sau tuan sau", date(2026, 12, 11)),
        ("t6", date(2026, 12, 4)),
        ("chủ nhật", date(2026, 12, 6)),
        ("cn", date(2026, 12, 6)),
        ("3 ngày nữa", date(2026, 12, 4)),
        ("sau 2 tuần", date(2026, 12, 15)),
        ("cuối tháng", date(2026, 12, 31)),
        ("cuoi thang sau", date(2027, 1, 31)),
        ("đầu tháng sau", date(2027, 1, 1)),
        ("đến 12/7 nhé", date(2027, 7, 12)),
    ],
)
def test_solar_phrases(text: str, expected: date) -> None:
    parsed = parse(text, TODAY)
    assert isinstance(parsed, Found), parsed
    assert parsed.day == expected
    assert parsed.lunar is None


@pytest.mark.parametrize(
    ("text", "expected", "lunar"),
    [
        ("rằm", date(2026, 12, 23), (15, 11)),  # 15/10 has passed: next lunar month
        ("ram", date(2026, 12, 23), (15, 11)),
        ("mùng 5 tháng sau", date(2026, 12, 13), (5, 11)),
        ("mung 5 thang sau", date(2026, 12, 13), (5, 11)),
        ("15 âm", date(2026, 12, 23), (15, 11)),
        ("mùng 1 tháng 10 âm", date(2027, 10, 29), (1, 10)),
        ("rằm tháng giêng", date(2027, 2, 20), (15, 1)),
        ("15/8 âm lịch", date(2027, 9, 15), (15, 8)),
    ],
)
def test_lunar_phrases(text: str, expected: date, lunar: tuple[int, int]) -> None:
    parsed = parse(text, TODAY)
    assert isinstance(parsed, Found), parsed
    assert parsed.day == expected
    assert parsed.lunar is not None
    assert (parsed.lunar.day, parsed.lunar.month) == lunar


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (1985, date(1985, 1, 21)),  # the Chinese calendar has 1985-02-20
        (2007, date(2007, 2, 17)),  # Chinese: 2007-02-18
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
        (2027, date(2027, 2, 6)),
        (2030, date(2030, 2, 2)),  # Chinese: 2030-02-03
    ],
)
def test_tet_follows_the_vietnamese_calendar(year: int, tet: date) -> None:
    lunar = lunar_of(tet)
    assert (lunar.day, lunar.month, lunar.year, lunar.leap) == (1, 1, year, False)
    assert lunar_of(date(1985, 2, 20)).month == 2  # a month after Vietnamese Tết 1985


def test_ram_thang_gieng_2026() -> None:
    assert parse("rằm tháng giêng", date(2026, 1, 1)) == Found(
        date(2026, 3, 3), lunar_of(date(2026, 3, 3))
    )


def test_lunar_months_have_29_or_30_days_and_chain() -> None:
    months = []
    for month in lunar_months(date(2026, 1, 1)):
        months.append(month)
        if len(months) == 14:
            break
    assert {m.length for m in months} <= {29, 30}
    for first, second in itertools.pairwise(months):
        assert first.start + timedelta(days=first.length) == second.start


def test_on_the_day_itself_a_weekday_or_ram_is_asked_back() -> None:
    assert parse("thứ 3", TODAY) == Ambiguous((date(2026, 12, 1), date(2026, 12, 8)))
    ram_day = date(2026, 12, 23)
    parsed = parse("rằm", ram_day)
    assert isinstance(parsed, Ambiguous)
    assert parsed.candidates[0] == ram_day and lunar_of(parsed.candidates[1]).day == 15


def test_next_week_and_weekend_are_asked_back() -> None:
    week = parse("tuần sau", TODAY)
    assert isinstance(week, Ambiguous)
    assert week.candidates[0] == date(2026, 12, 7) and len(week.candidates) == 7
    assert parse("cuối tuần", TODAY) == Ambiguous((date(2026, 12, 5), date(2026, 12, 6)))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("12/7/2025", Problem.PAST),
        ("30/11/2026", Problem.PAST),
        ("12/7/2028", Problem.TOO_FAR),
        ("2/12/2027", Problem.TOO_FAR),
        ("31/2", Problem.NOT_A_DATE),
        ("32/1", Problem.NOT_A_DATE),
        ("hello", Problem.NOT_A_DATE),
        ("", Problem.NOT_A_DATE),
        ("12/7 rồi đi đâu đó nữa", Problem.NOT_A_DATE),
        ("x" * 5000, Problem.NOT_A_DATE),
    ],
)
def test_refused_with_the_reason(text: str, problem: Problem) -> None:
    parsed = parse(text, TODAY)
    assert isinstance(parsed, Refused)
    assert parsed.problem is problem


def test_a_year_ahead_is_still_fine() -> None:
    assert parse("1/12/2027", TODAY) == Found(date(2027, 12, 1))


def test_dates_inside_a_message() -> None:
    assert find_in_text("di bien den 12/7", TODAY) == Found(date(2027, 7, 12))
    found = find_in_text("tôi đi biển tới rằm mới về", TODAY)
    assert isinstance(found, Found) and found.day == date(2026, 12, 23)
    assert find_in_text("toi co mot cau hoi", TODAY) is None  # "một" is not "mốt"
    assert not mentions_date("di bien co can lam cccd khong")
    assert not mentions_date("số điện thoại 0905.123.456")


def test_read_back_in_words() -> None:
    with use_locale("vi"):
        assert spoken_date(date(2027, 7, 14)) == "thứ Tư, 14 tháng 7 năm 2027"
        assert lunar_words(lunar_of(date(2026, 12, 23))) == "rằm tháng 11 âm lịch"
        assert lunar_words(lunar_of(date(2026, 12, 13))) == "mùng 5 tháng 11 âm lịch"
    with use_locale("en"):
        assert spoken_date(date(2027, 7, 14)) == "Wednesday, 14 July 2027"
