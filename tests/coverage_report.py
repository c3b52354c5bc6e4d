"""After `coverage run`: the least covered flows, and the named areas that must stay above 90%.

`./dev cover` runs the suite under coverage (`concurrency = greenlet,thread`, so code run by
SQLAlchemy's async engine counts) and then this. Exit status 1 when a named area is under 90%.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = 90.0
# (file, function or "" for the whole file): what issue 17 names.
NAMED = (
    ("reminders/jobs.py", ""),
    ("bot/services/booking/waitlist.py", ""),
    ("bot/services/booking/sessions.py", "move_session"),
    ("bot/services/booking/sessions.py", "set_machines"),
)


def _percent(summary: dict[str, float]) -> float:
    statements = summary["num_statements"] + summary.get("num_branches", 0)
    covered = summary["covered_lines"] + summary.get("covered_branches", 0)
    return 100.0 * covered / statements if statements else 100.0


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "coverage.json"
        subprocess.run(
            [sys.executable, "-m", "coverage", "json", "-q", "-o", str(out)], cwd=ROOT, check=True
        )
        files = json.loads(out.read_text())["files"]
    flows = sorted(
        (_percent(data["summary"]), name)
        for name, data in files.items()
        if name.startswith("handlers/") and not name.endswith("__init__.py")
    )
    print("least covered flows (handlers):")
    for percent, name in flows[:8]:
        print(f"  {percent:5.1f}%  {name}")
    total = sum(d["summary"]["covered_lines"] for d in files.values())
    statements = sum(d["summary"]["num_statements"] for d in files.values())
    print(f"all code: {100.0 * total / statements:.1f}% of {statements} statements")
    low = []
    print(f"named areas (floor {FLOOR:.0f}%):")
    for name, function in NAMED:
        data = files.get(name)
        if data is None:
            low.append(name)
            print(f"   n/a   {name} (not measured)")
            continue
        if function:
            found = data.get("functions", {}).get(function)
            if found is None:
                low.append(f"{name}:{function}")
                print(f"   n/a   {name}:{function} (no such function)")
                continue
            data = found
        percent = _percent(data["summary"])
        label = f"{name}:{function}" if function else name
        print(f"  {percent:5.1f}%  {label}")
        if percent < FLOOR:
            low.append(label)
    return 1 if low else 0


if __name__ == "__main__":
    raise SystemExit(main())
