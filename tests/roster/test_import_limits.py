"""Roster import limits and the event loop: a row cap, the unzipped size of an XLSX checked
before reading, the file read in a worker thread, and progress from 0 to 100%."""

from __future__ import annotations

import asyncio
import io
import threading

import pytest
from openpyxl import Workbook

from bot.app import App
from bot.services import roster_import
from bot.services.roster_import import RosterFileError, reading, writing
from tests.driver import ChatDriver
from tests.roster.conftest import HEADER, ROWS, Small, count_people, csv_bytes, run_import


async def test_more_rows_than_the_cap_are_refused_before_anything_is_written(
    small: Small, admin: ChatDriver
) -> None:
    before = await count_people(small.app)
    with pytest.raises(RosterFileError, match="hơn 3 dòng"):
        await run_import(small.app, csv_bytes(ROWS), max_rows=3)
    small.app.settings.roster_max_rows = 3
    await admin.send_file("thon.csv", csv_bytes(ROWS))
    assert admin.text == "Tệp có hơn 3 dòng: hãy tách theo xã hoặc thôn."
    assert await count_people(small.app) == before


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(list(HEADER))
    for row in ROWS:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def test_an_xlsx_too_large_unzipped_is_refused_before_reading(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _xlsx()
    report = await run_import(small.app, data, name="thon.xlsx")
    assert report.unchanged == len(ROWS)  # read as it streams, like a CSV
    monkeypatch.setattr(reading, "MAX_UNZIPPED_BYTES", len(data))  # unzipped is bigger
    opened: list[bytes] = []
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: opened.append(b"x"))
    with pytest.raises(RosterFileError, match="quá lớn khi giải nén"):
        await run_import(small.app, data, name="thon.xlsx")
    assert opened == []  # refused from the zip's directory, before openpyxl reads a byte


async def test_the_file_is_read_off_the_event_loop(
    small: Small, monkeypatch: pytest.MonkeyPatch
) -> None:
    entered, release = threading.Event(), threading.Event()
    real = writing.prepare

    def slow_prepare(*args: object) -> object:
        entered.set()
        release.wait(30)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(writing, "prepare", slow_prepare)
    task = asyncio.create_task(run_import(small.app, csv_bytes(ROWS)))
    # Were the file read on the loop, this would never run (the reader waits for `release`).
    assert await asyncio.to_thread(entered.wait, 30)
    assert not task.done()
    others = [await asyncio.sleep(0, result=n) for n in range(100)]
    assert len(others) == 100  # other work goes on
    release.set()
    report = await task
    assert report.unchanged == len(ROWS)


async def test_progress_goes_from_reading_to_writing_to_the_end(app: App) -> None:
    shares: list[float] = []
    rows = [(*ROWS[0][:3], f"Người Thứ {i}", "1980", *ROWS[0][5:]) for i in range(300)]
    rows[0] = (*ROWS[0][:3], "Người Thứ 0", "1980", *ROWS[0][5:])
    report = await run_import(app, csv_bytes(rows), create_places=True, progress=shares.append)
    assert report.imported == 300
    assert shares == sorted(shares) and shares[-1] == 1.0
    assert any(0 < s < writing.READ_SHARE for s in shares)  # reading is reported as it goes
    assert roster_import.MAX_FILE_BYTES == 50 * 1024 * 1024
