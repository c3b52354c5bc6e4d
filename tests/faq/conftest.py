"""FAQ fixtures: a private copy of the knowledge base file, an admin chat."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.app import App
from bot.config import Settings
from bot.core.dispatcher import Dispatcher
from bot.services.faq.store import DEFAULT_FILE, FILE_ENV
from bot.services.identity import Role
from tests.driver import ChatDriver

HERE = Path(__file__).resolve().parent


def _shared() -> Path:
    """../shared beside the clone (CI), or beside the folder of worktrees (development)."""
    root = Path(__file__).resolve().parents[2]
    for folder in (root.parent, root.parent.parent):
        if (folder / "shared" / "faq").is_dir():
            return folder / "shared" / "faq"
    return root.parent / "shared" / "faq"


SHARED = _shared()


@pytest.fixture
def kb_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Path:
    """A copy of the knowledge base that this test may break; the bot (and the CLI) read it."""
    path = tmp_path / "faq.yaml"
    shutil.copyfile(DEFAULT_FILE, path)
    monkeypatch.setenv(FILE_ENV, str(path))
    settings.faq_file = str(path)
    return path


@pytest.fixture
def faq_app(app: App) -> App:
    """The app with only the common commands and the FAQ, so other flows' free-text
    triggers (booking words, dates) cannot take these questions first."""
    from handlers import faq, start

    app.dispatcher = Dispatcher(
        [start.router, faq.router],
        app.db,
        app.clock,
        app.settings,
        identities=app.dispatcher.identities,
    )
    return app


@pytest.fixture
def chat(faq_app: App) -> ChatDriver:
    return ChatDriver(faq_app)


@pytest.fixture
def make_chat(faq_app: App) -> Callable[..., ChatDriver]:
    def make(user_id: str = "u1", channel: str = "console") -> ChatDriver:
        return ChatDriver(faq_app, user_id, channel)

    return make


@pytest.fixture
async def admin(make_chat) -> ChatDriver:  # type: ignore[no-untyped-def]
    chat = make_chat("admin-1")
    await chat.grant(Role.ADMIN)
    return chat


def read_tsv(path: Path) -> list[tuple[str, str]]:
    """(question, topic) rows of a set with a header; a third column (style) is dropped."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(c[0], c[1]) for c in (line.split("\t") for line in lines if line.strip())]
