"""`python -m bench broadcast`: a notice to 10,000 Telegram chats through the real sender.

The fake Telegram API runs in its own process and enforces a rate limit (200/s by default,
raised from Telegram's ~30/s to keep the run short; on this 2-core machine one Python process
running PTB tops out at 400-600 sends/s, see --rate) and one message per chat per second,
answers a share of requests with 429 (retry_after) and the chats of people who blocked the
bot with 403. The notice is composed through bot.services.broadcast (one transaction), then
the real outbox sender with the real Telegram channel runs in a second process. Counted at
the fake server: every chat should get the notice exactly once, except the blocked ones.

A second round kills the sender with SIGKILL at 40% and starts it again (`kill_*` keys).
Only rows committed `inflight` (their request may have gone out) are looked at again after
it, and they are at most the lane's send slots (`kill_in_flight_at_kill`). Those the killed
sender's journal names as accepted are settled as sent (`kill_settled_by_journal`); the rest
are sent again, and the ones Telegram had accepted before the kill without the answer
reaching the sender arrive twice: `kill_duplicates` and `kill_duplicates_per_10k`.

rate_ratio = messages delivered per second, between the first and the last delivery,
divided by the configured limit; request_ratio counts every send request answered (the 403s
and 429s spend the limit too).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url

from bench.common import temp_db_url
from bot.app import build_app
from bot.config import Settings
from bot.services import broadcast as service
from bot.services.identity import Actor, Grant, Role
from bot.storage.tables.core import (
    chat_identities,
    communes,
    households,
    outbox,
    persons,
    users,
    villages,
)

FIRST_CHAT = 100_000
PER_HOUSEHOLD = 4


@dataclass
class Fake:
    """The fake Telegram process and its addresses."""

    proc: subprocess.Popen[str]
    url: str
    control: str
    token: str

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.control}/_bench/stats", timeout=10) as answer:
            return json.loads(answer.read())

    def post(self, path: str) -> None:
        request = urllib.request.Request(f"{self.control}{path}", method="POST", data=b"")
        urllib.request.urlopen(request, timeout=10).read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start_fake(args: argparse.Namespace, chats: int) -> Fake:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench._broadcast_proc",
            "fake",
            f"--rate={args.rate}",
            f"--per-chat={args.per_chat}",
            f"--random-429={args.random_429}",
            f"--first-chat={FIRST_CHAT}",
            f"--chats={chats}",
            f"--blocked={args.blocked_every}",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    url, control, token = proc.stdout.readline().split()
    return Fake(proc, url, control, token)


def start_sender(
    db_url: str,
    fake: Fake,
    rate: float,
    per_chat: float,
    log: IO[str] | None = None,
    *,
    journal: bool = True,
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench._broadcast_proc",
            "sender",
            f"--db={db_url}",
            f"--api={fake.url}",
            f"--token={fake.token}",
            f"--rate={rate}",
            f"--per-chat={per_chat}",
            *([] if journal else ["--journal-dir=off"]),
        ],
        stdout=subprocess.DEVNULL,
        stderr=log,
        text=True,
    )


TAKEN_BACK = re.compile(r"(\d+) in flight: (\d+) of them accepted")


def taken_back(log: Path) -> tuple[int, int]:
    """From the senders' logs: rows a killed sender left in flight, and how many of those its
    sent journal named as accepted (settled, not sent again)."""
    found = TAKEN_BACK.findall(log.read_text(errors="replace"))
    return sum(int(a) for a, _ in found), sum(int(b) for _, b in found)


async def seed(settings: Settings, recipients: int, without_chat: int) -> tuple[Actor, list[int]]:
    """A commune of villages: `recipients` people with a Telegram chat, some without."""
    app = await build_app(settings)
    now = app.clock.now()
    people = recipients + without_chat
    async with app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name="Bench", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        village_ids = [
            (
                await tx.execute(insert(villages).values(commune_id=commune, name=f"Thôn {n}"))
            ).inserted_primary_key[0]
            for n in range(1, 6)
        ]
        homes = (people + PER_HOUSEHOLD - 1) // PER_HOUSEHOLD
        await tx.execute(
            insert(households),
            [
                {"id": h, "village_id": village_ids[h % 5], "code": f"{h:05d}", "address": f"{h}"}
                for h in range(1, homes + 1)
            ],
        )
        await tx.execute(
            insert(persons),
            [
                {
                    "id": p,
                    "household_id": (p - 1) // PER_HOUSEHOLD + 1,
                    "full_name": f"Người {p}",
                    "birth_year": 1980,
                    "phone": f"09{p:08d}",
                    "updated_at": now,
                }
                for p in range(1, people + 1)
            ],
        )
        lead = people + 1  # the author: a user without a person
        await tx.execute(
            insert(users),
            [
                {"id": u, "person_id": u if u <= recipients else None, "created_at": now}
                for u in [*range(1, recipients + 1), lead]
            ],
        )
        await tx.execute(
            insert(chat_identities),
            [
                {
                    "id": u,
                    "user_id": u,
                    "channel": "telegram",
                    "external_id": str(FIRST_CHAT + u - 1),
                    "chat_id": str(FIRST_CHAT + u - 1),
                    "last_seen_at": now,
                }
                for u in [*range(1, recipients + 1), lead]
            ],
        )
        await tx.execute(update(users).values(last_identity_id=users.c.id))
    await app.close()
    actor = Actor(
        lead, lead, "telegram", str(FIRST_CHAT + lead - 1), None, None, (Grant(Role.ADMIN),)
    )
    return actor, village_ids


async def compose(settings: Settings, actor: Actor, village_ids: list[int]) -> tuple[int, float]:
    app = await build_app(settings)
    started = time.perf_counter()
    async with app.db.write() as tx:
        created = await service.create(
            tx,
            actor,
            audience=service.Audience(village_ids=village_ids, kind=service.AudienceKind.ALL),
            text="Sáng mai 7h, tổ công tác 06 làm căn cước tại nhà văn hoá thôn. " * 3,
            with_replies=True,
            scheduled_at=app.clock.now(),
            now=app.clock.now(),
        )
    seconds = time.perf_counter() - started
    await app.close()
    return created.broadcast_id, seconds


async def outcome(settings: Settings, broadcast_id: int) -> dict[str, int]:
    app = await build_app(settings)
    async with app.db.read() as tx:
        rows = await tx.execute(
            select(outbox.c.status, func.count())
            .where(outbox.c.broadcast_id == broadcast_id)
            .group_by(outbox.c.status)
        )
        counts = {status: int(n) for status, n in rows}
    started = time.perf_counter()
    async with app.db.write() as tx:
        finished = await service.finish_due(tx, datetime.now(UTC))
    counts["report_ms"] = round((time.perf_counter() - started) * 1000)
    counts["reported"] = int(broadcast_id in finished)
    await app.close()
    return counts


def wait_delivered(fake: Fake, at_least: int, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while fake.stats()["sent"] < at_least:
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {at_least} delivered")
        time.sleep(0.05)


def one_round(args: argparse.Namespace, *, kill_at: float | None) -> dict[str, Any]:
    """Seed, compose, send (killing the sender once if asked); count at the fake server."""
    settings = Settings(db_url=temp_db_url(), _env_file=None)  # type: ignore[call-arg]
    actor, village_ids = asyncio.run(seed(settings, args.recipients, args.without_chat))
    broadcast_id, compose_s = asyncio.run(compose(settings, actor, village_ids))
    fake = start_fake(args, args.recipients)
    log_path = Path(str(make_url(settings.db_url).database)).with_name("senders.log")
    log = log_path.open("w")
    try:
        started = time.monotonic()
        sender = start_sender(
            settings.db_url, fake, args.rate, args.per_chat, log, journal=args.journal
        )
        kills = 0
        if kill_at is not None:
            wait_delivered(fake, int(args.recipients * kill_at), within_s=args.deadline)
            os.kill(sender.pid, signal.SIGKILL)
            sender.wait()
            kills = 1
            sender = start_sender(
                settings.db_url, fake, args.rate, args.per_chat, log, journal=args.journal
            )
        missing = ""
        try:
            sender.wait(timeout=args.deadline)
        except subprocess.TimeoutExpired:
            sender.kill()
            sender.wait()
            missing = f"the sender had not finished after {args.deadline:.0f} s"
        seconds = time.monotonic() - started
        stats = fake.stats()
    except TimeoutError as hit:  # wait_delivered: the kill point was never reached
        sender.kill()
        stats, seconds, kills = fake.stats(), time.monotonic() - started, 0
        missing = f"{hit} within {args.deadline:.0f} s"
    finally:
        fake.stop()
        log.close()
    in_flight, settled = taken_back(log_path)
    counts = asyncio.run(outcome(settings, broadcast_id))
    expected = args.recipients - stats["blocked_chats"]
    unsent = sum(counts.get(status, 0) for status in ("pending", "sending", "inflight"))
    lost = expected - stats["chats"] + unsent
    if missing:
        missing += f": {expected - stats['chats']} of {expected} chats had no message"
    return {
        **({"missing": missing} if missing else {}),
        "recipients": args.recipients,
        "sent": stats["sent"],
        "blocked": counts.get("blocked", 0),
        "failed": counts.get("failed", 0),
        "duplicates": stats["duplicates"],
        "lost": lost,
        "seconds": round(seconds, 2),
        "rate_ratio": round(stats["sent"] / stats["delivering_s"] / args.rate, 3)
        if stats["delivering_s"]
        else 0.0,
        "request_ratio": round(_requests(stats) / stats["delivering_s"] / args.rate, 3)
        if stats["delivering_s"]
        else 0.0,
        "answers_429": stats["answers"].get("429", 0),
        "answers_403": stats["answers"].get("403", 0),
        "compose_s": round(compose_s, 2),
        "report_ms": counts["report_ms"],
        "reported": counts["reported"],
        "kills": kills,
        "in_flight_at_kill": in_flight,
        "settled_by_journal": settled,
    }


def _requests(stats: dict[str, Any]) -> int:
    """Send requests the fake answered: delivered, 403 and 429 (getMe is one of the ok)."""
    answers = stats["answers"]
    return int(answers.get("ok", 0)) - 1 + int(answers.get("403", 0)) + int(answers.get("429", 0))


def main(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench broadcast")
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--without-chat", type=int, default=1_000)
    parser.add_argument("--rate", type=float, default=200.0, help="the fake's limit, per second")
    parser.add_argument(
        "--per-chat", type=float, default=1.0, help="seconds between two to a chat"
    )
    parser.add_argument("--random-429", type=float, default=0.01)
    parser.add_argument("--blocked-every", type=int, default=50, help="every Nth chat: 403")
    parser.add_argument("--kill-at", type=float, default=0.4, help="0 to skip the kill round")
    parser.add_argument(
        "--journal",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the senders' sent journals (--no-journal: as before them, to compare)",
    )
    parser.add_argument("--kill-only", action="store_true", help="skip the round without a kill")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds per round")
    args = parser.parse_args(argv)
    result = {} if args.kill_only else one_round(args, kill_at=None)
    if args.kill_at:
        killed = one_round(args, kill_at=args.kill_at)
        keys = ("sent", "duplicates", "lost", "seconds", "rate_ratio", "missing")
        for key in (*keys, "in_flight_at_kill", "settled_by_journal"):
            if key in killed:
                result[f"kill_{key}"] = killed[key]
        result["kill_duplicates_per_10k"] = round(
            killed["duplicates"] * 10_000 / max(1, killed["sent"]), 2
        )
    result["rate_limit"] = args.rate
    result["journal"] = args.journal
    return result
