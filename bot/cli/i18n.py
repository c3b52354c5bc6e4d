"""`troly06 i18n extract|update|compile`: the Babel steps, once per catalog domain.

A domain is declared by a Babel mapping file locales/<domain>.cfg naming its source files;
its catalogs are locales/<lang>/LC_MESSAGES/<domain>.po.
"""

from __future__ import annotations

import argparse

from babel.messages.frontend import CommandLineInterface

from bot.config import ROOT
from bot.core.i18n import LOCALES_DIR, SUPPORTED


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = sub.add_parser("i18n", help="extract, update or compile the message catalogs")
    parser.add_argument("step", choices=["extract", "update", "compile", "all"])
    parser.set_defaults(func=run)


def domains() -> list[str]:
    return sorted(cfg.stem for cfg in LOCALES_DIR.glob("*.cfg"))


def _pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def extract(domain: str) -> None:
    _pybabel(
        "extract",
        "-F",
        str(LOCALES_DIR / f"{domain}.cfg"),
        "-o",
        str(LOCALES_DIR / f"{domain}.pot"),
        "--no-location",
        "--sort-output",
        "-k",
        "lazy_gettext",
        "-w",
        "99",
        str(ROOT),
    )


def update(domain: str) -> None:
    for lang in SUPPORTED:
        po = LOCALES_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        step = "update" if po.exists() else "init"
        extra = ["--no-fuzzy-matching", "-w", "99"] if step == "update" else ["-w", "99"]
        _pybabel(
            step,
            "-i",
            str(LOCALES_DIR / f"{domain}.pot"),
            "-d",
            str(LOCALES_DIR),
            "-D",
            domain,
            "-l",
            lang,
            *extra,
        )


def compile_all() -> None:
    for domain in domains():
        _pybabel("compile", "-d", str(LOCALES_DIR), "-D", domain, "--use-fuzzy")


def run(args: argparse.Namespace) -> int:
    if args.step in ("extract", "update", "all"):
        for domain in domains():
            extract(domain)
            if args.step != "extract":
                update(domain)
    if args.step in ("compile", "all"):
        compile_all()
    return 0
