"""Every text a user reads is in a catalog, and Vietnamese is complete."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.cli.i18n import domains, extract
from bot.core.i18n import LOCALES_DIR, format_percent, use_locale


def _catalog(lang: str, domain: str):  # type: ignore[no-untyped-def]
    with (LOCALES_DIR / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as fp:
        return read_po(fp)


@pytest.mark.parametrize("domain", domains())
def test_vietnamese_catalog_is_complete(domain: str) -> None:
    untranslated = [m.id for m in _catalog("vi", domain) if m.id and not m.string]
    fuzzy = [m.id for m in _catalog("vi", domain) if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("domain", domains())
def test_catalogs_hold_every_string_in_the_code(
    domain: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Strings added to the code since the last `troly06 i18n update` fail here."""
    import bot.cli.i18n as tool

    monkeypatch.setattr(tool, "LOCALES_DIR", tmp_path)
    (tmp_path / f"{domain}.cfg").write_text((LOCALES_DIR / f"{domain}.cfg").read_text())
    extract(domain)
    with (tmp_path / f"{domain}.pot").open("rb") as fp:
        in_code = {m.id for m in read_po(fp) if m.id}
    in_catalog = {m.id for m in _catalog("vi", domain) if m.id}
    assert in_code - in_catalog == set()


def test_percent_is_vietnamese() -> None:
    with use_locale("vi"):
        assert format_percent(0.566) == "56,6%"
    with use_locale("en"):
        assert format_percent(0.566) == "56.6%"


def test_domains_agree_on_shared_messages() -> None:
    """Domains are merged at start, so a msgid in two domains must read the same in both."""
    seen: dict[str, tuple[str, str]] = {}
    clashes = []
    for domain in domains():
        for message in _catalog("vi", domain):
            if not message.id or isinstance(message.id, tuple):
                continue
            first = seen.setdefault(message.id, (domain, message.string))
            if first[1] != message.string:
                clashes.append((message.id, first[0], domain))
    assert clashes == []
