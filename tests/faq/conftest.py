"""FAQ fixtures: a private copy of the knowledge base file, an admin chat."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.services.faq.store import DEFAULT_FILE, FILE_ENV
from bot.services.identity import Role
from tests.driver import ChatDriver

HERE = Path(__file__).resolve().parent
SHARED = Path(__file__).resolve().parents[3] / "shared" / "faq"


@pytest.fixture
def kb_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the knowledge base that this test may break; the bot reads it."""
    path = tmp_path / "faq.yaml"
    shutil.copyfile(DEFAULT_FILE, path)
    monkeypatch.setenv(FILE_ENV, str(path))
    return path


@pytest.fixture
async def admin(make_chat) -> ChatDriver:  # type: ignore[no-untyped-def]
    chat = make_chat("admin-1")
    await chat.grant(Role.ADMIN)
    return chat


def read_tsv(path: Path) -> list[tuple[str, str]]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(q, t) for q, t in (line.split("\t") for line in lines if line.strip())]
