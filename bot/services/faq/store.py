"""The knowledge base in use, re-read when its file changes; a broken file never replaces it.

The bot and the CLI are separate processes, so a reload reaches the running bot through the
file itself: every question checks the file's modification time (one `stat`), and a changed
file is parsed and indexed before it replaces the base in use. If the new file is broken, the
old base stays and the reason is kept for `/faq_reload` and `troly06 faq reload` to show.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from bot.config import Settings
from bot.core.i18n import LOCALES_DIR
from bot.services.faq.knowledge import KnowledgeBase, KnowledgeError, load
from bot.services.faq.matcher import Matcher

logger = logging.getLogger(__name__)

DEFAULT_FILE = LOCALES_DIR / "vi" / "faq.yaml"
FILE_ENV = "TROLY06_FAQ_FILE"  # another knowledge base file (tests, a second commune)


@dataclass(frozen=True)
class Faq:
    """A checked knowledge base and its index."""

    kb: KnowledgeBase
    matcher: Matcher


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    topics: int  # topics in use after the reload
    error: str = ""  # why the file was refused


def build(kb: KnowledgeBase) -> Faq:
    return Faq(kb, Matcher(kb))


class FaqStore:
    """Holds the base read from `path`; `current()` picks up edits, keeping the last good one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._faq: Faq | None = None
        self._seen: tuple[int, int] | None = None  # (mtime_ns, size) of the last file read
        self.last_error = ""

    def current(self) -> Faq:
        """The base in use; raises KnowledgeError only if no good file was ever read."""
        if self._signature() != self._seen:
            self._load()
        if self._faq is None:
            raise KnowledgeError(self.last_error or "no knowledge base loaded")
        return self._faq

    def reload(self) -> ReloadResult:
        """Read the file now, whatever its time; keep the old base if it is broken."""
        ok = self._load()
        topics = len(self._faq.kb.topics) if self._faq else 0
        return ReloadResult(ok, topics, "" if ok else self.last_error)

    def _signature(self) -> tuple[int, int] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size)

    def _load(self) -> bool:
        self._seen = self._signature()
        try:
            faq = build(load(self.path))
        except KnowledgeError as exc:
            self.last_error = str(exc)
            logger.warning("faq file refused, keeping the base in use: %s", self.path)
            return False
        self._faq, self.last_error = faq, ""
        logger.info("faq loaded: %d topics from %s", len(faq.kb.topics), self.path)
        return True


def configured_path(setting: str | None = None) -> Path:
    """The knowledge base file: `setting` (else TROLY06_FAQ_FILE), else locales/vi/faq.yaml."""
    return Path((Settings().faq_file if setting is None else setting) or DEFAULT_FILE)


@cache
def _store_for(path: Path) -> FaqStore:
    return FaqStore(path)


def default_store(setting: str | None = None) -> FaqStore:
    """The store of the configured file, shared by every handler of this process."""
    return _store_for(configured_path(setting))


def check_file(path: Path) -> KnowledgeBase:
    """Check a file without using it (raises KnowledgeError with the reason)."""
    kb = load(path)
    Matcher(kb)  # the index builds too
    return kb


def touch(path: Path) -> None:
    """Mark the file as changed so running bots re-read it on their next question."""
    os.utime(path)
