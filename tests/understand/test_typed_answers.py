"""The table of typed answers (typed_answers.tsv): each must get the meaning written beside it.

Rows marked as a known gap are kept in the table, so the share understood stays honest; they
must still be misread (a gap that starts working should lose its mark).
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from bot.core.understand import dates, meaning, options, people, times
from bot.core.understand.cancel import is_cancel
from bot.core.understand.options import Option
from bot.core.understand.yesno import yes_no
from bot.services.booking.rules import Service
from handlers.booking_flow_common import SERVICE_WORDS

TABLE = Path(__file__).with_name("typed_answers.tsv")
TODAY = date(2026, 11, 30)
TARGET = 0.95


def _session(day: int, start: str, end: str, place: str, weekday: str) -> Option:
    first, last = time.fromisoformat(start), time.fromisoformat(end)
    label = f"{weekday} {day:02d}/12, {start}–{end} · {place}"
    return Option(label, meaning.on_day(date(2026, 12, day), first, last))


def _slot(start: str) -> Option:
    at = time.fromisoformat(start)
    end = time(at.hour + (at.minute + 30) // 60, (at.minute + 30) % 60)
    return Option(start, meaning.at_time(at, end))


LISTS: dict[str, list[Option]] = {
    "yn": [Option("Đúng rồi"), Option("Không, ngày khác")],
    "sessions": [
        _session(1, "07:30", "11:30", "Trạm y tế xã", "Thứ Ba"),
        _session(2, "07:30", "11:30", "Nhà văn hóa thôn Hòn Ông", "Thứ Tư"),
        _session(3, "13:30", "16:30", "Đồn biên phòng Hòn Khói", "Thứ Năm"),
        _session(5, "07:30", "11:00", "Trụ sở UBND xã (Ủy ban nhân dân xã)", "Thứ Bảy"),
        _session(6, "14:00", "17:00", "Nhà văn hóa thôn Bãi Giếng", "Chủ nhật"),
    ],
    "slots": [_slot(s) for s in ("07:30", "08:00", "08:30", "09:00", "13:30", "14:00", "14:30")],
    "purpose": [  # with the words the booking flow declares for its services
        Option("Làm thẻ căn cước", SERVICE_WORDS[Service.ID_CARD]),
        Option("Kích hoạt định danh mức 2", SERVICE_WORDS[Service.EID_LEVEL2]),
        Option("Cả hai", SERVICE_WORDS[Service.BOTH]),
    ],
    "group": [Option("Tiếp tục với 2 người"), Option("Đổi số người"), Option("Quay lại")],
    "people": [Option(str(n), meaning.number(n)) for n in range(1, 6)],
    "menu": [
        Option("Hỏi đáp về VNeID"),
        Option("Đặt lịch làm căn cước"),
        Option("Tôi đi biển / đi làm xa"),
        Option("Lịch hẹn của tôi"),
        Option("Liên kết với danh sách dân cư"),
        Option("Yêu cầu cán bộ đến nhà"),
        Option("Đổi ngôn ngữ"),
        Option("Trợ giúp"),
    ],
}


def rows() -> list[tuple[str, str, str, bool]]:
    table = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, typed, expected, *rest = line.split("\t")
        table.append((kind, typed, expected, bool(rest and rest[0] == "gap")))
    return table


def _date(text: str) -> str:
    parsed = dates.parse(text, TODAY)
    if isinstance(parsed, dates.Refused) and parsed.problem is dates.Problem.NOT_A_DATE:
        found = dates.find_in_text(text, TODAY)
        parsed = found if found is not None else parsed
    if isinstance(parsed, dates.Found):
        return parsed.day.isoformat()
    if isinstance(parsed, dates.Ambiguous):
        return "ask"
    return "past" if parsed.problem is dates.Problem.PAST else "none"


def _time(text: str) -> str:
    when = times.read_time(text)
    if isinstance(when, times.At):
        return f"{when.at:%H:%M}"
    if isinstance(when, times.Between):
        return f"{when.start:%H:%M}-{when.end:%H:%M}"
    if isinstance(when, times.Earliest):
        return "earliest"
    return "any" if isinstance(when, times.Anytime) else "none"


def _option(kind: str, text: str) -> str:
    found = options.pick(text, LISTS[kind.split(":")[1]], TODAY)
    if isinstance(found, options.Picked):
        return str(found.index + 1)
    if isinstance(found, options.Several):
        return "ask"  # which of these? (the fitting options are asked back)
    return "out" if isinstance(found, options.OutOfRange) else "none"


def _someone(someone: people.Someone) -> str:
    return someone.kin or " ".join(someone.words)


def _who(text: str) -> str:
    said = people.read_who(text)
    if isinstance(said, people.Everyone):
        return "everyone"
    if isinstance(said, people.Only):
        return "+".join(["me", *(_someone(s) for s in said.others)])
    if isinstance(said, people.Add | people.Remove):
        verb = "add" if isinstance(said, people.Add) else "remove"
        return f"{verb}:" + "+".join(_someone(s) for s in said.who)
    return "none"


def read(kind: str, text: str) -> str:
    """The meaning the layer gives `text`, written as in the table."""
    if kind == "yesno":
        answer = yes_no(text)
        return "none" if answer is None else ("yes" if answer else "no")
    if kind == "cancel":
        return "cancel" if is_cancel(text) else "not"
    if kind == "date":
        return _date(text)
    if kind == "time":
        return _time(text)
    if kind == "who":
        return _who(text)
    return _option(kind, text)


ROWS = rows()


def test_the_table_is_large_and_covers_every_kind() -> None:
    assert len(ROWS) >= 300
    kinds = {kind.split(":")[0] for kind, *_ in ROWS}
    assert kinds == {"yesno", "cancel", "date", "time", "option", "who"}
    assert sum(1 for _k, typed, *_ in ROWS if typed.isascii()) >= 100  # without marks too


@pytest.mark.parametrize(("kind", "typed", "expected", "gap"), ROWS)
def test_each_typed_answer(kind: str, typed: str, expected: str, gap: bool) -> None:
    got = read(kind, typed)
    if gap:
        assert got != expected, f"{typed!r} is understood now: remove its gap mark"
    else:
        assert got == expected, f"{kind} {typed!r}: got {got}, expected {expected}"


def test_share_understood_meets_the_target() -> None:
    understood = sum(1 for kind, typed, expected, _gap in ROWS if read(kind, typed) == expected)
    share = understood / len(ROWS)
    print(f"typed answers understood: {understood}/{len(ROWS)} = {share:.1%}")
    assert share >= TARGET
