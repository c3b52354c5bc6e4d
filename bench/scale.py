"""Several workers on one PostgreSQL: throughput, a booking race, a scheduler leader killed.

`python -m bench scale [--updates N] [--users U] [--repeat T] [--connections C] [--attempts A]
[--reminders R] [--recipients P] [--only SECTION,...] [--extra-cpu-ms X]`

Runs on a throwaway PostgreSQL started as the tests do (bot/testing/postgres.py), or on
TROLY06_BENCH_PG_URL (an empty database the bench may fill).

- updates_per_s: "echo" is a bare PTB echo bot polling the fake Bot API; "1", "2", "4" are that
  many worker processes (`troly06 run --workers N`'s way: the Telegram channel and the real
  dispatcher, the webhook on one port shared with SO_REUSEPORT) on one fresh database with the
  demo commune. The one fake Bot API posts the updates to that port on 16 lanes, a new
  connection per call, so the kernel spreads them over the workers, and every worker answers
  through it. Timed from the push until every inbox row is done (its replies sent); a round
  where an update was not handled exactly once, or the fake got other than the replies, says so
  under "problems". updates_detail gives per round (of the last turn) the CPU milliseconds per
  update of the workers, of this round's PostgreSQL server processes and of the fake (so what
  two cores could carry at best can be worked out on a loaded machine), how the updates spread
  over the workers, the load average, and messages handled before an earlier one of their chat.
  The 1, 2 and 4 rounds run in turn T times (3): each rate is the median of its rounds,
  updates_detail.samples has them all, and updates_detail.ratio_2_to_1 is the median of "2 over
  1" within each turn (the shared machine's pace drifts from round to round);
  updates_detail.ceiling_2_to_1 the median of what two cores could carry at best at the CPU per
  update of the 2-worker round (workers, PostgreSQL and the fake), over the 1-worker rate of the
  same turn: the ratio could not be higher than that on this machine. The N updates
  come from U users (300): a user's next message often reaches the other worker while its last
  one waits there; `--users N` gives each update a user of its own. `--extra-cpu-ms X` is a
  diagnostic, never the bot's figure: each worker spends X ms more CPU per message (a busy loop),
  as a heavier bot would, to check the ceiling's account of the ratio (updates_detail says X).
- booking: C connections at once, each attempt its own transaction through the service,
  A attempts for one slot; overbooked counts bookings and taken places beyond capacity.
- leader_kill: two workers run the scheduler under the leader lock; R reminders fall due
  over 20 s; the leader is SIGKILLed after 6 s; fired, duplicates and missed are read from
  the reminders and outbox tables, takeover_s from the kill to the follower leading.
- broadcast: a notice to `--recipients` chats through two sender workers against the fake
  Bot API (200/s, 1/s per chat, 1% 429s, every 50th chat blocked), counted at the fake. Both
  workers send (claims with SKIP LOCKED, a chat held by one left to it, the rate split).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.common import cpu_between, cpu_by_pid, fresh_database, pg_database
from bot.app import build_app
from bot.config import Settings
from bot.core.clock import FixedClock, SystemClock
from bot.services.booking import reservations
from bot.services.booking.sessions import SessionSpec, open_session
from bot.storage import booking as store
from bot.storage import identities
from bot.storage import inbox as store_inbox
from bot.storage.db import Database
from bot.storage.tables.booking import bookings
from bot.storage.tables.core import communes, outbox
from bot.storage.tables.inbox import inbox
from bot.storage.tables.reminders import reminders
from bot.supervisor import WORKER_VARIABLE

NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[1]


def _worker(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench._scale_worker", *args],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


# --- updates -----------------------------------------------------------------------------

PHASE_DEADLINE_S = 300.0  # a phase not finished after this long is reported unfinished
POLL_S = 0.1  # how often the bench counts finished rows (each count costs the workers' CPU)
WEBHOOK_CONNECTIONS = 16  # the fake posts on this many connections at once (Telegram: up to 100)


async def updates_section(
    admin_url: str, count: int, users: int, repeat: int = 3, extra_ms: float = 0.0
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Updates per second (echo, 1, 2, 4 workers), and per round what the workers used.

    The rounds of 1, 2 and 4 workers run in turn, `repeat` times: a shared machine's pace
    drifts between one round and the next, so each figure is the median of its rounds, and
    `ratio_2_to_1` the median of the ratios within each turn.
    """
    from bench.updates import FakeServer, _free_port, echo_phase, make_updates

    server = FakeServer()  # one fake Bot API: Telegram, for the echo bot and every round
    await server.start()
    try:
        await echo_phase(server, make_updates(200, 50), 4, PHASE_DEADLINE_S)
        echo_s = await echo_phase(server, make_updates(count, users), 4, PHASE_DEADLINE_S)
        rates: dict[str, Any] = {"echo": round(count / echo_s, 1)}
        detail: dict[str, Any] = {}
        await server.client.post("/_fake/webhook", json={"connections": WEBHOOK_CONNECTIONS})
        samples: dict[str, list[float]] = {"1": [], "2": [], "4": []}
        ceilings: list[float] = []
        for _turn in range(repeat):
            for workers in (1, 2, 4):
                round_url = await fresh_database(admin_url, f"scale_updates_{workers}")
                rate, problems, detail[str(workers)] = await _workers_round(
                    server, round_url, workers, _free_port(), make_updates(count, users), extra_ms
                )
                samples[str(workers)].append(rate)
                if problems:
                    rates.setdefault("problems", {})[str(workers)] = problems
            ceilings.append(_two_cores_at_best(detail["2"]) / samples["1"][-1])
    finally:
        await server.stop()
    rates.update({k: round(statistics.median(v), 1) for k, v in samples.items()})
    detail["samples"] = samples
    ratios = [two / one for one, two in zip(samples["1"], samples["2"], strict=True)]
    detail["ratio_2_to_1"] = round(statistics.median(ratios), 3)
    detail["ceiling_2_to_1"] = round(statistics.median(ceilings), 3)
    if extra_ms:
        detail["extra_cpu_ms"] = extra_ms
    return rates, detail


def _two_cores_at_best(round_detail: dict[str, Any]) -> float:
    """Updates per second this machine's two cores could carry at the CPU per update of that
    round (workers, PostgreSQL and the fake together): its ceiling, were every cycle used."""
    return 2000.0 / sum(round_detail["cpu_ms_per_update"].values())


async def _workers_round(
    server: Any,
    url: str,
    workers: int,
    port: int,
    updates: list[dict[str, Any]],
    extra_ms: float = 0.0,
) -> tuple[float, list[str], dict[str, Any]]:
    """Updates per second through `workers` worker processes; what went wrong, if anything;
    the CPU the workers used per update, how the updates spread, the load average."""
    from bot.demo import ensure_demo

    app = await build_app(Settings(db_url=url, _env_file=None), SystemClock())  # type: ignore[call-arg]
    await ensure_demo(app)
    procs = [
        _worker(
            "updates", url, server.url, str(port), str(extra_ms), env={WORKER_VARIABLE: str(k)}
        )
        for k in range(workers)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            line = await asyncio.to_thread(proc.stdout.readline)
            if line.strip() != "ready":
                raise RuntimeError(f"an update worker did not start: {line!r}")
        await server.reset()
        load = os.getloadavg()[0]
        others = {"postgresql": f" {url.rsplit('/', 1)[1]} ", "fake": f"--port {server.port} "}
        before = {name: cpu_by_pid(match) for name, match in others.items()}
        started = time.perf_counter()
        await server.push(updates)  # the fake posts them to the shared port, a call each
        finished = await _wait_finished(app, len(updates), started)
        elapsed = time.perf_counter() - started
        used = {
            name: cpu_between(before[name], cpu_by_pid(match)) for name, match in others.items()
        }
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        outs = [await asyncio.to_thread(proc.communicate, None, 120) for proc in procs]
    stats = (await server.client.get("/_fake/stats")).json()
    async with app.db.read() as tx:
        left = dict(
            (await tx.execute(select(inbox.c.status, func.count()).group_by(inbox.c.status))).all()
        )
        out_of_order = int(await tx.scalar(text(OUT_OF_ORDER)) or 0)
    await app.close()
    counted = [json.loads(out.strip().splitlines()[-1]) for out, _ in outs]
    handled = sum(c["handled"] for c in counted)
    replies = sum(c["replies"] for c in counted)
    problems = []
    if not finished:
        problems.append(f"unfinished after {PHASE_DEADLINE_S:.0f} s: {left}")
    if handled != len(updates):
        problems.append(f"{handled} updates handled for {len(updates)} sent")
    if stats["sent"] != replies:
        problems.append(f"{stats['sent']} answers at the fake for {replies} replies")
    if stats["counts"].get("webhook_200", 0) != len(updates):
        problems.append(f"webhook calls answered: {stats['counts']}")
    if workers > 1 and min(c["handled"] for c in counted) == 0:
        problems.append("a worker got no update")
    if out_of_order:
        problems.append(f"{out_of_order} messages handled before an earlier one of their chat")
    detail = {
        "cpu_ms_per_update": {
            "workers": round(sum(c["cpu_s"] for c in counted) * 1000 / len(updates), 2),
            # the server processes of this round's database (0 when the server is elsewhere)
            **{name: round(seconds * 1000 / len(updates), 2) for name, seconds in used.items()},
        },
        "handled_by_worker": [c["handled"] for c in counted],
        "worker_peak_rss_mb": max(c["peak_rss_mb"] for c in counted),
        "load_1min": round(load, 2),
        "out_of_order": out_of_order,
    }
    return round(len(updates) / elapsed, 1), problems, detail


# Messages handled before an earlier message of the same chat (rows are numbered as they
# arrive; handled_at is taken under the chat's lock).
OUT_OF_ORDER = """
SELECT count(*) FROM (
    SELECT handled_at, max(handled_at) OVER (
        PARTITION BY chat_key ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
    ) AS before FROM inbox WHERE handled_at IS NOT NULL
) AS rows WHERE handled_at < before
"""


async def _wait_finished(app: Any, count: int, started: float) -> bool:
    """Until every update's row is done (its replies sent); False after the deadline."""
    closed = (store_inbox.DONE, store_inbox.BAD, store_inbox.DROPPED)
    while time.perf_counter() - started < PHASE_DEADLINE_S:
        async with app.db.read() as tx:
            finished = await tx.scalar(
                select(func.count()).select_from(inbox).where(inbox.c.status.in_(closed))
            )
        if finished is not None and finished >= count:
            return True
        await asyncio.sleep(POLL_S)
    return False


# --- booking -----------------------------------------------------------------------------


async def booking_section(url: str, connections: int, attempts: int) -> dict[str, Any]:
    app = await build_app(Settings(db_url=url, _env_file=None), FixedClock(NOW))  # type: ignore[call-arg]
    async with app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name="Bench", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        point = await store.insert_point(
            tx, commune_id=commune, village_id=None, name="Công an xã", address="", is_island=False
        )
        # 4 machines × 30 minutes ÷ 3 minutes = 40 places in one slot
        spec = SessionSpec(
            point, (NOW + timedelta(days=1)).date(), clock_time(7), clock_time(7, 30), 4, 3
        )
        session_id = await open_session(tx, spec, now=NOW, created_by=None)
        assert isinstance(session_id, int)
        (slot,) = await store.slots(tx, session_id)
        users = [await identities.create_user(tx, NOW) for _ in range(attempts)]
    await app.close()

    db = Database(url, pool_size=connections)
    queue = list(users)
    barrier = asyncio.Barrier(connections)
    outcomes: list[str] = []

    async def racer() -> None:
        async with db.engine.connect() as conn:
            await conn.exec_driver_sql("SELECT 1")
            await conn.rollback()
        await barrier.wait()  # every connection open before the first attempt
        while queue:
            user = queue.pop()
            async with db.write() as tx:
                result = await reservations.book(
                    tx, user_id=user, slot_id=slot.id, service="eid_level2", now=NOW
                )
            outcomes.append("confirmed" if isinstance(result, int) else str(result))

    started = time.perf_counter()
    await asyncio.gather(*(racer() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    async with db.read() as tx:
        stored = int(await tx.scalar(select(func.count()).select_from(bookings)) or 0)
        taken = (await store.slot(tx, slot.id)).taken  # type: ignore[union-attr]
    await db.close()
    return {
        "connections": connections,
        "attempts": attempts,
        "capacity": slot.capacity,
        "confirmed": stored,
        "overbooked": max(stored - slot.capacity, 0) + max(taken - slot.capacity, 0),
        "attempts_per_s": round(attempts / elapsed, 1),
    }


# --- leader kill -------------------------------------------------------------------------


async def leader_section(url: str, count: int) -> dict[str, Any]:
    from bench.reminders import make_users

    settings = Settings(db_url=url, _env_file=None)  # type: ignore[call-arg]
    app = await build_app(settings, SystemClock())
    user_ids = await make_users(app, 200)
    start = datetime.now(UTC) + timedelta(seconds=8)
    now = datetime.now(UTC)
    async with app.db.write() as tx:
        await tx.execute(
            insert(reminders),
            [
                {
                    "kind": "return_day",
                    "key": f"scale:{i}",
                    "user_id": user_ids[i % len(user_ids)],
                    "due_at": start + timedelta(seconds=20 * i / count),
                    "status": "scheduled",
                    "created_at": now,
                }
                for i in range(count)
            ],
        )
    first = _worker("leader", url)
    assert first.stdout is not None
    first.stdout.readline()  # leading
    second = _worker("leader", url)
    await asyncio.sleep(max(0.0, (start - datetime.now(UTC)).total_seconds()) + 6)
    first.send_signal(signal.SIGKILL)
    killed = time.time()
    first.wait()
    assert second.stdout is not None
    line = await asyncio.to_thread(second.stdout.readline)
    takeover = float(line.split()[1]) - killed
    # Everything due has fallen due 20 s after `start`; give the new leader time to catch up.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with app.db.read() as tx:
            left = await tx.scalar(
                select(func.count())
                .select_from(reminders)
                .where(reminders.c.key.like("scale:%"), reminders.c.status == "scheduled")
            )
        if not left and datetime.now(UTC) > start + timedelta(seconds=21):
            break
        await asyncio.sleep(0.5)
    second.send_signal(signal.SIGKILL)
    second.wait()
    async with app.db.read() as tx:
        sent = await tx.scalar(
            select(func.count())
            .select_from(reminders)
            .where(reminders.c.key.like("scale:%"), reminders.c.status == "sent")
        )
        ids = (
            await tx.execute(select(reminders.c.id).where(reminders.c.key.like("scale:%")))
        ).scalars()
        queued = await tx.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.key.in_([f"rem:{i}" for i in ids]))
        )
    await app.close()
    fired = int(sent or 0)
    return {
        "due": count,
        "fired": fired,
        "duplicates": max(int(queued or 0) - fired, 0),  # messages queued beyond one per fire
        "missed": count - fired,
        "takeover_s": round(takeover, 2),
    }


# --- broadcast ---------------------------------------------------------------------------


async def broadcast_section(url: str, recipients: int) -> dict[str, Any]:
    """A notice through two sender workers against the rate-limited fake Bot API."""
    from bench import broadcast as plain

    knobs = argparse.Namespace(
        rate=200.0, per_chat=1.0, random_429=0.01, blocked_every=50, recipients=recipients
    )
    settings = Settings(db_url=url, _env_file=None)  # type: ignore[call-arg]
    actor, village_ids = await plain.seed(settings, recipients, 0)
    broadcast_id, _ = await plain.compose(settings, actor, village_ids)
    fake = plain.start_fake(knobs, recipients)
    try:
        senders = [plain.start_sender(url, fake, knobs.rate, knobs.per_chat) for _ in range(2)]
        for proc in senders:
            await asyncio.to_thread(proc.wait, 600)
        stats = fake.stats()
    finally:
        fake.stop()
    counts = await plain.outcome(settings, broadcast_id)
    expected = recipients - stats["blocked_chats"]
    return {
        "workers": 2,
        "sent": stats["sent"],
        "duplicates": stats["duplicates"],
        "lost": expected
        - stats["chats"]
        + sum(counts.get(status, 0) for status in ("pending", "sending", "inflight")),
        "rate_ratio": round(stats["sent"] / stats["delivering_s"] / knobs.rate, 3)
        if stats["delivering_s"]
        else 0.0,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    logging.basicConfig(level=logging.WARNING)
    only = set(args.only.split(",")) if args.only else set(SECTIONS)
    with pg_database(max_connections=max(200, args.connections + 50)) as admin_url:
        result: dict[str, Any] = {"engine": "postgresql"}
        if "booking" in only:
            booking_url = await fresh_database(admin_url, "scale_booking")
            result["booking"] = await booking_section(booking_url, args.connections, args.attempts)
        if "leader_kill" in only:
            leader_url = await fresh_database(admin_url, "scale_leader")
            result["leader_kill"] = await leader_section(leader_url, args.reminders)
        if "broadcast" in only:
            broadcast_url = await fresh_database(admin_url, "scale_broadcast")
            result["broadcast"] = await broadcast_section(broadcast_url, args.recipients)
        if "updates" in only and args.updates:
            rates, detail = await updates_section(
                admin_url, args.updates, args.users, args.repeat, args.extra_cpu_ms
            )
            result["updates_per_s"] = rates
            result["updates_detail"] = detail
    return result


SECTIONS = ("booking", "leader_kill", "broadcast", "updates")


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench scale")
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument(
        "--users", type=int, default=300, help="the updates come from this many users"
    )
    parser.add_argument("--repeat", type=int, default=3, help="turns of the 1, 2, 4 rounds")
    parser.add_argument("--connections", type=int, default=60)
    parser.add_argument("--attempts", type=int, default=1000)
    parser.add_argument("--reminders", type=int, default=400)
    parser.add_argument("--recipients", type=int, default=3000)
    parser.add_argument("--only", default="", help=f"some of {','.join(SECTIONS)} (default all)")
    parser.add_argument(
        "--extra-cpu-ms",
        type=float,
        default=0.0,
        help="diagnostic: CPU ms each worker burns per message (the rates are then not the bot's)",
    )
    return asyncio.run(run(parser.parse_args(argv)))
