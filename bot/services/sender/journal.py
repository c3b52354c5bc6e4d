"""The sent journal: one line per accepted send, written the instant the platform answers.

Between the platform accepting a request and our commit of `sent` pass some milliseconds; a
kill -9 in them left the row `inflight`, and it was sent again after the restart. So each
sending worker appends `<row id> sent <unix time> <crc32>` to its own file the moment a send
is accepted, with a plain write on an O_APPEND descriptor: the line is in the OS page cache
at once, so it outlives the process (kill -9). It outlives a machine crash only with
`outbox_journal_fsync` (one fsync per send). Whoever takes back a dead worker's rows (the
worker itself at restart, or another worker on this host) reads that worker's journal first
and settles the rows named there as sent (runner.py), then removes the files. A torn or
garbled line fails its checksum and is skipped: that row is sent again, as before.

Files: `<dir>/<owner, %-quoted>.<generation>.sent`, readable by the bot's user only. Once the
current file holds `rotate_lines` lines the marker starts the next one and removes the older
ones after its next commit (every line in them is then committed); a clean stop removes all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import zlib
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, unquote

from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.storage.private_files import FILE_MODE, private_folder

logger = logging.getLogger(__name__)

SUFFIX = ".sent"
ROTATE_LINES = 10_000
OFF = "off"


def journal_dir(settings: Settings) -> Path | None:
    """Where the journals go: the setting; else beside a SQLite file, or ./data for PostgreSQL.

    None (no journal): the setting is "off", or the database is in memory.
    """
    if settings.outbox_journal_dir == OFF:
        return None
    if settings.outbox_journal_dir:
        return Path(settings.outbox_journal_dir)
    url = make_url(settings.db_url)
    if url.get_backend_name() == "sqlite":
        if url.database in (None, "", ":memory:"):
            return None
        database = Path(url.database)
        return database.with_name(f"{database.stem}-sent")
    return Path("data") / f"{quote(url.database or 'db', safe='')}-sent"


@dataclass
class Left:
    """What dead workers' journals say: rows the platform accepted (id -> when), files read."""

    sent: dict[int, datetime] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def _line(row_id: int, at: datetime) -> bytes:
    body = f"{row_id} sent {at.timestamp():.3f}"
    return f"{body} {zlib.crc32(body.encode()):08x}\n".encode()


def read(path: Path) -> dict[int, datetime]:
    """The accepted rows a journal file names; lines torn, garbled or unfinished are skipped."""
    sent: dict[int, datetime] = {}
    *lines, _unfinished = path.read_bytes().split(b"\n")
    for raw in lines:
        parts = raw.split(b" ")
        if len(parts) != 4 or parts[1] != b"sent":
            continue
        body = b" ".join(parts[:3])
        try:
            if int(parts[3], 16) != zlib.crc32(body):
                continue
            sent[int(parts[0])] = datetime.fromtimestamp(float(parts[2]), UTC)
        except (ValueError, OverflowError, OSError):
            continue
    return sent


class SentJournal:
    """One worker's journal (`directory` None: journaling is off and every call does nothing)."""

    def __init__(
        self,
        directory: Path | None,
        owner: str,
        *,
        fsync: bool = False,
        rotate_lines: int = ROTATE_LINES,
    ) -> None:
        self.directory = directory
        self.owner = owner
        self.fsync = fsync
        self.rotate_lines = rotate_lines
        self.generation = 0  # the file being written
        self.kept_from = 0  # the oldest generation not yet removed
        self.lines = 0  # in the current file
        self._fd: int | None = None
        self._failing = False

    def _path(self, generation: int) -> Path:
        assert self.directory is not None
        return self.directory / f"{quote(self.owner, safe='')}.{generation}{SUFFIX}"

    def sent(self, row_id: int, at: datetime) -> None:
        """The platform accepted this row's request (call before filing its outcome)."""
        if self.directory is None:
            return
        try:
            if self._fd is None:
                private_folder(self.directory)
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
                self._fd = os.open(self._path(self.generation), flags, FILE_MODE)
            os.write(self._fd, _line(row_id, at))
            if self.fsync:
                os.fsync(self._fd)
        except OSError as error:  # the send stands; only its crash protection is lost
            if not self._failing:
                logger.error("outbox: cannot write the sent journal %s: %s", self.directory, error)
            self._failing = True
            return
        self._failing = False
        self.lines += 1

    def checkpoint(self) -> int:
        """Call as the marker takes its batch; pass the answer to `committed` after its commit.

        Every line written so far has its outcome in that batch or in an earlier commit.
        """
        if self._fd is not None and self.lines >= self.rotate_lines:
            os.close(self._fd)
            self._fd, self.lines = None, 0
            self.generation += 1
        return self.generation

    def committed(self, mark: int) -> None:
        """A commit covered every line of the generations before `mark`: remove their files."""
        while self.kept_from < mark:
            self._path(self.kept_from).unlink(missing_ok=True)
            self.kept_from += 1

    def close(self) -> None:
        """At a clean stop, every outcome committed: remove this worker's files."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if self.directory is None:
            return
        self.committed(self.generation + 1)
        self.generation = self.kept_from
        self.lines = 0
        with contextlib.suppress(OSError):
            self.directory.rmdir()  # only if no other worker's journal is there

    def left_by(self, live: Collection[str]) -> Left:
        """The journals of workers not in `live` (this one is always live)."""
        left = Left()
        if self.directory is None or not self.directory.is_dir():
            return left
        for path in sorted(self.directory.glob(f"*{SUFFIX}")):
            owner = unquote(path.name.rsplit(".", 2)[0])
            if owner == self.owner or owner in live:
                continue
            try:
                left.sent.update(read(path))
            except OSError as error:
                logger.error("outbox: cannot read the sent journal %s: %s", path, error)
                continue
            left.files.append(path)
        return left

    @staticmethod
    def remove(files: Collection[Path]) -> None:
        """Journals whose rows are settled (their outcomes committed)."""
        for path in files:
            path.unlink(missing_ok=True)
