"""Run one benchmark: `python -m bench NAME [args]`; the last line printed is its JSON."""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys

import bench
from bench.common import peak_rss_mb


def available() -> list[str]:
    return sorted(
        m.name
        for m in pkgutil.iter_modules(bench.__path__)
        if m.name not in ("common",) and not m.name.startswith("_")
    )


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in available():
        print(f"usage: python -m bench NAME  (one of: {', '.join(available())})", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    result = module.main(argv[1:])
    result.setdefault("peak_rss_mb", peak_rss_mb())
    print(json.dumps(result, ensure_ascii=False))
    return 0


raise SystemExit(main(sys.argv[1:]))
