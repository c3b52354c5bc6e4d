"""Roster bench: import 100,000 rows, then at province scale time the missing list and progress.

1. A generated CSV of 100,000 people (5 communes of 10 villages of about 2,000 people) is
   imported through the real import path (parse, check, match, write), then imported again
   (every row matched, the re-import case).
2. The database is grown to about 1.2 million people (a province: 65 communes; or
   `--people 2000000 --communes 100`) with INSERT ... SELECT (bench/_province.py).
3. Through the services, each call in its own read transaction: the missing list of one
   village (page 1) for its village head, and the progress of one commune for its team lead
   (p50 / p99 ms), beside a trivial read (SELECT 1 in its own transaction) as the baseline
   of the same run. On PostgreSQL the grown database is vacuumed first, as autovacuum does
   after a bulk insert. Also measured, for information: the same two through the chat
   dispatcher, the whole province's progress for an admin, and drawing the chart.

4. The chat round (bench/_roster_chat.py, `--chat-rows`): others' /help latency alone, while a
   file is imported in one transaction (as the chat did before), and while an admin sends a
   file in the chat and confirms it.
5. While the first import runs, a ticker measures how long other coroutines wait for the
   event loop (the file is read in a worker thread). Last, the largest accepted file (an
   XLSX at the row cap, 200,000 rows) is imported in a fresh process for its peak RSS.

On `--engine postgresql` it runs on a throwaway server (as the tests do) or on
TROLY06_BENCH_PG_URL (an empty database).

Usage: python -m bench roster [--engine sqlite|postgresql] [--rows N] [--people N]
       [--communes N] [--repeat N] [--largest N] [--chat-rows N]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import shutil
import statistics
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bench import _province as province
from bench._roster_chat import chat_round
from bench.common import percentile, pg_database, temp_db_url
from bot.app import App, build_app
from bot.config import Settings
from bot.core.clock import FixedClock
from bot.core.i18n import use_locale
from bot.core.inbound import Inbound
from bot.demo.roster import FAMILY, GIVEN_F, GIVEN_M, MIDDLE_F, MIDDLE_M
from bot.services import identity, missing, progress
from bot.services.identity import Actor, Grant, Role
from bot.services.roster_import import import_roster

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
HEADER = "Xã,Thôn,Hộ,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Tàu,Thẻ căn cước,Định danh mức 2"
VILLAGE_PEOPLE = 2_000
VILLAGES_PER_COMMUNE = 10
PROVINCE_COMMUNES = 65


def roster_csv(rows: int, seed: int = 6) -> bytes:
    """A deterministic roster as village offices send it (mixed date forms and yes/no words)."""
    rng = random.Random(seed)
    lines = [HEADER]
    household = 0
    left_in_household = 0
    for index in range(rows):
        village = index // VILLAGE_PEOPLE
        commune = village // VILLAGES_PER_COMMUNE
        if left_in_household == 0 or index % VILLAGE_PEOPLE == 0:
            household += 1
            left_in_household = rng.choice((1, 2, 3, 4, 4, 5, 5, 6))
        left_in_household -= 1
        male = rng.random() < 0.5
        name = " ".join(
            (
                rng.choice(FAMILY),
                rng.choice(MIDDLE_M if male else MIDDLE_F),
                rng.choice(GIVEN_M if male else GIVEN_F),
                str(index),  # keeps names unique within a household
            )
        )
        year = rng.randint(1935, 2024)
        born = rng.choice(
            (
                str(year),
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{year}",
                f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            )
        )
        phone = f"09{rng.randint(10_000_000, 99_999_999)}" if rng.random() < 0.6 else ""
        boat = f"KH-9{village:03d}{household % 50:02d}-TS" if male and rng.random() < 0.2 else ""
        card = rng.random() < 0.85
        level2 = card and rng.random() < 0.6
        lines.append(
            ",".join(
                (
                    f"Xã Bench {commune:02d}",
                    f"Thôn {village:03d}",
                    f"{household:06d}",
                    name,
                    born,
                    "Nam" if male else "Nữ",
                    phone,
                    boat,
                    "có" if card else rng.choice(("", "chưa", "không")),
                    "x" if level2 else "",
                )
            )
        )
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


async def timed_import(
    app: App, data: bytes, lags: list[float] | None = None, name: str = "bench.csv"
) -> tuple[float, float, Any]:
    """Wall seconds, CPU seconds of the whole process (SQLite's thread included), report.

    With `lags`, a ticker runs beside the import and records how late (ms) each of its
    5 ms sleeps ends: how long any other coroutine (another user's message) waits for the
    event loop meanwhile.
    """
    done = asyncio.Event()
    ticker = asyncio.create_task(_tick(done, lags)) if lags is not None else None
    start, cpu = time.perf_counter(), time.process_time()
    try:
        async with app.db.write() as tx:
            report = await import_roster(tx, name, data, NOW, create_places=True)
    finally:
        done.set()
        if ticker is not None:
            await ticker
    return time.perf_counter() - start, time.process_time() - cpu, report


async def _tick(done: asyncio.Event, lags: list[float] | None) -> None:
    assert lags is not None
    while not done.is_set():
        before = time.perf_counter()
        await asyncio.sleep(0.005)
        lags.append((time.perf_counter() - before - 0.005) * 1000)


def roster_xlsx(rows: int) -> bytes:
    """The same roster as an Excel workbook (written row by row, as Excel would keep it)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    lines = roster_csv(rows).decode("utf-8-sig").splitlines()
    for line in lines:
        sheet.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _largest_child(path: str, queue: Any) -> None:
    """In a fresh process: import the file, report the peak RSS (the import's own cost)."""
    from bench.common import peak_rss_mb

    data = Path(path).read_bytes()

    async def go() -> tuple[float, int]:
        url = temp_db_url("largest.db")
        app = await build_app(Settings(db_url=url, _env_file=None), FixedClock(NOW))  # type: ignore[call-arg]
        try:
            seconds, _cpu, report = await timed_import(app, data, name="largest.xlsx")
        finally:
            await app.close()
            shutil.rmtree(Path(url.removeprefix("sqlite+aiosqlite:///")).parent, True)
        return seconds, report.imported

    seconds, imported = asyncio.run(go())
    queue.put({"s": round(seconds, 1), "imported": imported, "peak_rss_mb": peak_rss_mb()})


def largest_file(rows: int) -> dict[str, Any]:
    """The largest accepted file (the row cap), as XLSX, imported in a fresh process."""
    import multiprocessing
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="troly06-bench-"))
    path = folder / "largest.xlsx"
    path.write_bytes(roster_xlsx(rows))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=_largest_child, args=(str(path), queue))
    child.start()
    result = queue.get(timeout=1800)
    child.join()
    size_mb = round(path.stat().st_size / 1024 / 1024, 1)
    shutil.rmtree(folder, ignore_errors=True)
    return {"rows": rows, "xlsx_mb": size_mb, **result}


async def grow(app: App, people: int, already: int, communes: int) -> float:
    """Add communes of generated people until about `communes` communes and `people` people."""
    new = communes - -(-already // (VILLAGE_PEOPLE * VILLAGES_PER_COMMUNE))  # imported ones
    start = time.perf_counter()
    async with app.db.write() as tx:
        await province.grow(
            tx,
            communes=new,
            households_per_village=province.households_per_village(people - already, new),
            now=NOW,
        )
    if app.db.engine.dialect.name == "postgresql":
        # What autovacuum does after a bulk insert (PostgreSQL 13+): it marks the pages
        # all-visible, so the counts are index-only scans, as on a server that has run a while.
        async with app.db.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - start


async def timings(call: Any, repeat: int) -> dict[str, float]:
    values = []
    for _ in range(repeat):
        start = time.perf_counter()
        await call()
        values.append((time.perf_counter() - start) * 1000)
    return {
        "p50": round(statistics.median(values), 2),
        "p99": round(percentile(values, 0.99), 2),
    }


async def scale_queries(app: App, repeat: int, commune_count: int) -> dict[str, Any]:
    async with app.db.read() as tx:
        village_id, commune_id = (
            await tx.execute(text("SELECT id, commune_id FROM villages ORDER BY id LIMIT 1"))
        ).one()
        people_total = int(await tx.scalar(text("SELECT count(*) FROM persons")) or 0)
    head = Actor(
        0, 0, "bench", "", None, None, (Grant(Role.VILLAGE_HEAD, village_id, commune_id),)
    )
    lead = Actor(0, 0, "bench", "", None, None, (Grant(Role.TEAM_LEAD, None, commune_id),))
    admin = Actor(0, 0, "bench", "", None, None, (Grant(Role.ADMIN),))
    today = date(2026, 12, 1)

    async def missing_list() -> None:
        async with app.db.read() as tx:
            page = await missing.missing_page(tx, head, village_id, missing.Filter.ALL, 1, today)
            assert page.people

    async def commune_progress() -> None:
        async with app.db.read() as tx:
            (commune,) = await progress.progress(tx, lead, today)
            assert commune.tally.counted

    async def province_progress() -> None:
        async with app.db.read() as tx:
            assert len(await progress.progress(tx, admin, today)) == commune_count

    async with app.db.read() as tx:
        communes = await progress.progress(tx, lead, today)
    chart_ms = []
    for _ in range(5):
        start = time.perf_counter()
        progress.render_chart(communes)
        chart_ms.append((time.perf_counter() - start) * 1000)

    async def baseline() -> None:
        async with app.db.read() as tx:
            await tx.execute(text("SELECT 1"))

    base = await timings(baseline, repeat)
    missing_ms = await timings(missing_list, repeat)
    progress_ms = await timings(commune_progress, repeat)
    return {
        "people_total": people_total,
        "village_people": VILLAGE_PEOPLE,
        "commune_people": VILLAGE_PEOPLE * VILLAGES_PER_COMMUNE,
        "baseline_select_1_ms": base,
        "missing_list_ms": missing_ms,
        "commune_progress_ms": progress_ms,
        "p50_over_baseline": {
            "missing_list": round(missing_ms["p50"] / max(base["p50"], 0.01), 1),
            "commune_progress": round(progress_ms["p50"] / max(base["p50"], 0.01), 1),
        },
        "province_progress_ms": await timings(province_progress, 5),
        "chart_ms_p50": round(statistics.median(chart_ms[1:]), 1),
        **await chat_timings(app, village_id, commune_id, repeat // 4),
    }


async def chat_timings(
    app: App, village_id: int, commune_id: int, repeat: int
) -> dict[str, dict[str, float]]:
    """The same through the dispatcher (actor, conversation, choices, commit)."""
    head = await staff(app, "bench-head", Role.VILLAGE_HEAD, village_id=village_id)
    lead = await staff(app, "bench-lead", Role.TEAM_LEAD, commune_id=commune_id)

    async def head_missing() -> None:
        await app.dispatcher.handle(replace(head, text="/missing"))

    async def lead_progress() -> None:
        await app.dispatcher.handle(replace(lead, text="/progress"))

    return {
        "chat_missing_ms": await timings(head_missing, repeat),
        "chat_progress_with_chart_ms": await timings(lead_progress, max(3, repeat // 5)),
    }


async def staff(app: App, user: str, role: Role, **scope: int) -> Inbound:
    """A console user holding `role`, as the inbound message they would send."""
    inbound = Inbound(channel="console", chat_id=user, user_id=user)
    async with app.db.write() as tx:
        actor = await identity.resolve(tx, inbound, NOW)
        await identity.grant(tx, actor.user_id, role, NOW, **scope)  # type: ignore[arg-type]
    return inbound


async def run(
    rows: int, people: int, repeat: int, communes: int, url: str, chat_rows: int = 0
) -> dict[str, Any]:
    settings = Settings(db_url=url, _env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings, FixedClock(NOW))
    try:
        data = roster_csv(rows)
        lags: list[float] = []
        first_s, first_cpu, first = await timed_import(app, data, lags)
        again_s, _again_cpu, again = await timed_import(app, data)
        assert first.imported == rows and again.unchanged == rows and not again.rejected
        chat = await chat_round(app, chat_rows, NOW, roster_csv, staff) if chat_rows else {}
        grow_s = await grow(app, people, rows, communes)
        with use_locale("vi"):
            scale = await scale_queries(app, repeat, communes)
    finally:
        await app.close()
    return {
        "engine": app.db.engine.dialect.name,
        "import_rows": rows,
        "import_s": round(first_s, 2),
        "import_rows_per_s": round(rows / first_s),
        "import_rows_per_cpu_s": round(rows / first_cpu),
        "reimport_rows_per_s": round(rows / again_s),
        "others_wait_during_import_ms": {
            "p50": round(statistics.median(lags), 1) if lags else 0.0,
            "p99": round(percentile(lags, 0.99), 1),
            "max": round(max(lags, default=0.0), 1),
        },
        **chat,
        "grow_to_province_s": round(grow_s, 1),
        **scale,
        "target_import_rows_per_s": 20_000,
        "target_p99_ms": 50,
        "targets_met": rows / first_s >= 20_000
        and scale["missing_list_ms"]["p99"] <= 50
        and scale["commune_progress_ms"]["p99"] <= 50,
    }


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench roster")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=1_200_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--communes", type=int, default=PROVINCE_COMMUNES)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--largest",
        type=int,
        default=200_000,
        help="rows of the largest-file round (an XLSX at the row cap); 0 to skip",
    )
    parser.add_argument(
        "--chat-rows",
        type=int,
        default=20_000,
        help="rows of each file of the chat round (others' /help while one imports); 0: skip",
    )
    args = parser.parse_args(argv)
    if args.engine == "postgresql":
        with pg_database() as url:
            result = asyncio.run(
                run(args.rows, args.people, args.repeat, args.communes, url, args.chat_rows)
            )
    else:
        url = temp_db_url("roster.db")
        try:
            result = asyncio.run(
                run(args.rows, args.people, args.repeat, args.communes, url, args.chat_rows)
            )
        finally:
            folder = Path(url.removeprefix("sqlite+aiosqlite:///")).parent
            shutil.rmtree(folder, ignore_errors=True)
    if args.largest:
        result["largest_file"] = largest_file(args.largest)
        result["largest_rss_under_400_mb"] = result["largest_file"]["peak_rss_mb"] < 400
    return result
