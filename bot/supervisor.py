"""`troly06 run --workers N`: N bot processes sharing one PostgreSQL, each restarted if it dies.

Every worker runs the whole bot (`troly06 run`): its web server (bound with SO_REUSEPORT, so
the kernel spreads webhook calls over the workers), the outbox sender and, in the one worker
holding the leader lock, the scheduler. Messages of one chat are handled one at a time across
workers (an advisory lock per chat in each message's transaction). Polling cannot be shared
(a platform gives one bot one update stream), so several workers need webhooks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy.engine import make_url

from bot.config import Settings

WORKER_VARIABLE = "TROLY06_WORKER_INDEX"
RESTART_AFTER_S = 1.0


def problem(settings: Settings, workers: int) -> str | None:
    """Why `workers` workers cannot run with these settings (None: they can)."""
    if workers < 2:
        return None
    if make_url(settings.db_url).get_backend_name() != "postgresql":
        return "several workers need PostgreSQL: set TROLY06_DB_URL=postgresql+asyncpg://..."
    if settings.telegram_token and not settings.webhook_url:
        # getUpdates serves one poller at a time (409 Conflict for the others).
        return (
            "several workers need the Telegram webhook (TROLY06_WEBHOOK_URL): Telegram lets "
            "only one process poll; run polling with one worker"
        )
    if settings.telegram_token and not settings.webhook_secret:
        return "several workers need one TROLY06_WEBHOOK_SECRET shared by all of them"
    if settings.zalo_token and not settings.zalo_webhook_url:
        return "several workers need the Zalo webhook (TROLY06_ZALO_WEBHOOK_URL), not polling"
    if settings.zalo_token and not settings.zalo_webhook_secret:
        return "several workers need one TROLY06_ZALO_WEBHOOK_SECRET shared by all of them"
    return None


def reuse_port() -> bool:
    """Whether this process is one of several workers sharing the web server's port."""
    return WORKER_VARIABLE in os.environ


def worker_index() -> int:
    """This process's number among the workers (0 when run alone)."""
    return int(os.environ.get(WORKER_VARIABLE, "0") or 0)


def supervise(workers: int, command: list[str] | None = None) -> int:
    """Start `workers` processes of `command`, restart any that dies, stop all on a signal."""
    command = command or [sys.executable, "-m", "bot", "run"]
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def spawn(index: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(command, env={**os.environ, WORKER_VARIABLE: str(index)})

    procs = {index: spawn(index) for index in range(workers)}
    while not stopping:
        time.sleep(0.2)
        for index, proc in list(procs.items()):
            if proc.poll() is not None and not stopping:
                sys.stderr.write(f"worker {index} exited ({proc.returncode}); restarting\n")
                time.sleep(RESTART_AFTER_S)
                procs[index] = spawn(index)
    for proc in procs.values():
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    return 0
