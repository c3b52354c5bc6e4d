"""The arrows point one way: channels → core → handlers → services → storage.

Read from the source with `ast` (imports under `if TYPE_CHECKING:` count too: they are still
an arrow). A module may import its own layer or any layer below it; `bot/app.py`,
`bot/runtime.py` and the CLI sit above all of them and nothing in the layers imports them;
one handler never imports another. KNOWN lists the arrows that still point back up, each to
be removed (issue 17); a new one fails this test.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = {  # module prefix → rank, top first
    "bot.channels": 0,
    "bot.web": 0,
    "bot.core": 1,
    "handlers": 2,
    "bot.services": 3,
    "bot.storage": 4,
}
# The core's vocabulary, which every layer may use: words, not the machinery that routes.
SHARED = (
    "bot.core.i18n",
    "bot.core.reply",
    "bot.core.clock",
    "bot.core.text",
    "bot.core.inbound",
    "bot.core.locks",
    "bot.core.keys",
    "bot.core.collation",
    "bot.core.understand",  # reading typed answers: pure functions any layer may call
)
ABOVE_ALL = ("bot.app", "bot.runtime", "bot.cli")
# The core's interface for flows: handlers register on a Router and are given a Context.
FLOW_API = ("bot.core.context", "bot.core.router")
KNOWN: set[tuple[str, str]] = set()  # arrows still pointing back up, to remove (issue 17)
KNOWN_ABOVE: set[tuple[str, str]] = set()  # arrows to the app or the runtime, to remove
KNOWN_CYCLES: set[tuple[str, str]] = set()  # two modules importing each other, to remove
KNOWN_HANDLERS: set[tuple[str, str]] = set()  # handlers share through *_common modules


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    module = _module_of(path) if path.is_relative_to(ROOT) else path.stem
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _rank(module: str) -> int | None:
    if module.startswith(SHARED):
        return None
    for prefix, rank in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return rank
    return None


def _arrows() -> list[tuple[str, str]]:
    arrows = []
    for folder in ("bot", "handlers", "reminders"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = _module_of(path)
            arrows += [(module, imported) for imported in sorted(_imports(path))]
    return arrows


def test_no_arrow_points_back_up() -> None:
    back = set()
    for module, imported in _arrows():
        here, there = _rank(module), _rank(imported)
        if module.startswith("handlers.") and imported.startswith(FLOW_API):
            continue
        if here is not None and there is not None and there < here:
            back.add((module, _owner(imported)))
    assert sorted(back - KNOWN) == []


def test_the_core_imports_no_flow_and_no_service() -> None:
    """The core calls handlers through the Router and services through its own protocols
    (bot/core/actor.py), given to it by bot/app.py: skipping a layer down is an arrow too."""
    wrong = {
        (module, _owner(imported))
        for module, imported in _arrows()
        if module.startswith("bot.core.") and imported.startswith(("handlers", "bot.services"))
    }
    assert sorted(wrong) == []


def test_nothing_in_the_layers_imports_the_app_or_the_runtime() -> None:
    wrong = {
        (module, _owner(imported))
        for module, imported in _arrows()
        if _rank(module) is not None and imported.startswith(ABOVE_ALL)
    }
    assert sorted(wrong - KNOWN_ABOVE) == []


def test_no_two_modules_import_each_other() -> None:
    """A cycle is an arrow pointing back, even inside one layer (a package and its own
    modules aside: the package re-exports them)."""
    edges = {(module, _owner(imported)) for module, imported in _arrows()}
    cycles = {
        tuple(sorted((a, b)))
        for a, b in edges
        if a != b and (b, a) in edges and not a.startswith(b + ".") and not b.startswith(a + ".")
    }
    assert sorted(cycles - KNOWN_CYCLES) == []


def _handler_to_handler(arrows: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    return {
        (module, _owner(imported))
        for module, imported in arrows
        if module.startswith("handlers.")
        and imported.startswith("handlers.")
        and _owner(imported) not in (module, "handlers")
        and not _owner(imported).endswith(("_common", ".common"))
    }


def test_no_handler_imports_another() -> None:
    assert sorted(_handler_to_handler(_arrows()) - KNOWN_HANDLERS) == []


def test_the_check_sees_a_handler_importing_another() -> None:
    """Even an import inside a function counts; a *_common module is the way to share."""
    arrows = {
        ("handlers.start", "handlers.channels.use_code"),
        ("handlers.start", "handlers.channels_common.use_code"),
    }
    assert _handler_to_handler(arrows) == {("handlers.start", "handlers.channels")}


def test_the_check_sees_an_arrow_pointing_back_up(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text("from bot.core.dispatcher import Dispatcher\nimport bot.app\n")
    assert _imports(source) >= {"bot.core.dispatcher.Dispatcher", "bot.app"}
    assert _rank("bot.services.outbox") == 3 and _rank("bot.core.dispatcher") == 1
    assert _rank("bot.core.keys") is None  # the vocabulary belongs to no layer


def _owner(imported: str) -> str:
    """The module an imported name lives in (`a.b.name` → `a.b` when `a/b.py` exists)."""
    parts = imported.split(".")
    while parts:
        candidate = ROOT.joinpath(*parts)
        if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
            return ".".join(parts)
        parts.pop()
    return imported
