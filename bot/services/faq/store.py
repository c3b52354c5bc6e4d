"""The knowledge bases in use (Vietnamese, and English beside it), re-read when a file changes;
a broken file never replaces the base in use.

The bot and the CLI are separate processes, so a reload reaches the running bot through the
file itself: every question checks the file's modification time (one `stat`), and a changed
file is parsed and indexed before it replaces the base in use. If the new file is broken, the
old base stays and the reason is kept for `/faq_reload` and `troly06 faq reload` to show.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from bot.config import Settings
from bot.core.i18n import LOCALES_DIR
from bot.services.faq.knowledge import KnowledgeBase, KnowledgeError, Topic, load
from bot.services.faq.matcher import Matcher

logger = logging.getLogger(__name__)

DEFAULT_FILE = LOCALES_DIR / "vi" / "faq.yaml"
ENGLISH_FILE = LOCALES_DIR / "en" / "faq.yaml"
FILE_ENV = "TROLY06_FAQ_FILE"  # another knowledge base file (tests, a second commune)


@dataclass(frozen=True)
class Faq:
    """A checked knowledge base, its translations by language, and the index of them all."""

    kb: KnowledgeBase
    matcher: Matcher
    translations: dict[str, KnowledgeBase] = field(default_factory=dict)

    def topic(self, topic_id: str, lang: str = "vi") -> Topic | None:
        """A topic in `lang` when translated, else in the base's own language."""
        other = self.translations.get(lang)
        return (other.topic(topic_id) if other else None) or self.kb.topic(topic_id)

    def titles(self, lang: str = "vi") -> dict[str, str]:
        return {t.id: t.title for t in (self.translations.get(lang) or self.kb).topics}


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    topics: int  # topics in use after the reload
    error: str = ""  # why the file was refused


def english_file(path: Path) -> Path:
    """The English base beside a Vietnamese one (locales/en/ for locales/vi/), else the default."""
    beside = path.parent.parent / "en" / path.name
    return beside if path.parent.name == "vi" and beside.exists() else ENGLISH_FILE


def load_translations(path: Path) -> dict[str, KnowledgeBase]:
    """The English base for `path`; it must answer every topic of the main base."""
    english = english_file(path)
    return {"en": load(english)} if english.exists() else {}


def build(kb: KnowledgeBase, translations: dict[str, KnowledgeBase] | None = None) -> Faq:
    translations = translations or {}
    for lang, other in translations.items():
        missing = sorted({t.id for t in kb.topics} - {t.id for t in other.topics})
        if missing:
            raise KnowledgeError(f"the {lang} base has no answer for: {', '.join(missing)}")
    return Faq(kb, Matcher(kb, translations=list(translations.values())), translations)


class FaqStore:
    """Holds the base read from `path`; `current()` picks up edits, keeping the last good one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._faq: Faq | None = None
        self._seen: tuple[int, ...] | None = None  # (mtime_ns, size) of the files last read
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

    def _signature(self) -> tuple[int, ...] | None:
        try:
            info = self.path.stat()
        except OSError:
            return None
        try:
            other = english_file(self.path).stat()
            return (info.st_mtime_ns, info.st_size, other.st_mtime_ns, other.st_size)
        except OSError:
            return (info.st_mtime_ns, info.st_size)

    def _load(self) -> bool:
        self._seen = self._signature()
        try:
            faq = build(load(self.path), load_translations(self.path))
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
    build(kb, load_translations(path))  # the translations fit and the index builds too
    return kb


def touch(path: Path) -> None:
    """Mark the file as changed so running bots re-read it on their next question."""
    os.utime(path)
