"""Helpers shared by the benchmarks: percentiles, peak memory, a fresh database."""

from __future__ import annotations

import atexit
import contextlib
import os
import resource
import shutil
import statistics
import tempfile
from collections.abc import Iterator
from pathlib import Path


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def percentile(values: list[float], share: float) -> float:
    """The `share` percentile (0.99 for p99) of `values`; 0 for none."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=1000, method="inclusive")[int(share * 1000) - 1]


def temp_db_url(name: str = "bench.db") -> str:
    """A SQLite file in a new temporary folder, removed when the bench ends."""
    folder = Path(tempfile.mkdtemp(prefix="troly06-bench-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return f"sqlite+aiosqlite:///{folder / name}"


@contextlib.contextmanager
def pg_database(max_connections: int = 200) -> Iterator[str]:
    """A PostgreSQL URL: TROLY06_BENCH_PG_URL if set, else a throwaway server for this run."""
    if url := os.environ.get("TROLY06_BENCH_PG_URL"):
        yield url
        return
    from bot.testing import postgres

    with postgres.throwaway(max_connections) as cluster:
        yield cluster.url


def cpu_by_pid(match: str) -> dict[int, float]:
    """CPU seconds so far of each process whose command line contains `match` (Linux /proc)."""
    found: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            if match.encode() not in cmdline:
                continue
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        found[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return found


def cpu_between(before: dict[int, float], after: dict[int, float]) -> float:
    """CPU seconds the processes in `after` used since `before` (new ones: all of theirs)."""
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


async def fresh_database(admin_url: str, name: str) -> str:
    """A new empty database beside `admin_url`'s (one a round may fill without clearing)."""
    import asyncpg

    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    return admin_url.rsplit("/", 1)[0] + "/" + name
