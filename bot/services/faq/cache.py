"""The fitted models of a knowledge base kept on disk, so a bot starts without fitting them.

The key is a hash of the merged knowledge base's content and of the code that fits and reads
the models (and the Python and numpy versions): editing faq.yaml, or this package, gives a new
key and a fresh fit. The folder is the bot's own (TROLY06_FAQ_CACHE, else ~/.cache/troly06/faq;
"off" turns the cache off); an entry that cannot be read is fitted again and rewritten, and a
folder that cannot be written only costs the fit.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from bot.services.faq.knowledge import KnowledgeBase

logger = logging.getLogger(__name__)

CACHE_ENV = "TROLY06_FAQ_CACHE"
KEEP = 8  # entries kept: the bases of the last few edits (and of tests' copies)
_CODE = ("classifier.py", "tfidf.py", "normalize.py", "matcher.py")  # what shapes the models
_SHARED_CODE = (Path(__file__).resolve().parents[2] / "core" / "text.py",)

T = TypeVar("T")


def folder() -> Path | None:
    """Where fitted models are kept, or None when the cache is off."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "troly06" / "faq"


def key(base: KnowledgeBase) -> str:
    """A hash of the base's content and of the code that fits and reads its models."""
    digest = hashlib.sha256(base.model_dump_json().encode())
    here = Path(__file__).resolve().parent
    for path in (*(here / name for name in _CODE), *_SHARED_CODE):
        digest.update(path.read_bytes())
    digest.update(f"{sys.version_info[:2]} {np.__version__} {pickle.HIGHEST_PROTOCOL}".encode())
    return digest.hexdigest()[:32]


def cached(base: KnowledgeBase, fit: Callable[[], T]) -> T:
    """What `fit()` gives for this base: read from the cache, else fitted and written there."""
    where = folder()
    if where is None:
        return fit()
    path = where / f"{key(base)}.pickle"
    try:
        with path.open("rb") as file:
            return pickle.load(file)  # the bot's own folder, written below
    except FileNotFoundError:
        pass
    except Exception:  # a torn or stale entry: fit again and replace it
        logger.warning("faq cache entry unreadable, fitting again: %s", path)
    fitted = fit()
    _write(where, path, fitted)
    return fitted


def _write(where: Path, path: Path, fitted: object) -> None:
    try:
        where.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=where, suffix=".tmp", delete=False) as file:
            temporary = Path(file.name)
            try:
                pickle.dump(fitted, file, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                temporary.unlink(missing_ok=True)
                raise
        os.replace(temporary, path)  # readers see the whole entry or none
        entries = sorted(where.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError) as exc:
        logger.warning("faq cache not written (%s): %s", exc, where)
