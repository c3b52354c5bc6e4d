"""Run one benchmark: `python -m bench NAME [args]`; the last line printed is its JSON."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import signal
import sys
import time

import bench
from bench.common import peak_rss_mb


def available() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name not in ("common",) and not m.name.startswith("_")
    )


# Every bench ends: past this many seconds (TROLY06_BENCH_DEADLINE_S) it stops and says so.
# The benches that wait on other processes have their own, shorter deadlines, which say what
# was missing; this one is the backstop for all.
DEADLINE_S = float(os.environ.get("TROLY06_BENCH_DEADLINE_S", "1800"))


class DeadlineHit(Exception):
    """The bench ran past DEADLINE_S."""


def _on_alarm(signum: int, frame: object) -> None:
    raise DeadlineHit


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in available():
        print(f"usage: python -m bench NAME  (one of: {', '.join(available())})", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, DEADLINE_S)
    try:
        result = module.main(argv[1:])
    except DeadlineHit:
        result = {
            "bench": argv[0],
            "missing": f"no result after {time.monotonic() - started:.0f} s (the deadline)",
        }
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    result.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(result, ensure_ascii=False))
    return 1 if result.get("missing") else 0


raise SystemExit(main(sys.argv[1:]))
