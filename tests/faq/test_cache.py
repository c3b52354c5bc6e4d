"""The fitted matcher kept on disk: read back when the base is unchanged, refitted when not."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.faq import cache, matcher
from bot.services.faq.classifier import char_grams, word_grams
from bot.services.faq.knowledge import load
from bot.services.faq.store import DEFAULT_FILE, ENGLISH_FILE


@pytest.fixture
def fits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the fits, with the cache in a folder of this test."""
    monkeypatch.setenv(cache.CACHE_ENV, str(tmp_path / "cache"))
    counted: list[int] = []
    real = matcher.fit

    def fit(base):  # type: ignore[no-untyped-def]
        counted.append(1)
        return real(base)

    monkeypatch.setattr(matcher, "fit", fit)
    return counted


def test_an_unchanged_base_is_read_back_not_fitted(fits: list[int], tmp_path: Path) -> None:
    kb, en = load(DEFAULT_FILE), load(ENGLISH_FILE)
    first = matcher.Matcher(kb, translations=[en])
    second = matcher.Matcher(kb, translations=[en])
    assert len(fits) == 1
    question = "quên mật khẩu vneid với lại đổi số điện thoại thì sao"
    assert first.scores(question) == second.scores(question)
    assert len(list((tmp_path / "cache").glob("*.pickle"))) == 1


def test_an_edited_base_is_fitted_again(fits: list[int]) -> None:
    kb = load(DEFAULT_FILE)
    matcher.Matcher(kb)
    topic = kb.topics[0]
    more = topic.model_copy(update={"examples": [*topic.examples, "cái app công an là chi"]})
    edited = kb.model_copy(update={"topics": [more, *kb.topics[1:]]})
    matcher.Matcher(edited)
    assert len(fits) == 2


def test_a_broken_entry_is_fitted_again(fits: list[int], tmp_path: Path) -> None:
    kb = load(DEFAULT_FILE)
    matcher.Matcher(kb)
    (entry,) = (tmp_path / "cache").glob("*.pickle")
    entry.write_bytes(b"not a pickle")
    again = matcher.Matcher(kb)
    assert len(fits) == 2 and again.match("quên mật khẩu vneid").topic == "forgot_passcode"


def test_the_cache_can_be_turned_off(fits: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    kb = load(DEFAULT_FILE)
    matcher.Matcher(kb)
    matcher.Matcher(kb)
    assert len(fits) == 2


@pytest.mark.parametrize(
    "text", ["quen mat khau vneid", "a b cd efg  hijk\\tlmnop", "Đăng ký mức 2 ở đâu", ""]
)
def test_the_analyzers_are_scikit_learns(text: str) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4)).build_analyzer()
    words = TfidfVectorizer(ngram_range=(1, 2), token_pattern=r"\S+").build_analyzer()
    assert char_grams(text) == chars(text)
    assert word_grams(text) == words(text)
