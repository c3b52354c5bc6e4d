"""Sender workers: who this process is, and whether another worker's process is alive."""

from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

import psutil

HEARTBEAT = timedelta(seconds=5)
LEASE_STALE = timedelta(seconds=30)


def lease_name() -> str:
    """This worker's own lease row."""
    return f"sender:{secrets.token_hex(6)}"


def process_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def owner_is_dead(owner: str) -> bool:
    """Whether the process that holds a lease is gone (only knowable on this host)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit() or int(pid_text) == os.getpid():
        return False
    try:
        return psutil.Process(int(pid_text)).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True
