"""Files that hold personal data: created readable by the bot's own user only.

A SQLite database (and its -wal and -shm files, which SQLite creates with the database's
mode) is 0600 in a folder made 0700. A file that already exists with wider rights is
narrowed, and a folder the bot creates is 0700; a folder that existed is left alone (it may
be the working folder).
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

FILE_MODE = 0o600
FOLDER_MODE = 0o700


def private_folder(folder: Path) -> None:
    """Create `folder` (and missing parents) as 0700."""
    missing = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    for created in reversed(missing):
        created.mkdir(mode=FOLDER_MODE, exist_ok=True)
        os.chmod(created, FOLDER_MODE)  # mkdir's mode is cut by the umask


def private_file(path: Path) -> None:
    """Create `path` empty if missing, as 0600; narrow an existing one (and its SQLite
    companions) to 0600."""
    private_folder(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE)
    os.close(fd)
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if companion.exists():
            os.chmod(companion, FILE_MODE)


def private_sqlite(url: str) -> None:
    """For a SQLite URL naming a file: make that file private before anything opens it."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        private_file(Path(parsed.database))
