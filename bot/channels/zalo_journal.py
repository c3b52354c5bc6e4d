"""Zalo's poll journal: each getUpdates answer kept in a local file until the inbox has it.

Zalo's getUpdates has no offset: an update it returned is never returned again, so a kill -9
between its answer and the inbox commit would lose it. The answer is appended to this file
with one `os.write` in the instant it arrives (in the page cache at once: it survives the
process being killed, not a power cut, which would take an fsync per poll); the file is
emptied once the inbox has stored it, and on start what it still holds is stored again (a
replayed update is a no-op in the inbox). One process polls, so one writer.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from bot.storage.private_files import FILE_MODE, private_folder

logger = logging.getLogger(__name__)

FILE_NAME = "zalo-poll.journal"


class PollJournal:
    """An append-only file of poll answers (one JSON line each), emptied once they are stored."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def write(self, body: Any) -> None:
        """Append one poll answer, in one write (no await: nothing runs before it is kept)."""
        line = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        fd = self._open()
        written = os.write(fd, line)
        while written < len(line):  # a regular file takes it whole; this is only in case
            written += os.write(fd, line[written:])

    def clear(self) -> None:
        """Everything written is in the inbox now."""
        if self._fd is not None or self.path.exists():
            os.ftruncate(self._open(), 0)

    def left(self) -> list[Any]:
        """The answers a previous run wrote and did not clear, oldest first.

        A line cut short (the process killed within the write) is skipped, logged.
        """
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return []
        bodies = []
        for line in data.splitlines():
            try:
                bodies.append(json.loads(line))
            except ValueError:
                logger.warning("zalo poll journal: a line cut short skipped (%s bytes)", len(line))
        return bodies

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int:
        if self._fd is None:
            private_folder(self.path.parent)  # it holds what people wrote
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
            self._fd = os.open(self.path, flags, FILE_MODE)
        return self._fd


def journal_path(setting: str, db_url: str) -> Path:
    """TROLY06_ZALO_POLL_JOURNAL, else beside the SQLite database file, else under ./data."""
    if setting:
        return Path(setting)
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).parent / FILE_NAME
    return Path("data") / FILE_NAME
