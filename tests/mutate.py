"""A small mutation run: break each named rule in the code, run its tests, expect them to fail.

`./dev mutate` (or `python -m tests.mutate [NAME ...]`). Each mutation replaces one snippet of
one file, runs the tests named for it, and puts the file back. A mutation is *killed* when
those tests fail, *survived* when they pass, *stale* when its snippet is no longer in the code
(update the list). The run fails unless every mutation is killed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutation:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


MUTATIONS: tuple[Mutation, ...] = (
    Mutation(
        "capacity: read, yield, write instead of one conditional UPDATE",
        "bot/storage/booking/gates.py",
        """    result = await tx.execute(_TAKE, {"slot": slot_id, "people": people})
    return result.rowcount == 1""",
        """    row = (
        await tx.execute(
            select(booking_slots.c.taken, booking_slots.c.capacity).where(
                booking_slots.c.id == slot_id
            )
        )
    ).one()
    await __import__("asyncio").sleep(0)
    if row.taken + people > row.capacity:
        return False
    await tx.execute(
        update(booking_slots)
        .where(booking_slots.c.id == slot_id)
        .values(taken=row.taken + people)
    )
    return True""",
        ("tests/booking/test_interleaving.py",),
    ),
    Mutation(
        "set_machines may shrink a session below its bookings",
        "bot/services/booking/sessions.py",
        """    if any(size < slot.taken for size, slot in zip(sizes, current, strict=True)):
        return SessionError.OVERFULL""",
        "",
        ("tests/booking/test_interleaving.py",),
    ),
    Mutation(
        "the per-user dispatcher lock removed (a fresh key each message)",
        "bot/core/dispatcher.py",
        "async with self._locks.hold((inbound.channel, inbound.chat_id, inbound.user_id)):",
        "async with self._locks.hold(object()):",
        ("tests/core/test_user_lock.py",),
    ),
    Mutation(
        "the sender's channel-wide rate bucket removed",
        "bot/services/sender/lane.py",
        "start = max(ready_at, self.paused_until, self._token_at(now))",
        "start = max(ready_at, self.paused_until)",
        ("tests/outbox/test_pacing.py",),
    ),
    Mutation(
        "the import accepts birth dates after today",
        "bot/services/roster_import/cells.py",
        "if not 1900 <= year <= today.year or (born is not None and born > today):",
        "if not 1900 <= year:",
        ("tests/roster/test_rules.py",),
    ),
    Mutation(
        "the import stores a sex it does not know, without a warning",
        "bot/services/roster_import/cells.py",
        'return "F" if key in FEMALE else False',
        'return "F" if key in FEMALE else text',
        ("tests/roster/test_rules.py",),
    ),
    Mutation(
        "a notice's audience ignores its villages",
        "bot/storage/broadcast.py",
        """            households.c.village_id.in_(list(village_ids)),
            persons.c.status.notin_(NOT_RESIDENT),""",
        """            persons.c.status.notin_(NOT_RESIDENT),""",
        ("tests/broadcast/test_compose.py::test_a_village_head_reaches_only_their_village",),
    ),
    Mutation(
        "a team lead sees every commune's villages",
        "bot/services/access.py",
        "in_communes = await places.village_ids(tx, actor.commune_ids(Role.TEAM_LEAD) | admin)",
        "in_communes = await places.village_ids(tx) if actor.commune_ids(Role.TEAM_LEAD) | admin"
        " else set()",
        ("tests/core/test_access.py",),
    ),
    Mutation(
        "a date more than a year ahead is accepted",
        "bot/core/understand/dates/__init__.py",
        "fitting = [d for d in days if today <= d <= latest_day(today)]",
        "fitting = [d for d in days if today <= d]",
        ("tests/reminders/test_dates.py",),
    ),
    Mutation(
        "a lunar date is read without its lunar day",
        "bot/core/understand/dates/__init__.py",
        "return _judge(rule.days(found, today), today, rule.lunar)",
        "return _judge(rule.days(found, today), today, False)",
        ("tests/reminders/test_dates.py",),
    ),
    Mutation(
        "the FAQ offers a flow the user's roles do not allow",
        "bot/core/dispatcher.py",
        "return route is not None and route.states is None and route.allows(actor.roles)",
        "return route is not None and route.states is None",
        ("tests/faq/test_chat.py::test_flow_needing_a_role_is_not_offered",),
    ),
    Mutation(
        "the core imports a service again",
        "bot/core/actor.py",
        "from bot.core.inbound import Inbound\n",
        "from bot.core.inbound import Inbound\nfrom bot.services import identity  # noqa: F401\n",
        ("tests/test_layers.py",),
    ),
    Mutation(
        "reminder jobs import their scheduler back (a cycle)",
        "reminders/jobs.py",
        "from typing import Protocol\n",
        "from typing import TYPE_CHECKING, Protocol\n\nif TYPE_CHECKING:\n"
        "    from reminders.scheduler import ReminderScheduler  # noqa: F401\n",
        ("tests/test_layers.py",),
    ),
    Mutation(
        "a service imports the runtime again",
        "bot/services/broadcast/report.py",
        "from bot.storage.db import Database\n",
        "from bot.storage.db import Database\nfrom bot.runtime import Part  # noqa: F401\n",
        ("tests/test_layers.py",),
    ),
    Mutation(
        "folding keeps marks typed as separate characters",
        "bot/core/text.py",
        'bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))',
        'bare = "".join(decomposed)',
        ("tests/core/test_text.py",),
    ),
    Mutation(
        "a running worker takes up a worker found gone only once, not twice apart",
        "bot/core/inbox_peers.py",
        "return [other for other, first in since if now - first >= self.adopt_after]",
        "return [other for other, first in since]",
        ("tests/inbox/test_dead_workers.py",),
    ),
    Mutation(
        "a running worker takes up the rows of live workers too",
        "bot/storage/inbox.py",
        "if other is not None and other != worker and await gone(tx, other)",
        "if other is not None and other != worker and (await gone(tx, other) or True)",
        ("tests/inbox/test_dead_workers.py",),
    ),
    Mutation(
        "a stopping worker takes up a dead worker's rows it will not answer",
        "bot/core/inbox_peers.py",
        "        if not self.adopting:\n            return 0\n",
        "",
        ("tests/inbox/test_dead_workers.py",),
    ),
    Mutation(
        "the village trigger is not made again after a bulk insert (SQLite)",
        "bot/storage/roster.py",
        "    yield\n    await tx.exec_driver_sql(sql)\n",
        "    yield\n",
        ("tests/roster/test_people_storage.py",),
    ),
    Mutation(
        "a message's turn goes on when another worker holds its chat's lock",
        "bot/storage/inbox.py",
        "        await lock_for_transaction(tx, lock)\n        check = ",
        "        check = ",
        ("tests/inbox/test_workers.py",),
    ),
    Mutation(
        "an insert of any number of rows is one multi-row statement",
        "bot/storage/prepared.py",
        "1 < len(params) <= MULTI_ROW_INSERT:",
        "1 < len(params) <= MULTI_ROW_INSERT * 1000:",
        ("tests/core/test_prepared.py",),
    ),
)


def _run_tests(tests: tuple[str, ...]) -> int:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    return subprocess.run(command, cwd=ROOT, capture_output=True, check=False).returncode


def run(mutation: Mutation) -> str:
    path = ROOT / mutation.file
    source = path.read_text(encoding="utf-8") if path.is_file() else ""
    if source.count(mutation.original) != 1:
        return "stale"
    try:
        path.write_text(source.replace(mutation.original, mutation.replacement), encoding="utf-8")
        code = _run_tests(mutation.tests)
    finally:
        path.write_text(source, encoding="utf-8")
    # pytest: 0 passed, 1 some test failed; anything else (2 interrupted, 4 usage) is an error.
    return {0: "survived", 1: "killed"}.get(code, f"error (pytest exit {code})")


def main(argv: list[str]) -> int:
    chosen = [m for m in MUTATIONS if not argv or any(a in m.name for a in argv)]
    baseline = sorted({t for m in chosen for t in m.tests})
    if _run_tests(tuple(baseline)) != 0:
        print("the named tests fail without any mutation: fix them first")
        return 1
    results = {}
    for mutation in chosen:
        started = time.monotonic()
        outcome = run(mutation)
        results[mutation.name] = outcome
        print(f"{outcome:>9}  {time.monotonic() - started:5.1f} s  {mutation.name}", flush=True)
    killed = sum(outcome == "killed" for outcome in results.values())
    print(json.dumps({"mutations": len(results), "killed": killed, "results": results}))
    return 0 if killed == len(results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
