"""FAQ matcher against the labelled dev set, beside two nearest-question baselines.

`python -m bench faq [--dev PATH] [--heldout PATH]`. For each method: top-1 accuracy (out of
scope, "none", counts as a class), split by questions typed with and without diacritics, the
share of out-of-scope questions caught, and milliseconds per question (p50/p99). Baselines
predict the label of the nearest dev question by rapidfuzz token_set_ratio or by TF-IDF over
character 2–4-grams, leave-one-out on the dev set (never scored on their own row); on the
held-out set they use every dev question. The matcher never sees either set.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.common import percentile
from bot.config import ROOT
from bot.core.text import fold, strip_diacritics
from bot.services.faq.knowledge import load
from bot.services.faq.matcher import Matcher, Verdict
from bot.services.faq.store import DEFAULT_FILE

NONE = "none"
PASSES = 5
DEV = ROOT.parent / "shared" / "faq" / "dev.tsv"
HELDOUT = ROOT / "tests" / "faq" / "heldout.tsv"
HELDOUT_LATE = ROOT / "tests" / "faq" / "heldout2.tsv"  # written after the first tuning round

Row = tuple[str, str]
Predict = Callable[[int, str], str]  # (row index, question) -> label


def read_rows(path: Path) -> list[Row]:
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [(q, t or NONE) for q, t in (line.split("\t")[:2] for line in lines if line.strip())]


def evaluate(
    rows: Sequence[Row], predict: Predict, reset: Callable[[], None] = lambda: None
) -> dict[str, object]:
    """Accuracy figures and time per question for one method.

    Each question's time is the median of PASSES passes, every pass from cold caches
    (`reset`): the median keeps other processes on this shared machine out of the figure.
    """
    hits: list[bool] = []
    accented: list[bool] = []
    runs: list[list[float]] = [[] for _ in rows]
    for _pass in range(PASSES):
        reset()
        for index, (question, _gold) in enumerate(rows):
            start = time.perf_counter()
            predict(index, question)
            runs[index].append((time.perf_counter() - start) * 1000)
    millis = [statistics.median(times) for times in runs]
    for index, (question, gold) in enumerate(rows):
        hits.append(predict(index, question) == gold)
        accented.append(strip_diacritics(question) != question)
    outside = [hit for hit, (_, gold) in zip(hits, rows, strict=True) if gold == NONE]
    with_marks = [hit for hit, marked in zip(hits, accented, strict=True) if marked]
    without = [hit for hit, marked in zip(hits, accented, strict=True) if not marked]
    return {
        "top1": _share(hits),
        "top1_with_diacritics": _share(with_marks),
        "top1_without_diacritics": _share(without),
        "out_of_scope_caught": _share(outside),
        "questions": len(rows),
        "with_diacritics": len(with_marks),
        "p50_ms": round(percentile(millis, 0.5), 3),
        "p99_ms": round(percentile(millis, 0.99), 3),
    }


def _share(flags: Sequence[bool]) -> float | None:
    return round(sum(flags) / len(flags), 4) if flags else None


def matcher_predict(matcher: Matcher) -> Predict:
    def predict(_index: int, question: str) -> str:
        match = matcher.match(question)
        on_topic = match.verdict in (Verdict.ANSWER, Verdict.ASK)
        return match.topic if on_topic and match.topic else NONE

    return predict


def fuzz_predict(train: Sequence[Row], leave_one_out: bool) -> Predict:
    """Nearest training question by token_set_ratio over folded text."""
    from rapidfuzz import fuzz, process

    folded = [fold(q) for q, _ in train]

    def predict(index: int, question: str) -> str:
        found = process.extract(fold(question), folded, scorer=fuzz.token_set_ratio, limit=2)
        for _text, _score, position in found:
            if not (leave_one_out and position == index):
                return train[position][1]
        return NONE

    return predict


def tfidf_predict(train: Sequence[Row], leave_one_out: bool) -> Predict | None:
    """Nearest training question by cosine over TF-IDF char_wb 2–4-grams (refit per left-out
    row, so a row's own n-grams never shape the weights it is scored with)."""
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError:
        return None
    folded = [fold(q) for q, _ in train]

    def fitted(exclude: int | None) -> tuple[object, object, list[int]]:
        keep = [i for i in range(len(folded)) if i != exclude]
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        matrix = vectorizer.fit_transform([folded[i] for i in keep])
        return vectorizer, matrix, keep

    models = {i: fitted(i) for i in range(len(folded))} if leave_one_out else {}
    shared = None if leave_one_out else fitted(None)

    def predict(index: int, question: str) -> str:
        vectorizer, matrix, keep = models[index] if leave_one_out else shared  # type: ignore[misc]
        similarity = (matrix @ vectorizer.transform([fold(question)]).T).toarray().ravel()  # type: ignore[attr-defined]
        return train[keep[int(similarity.argmax())]][1]

    return predict


def compare(rows: Sequence[Row], matcher: Matcher, train: Sequence[Row], loo: bool) -> dict:
    """The matcher and both baselines on the same rows, in the same run."""
    cold = matcher.speller.clear_cache
    out: dict[str, object] = {"matcher": evaluate(rows, matcher_predict(matcher), cold)}
    out["rapidfuzz_token_set"] = evaluate(rows, fuzz_predict(train, loo))
    tfidf = tfidf_predict(train, loo)
    out["tfidf_char_2_4"] = evaluate(rows, tfidf) if tfidf else "scikit-learn not installed"
    return out


def main(argv: list[str]) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench faq")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--heldout", type=Path, default=HELDOUT)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    kb = load(DEFAULT_FILE)
    matcher = Matcher(kb)
    build_ms = round((time.perf_counter() - started) * 1000, 1)
    for warm in ("xin chao", "vneid", "abc xyz"):  # first calls load numpy/rapidfuzz paths
        matcher.match(warm)

    dev = read_rows(args.dev)
    heldout = read_rows(args.heldout) + (read_rows(HELDOUT_LATE) if HELDOUT_LATE.exists() else [])
    result: dict[str, object] = {
        "topics": len(kb.topics),
        "examples": sum(len(t.examples) for t in kb.topics),
        "build_ms": build_ms,
        "dev": compare(dev, matcher, dev, loo=True),
        "heldout": compare(heldout, matcher, dev, loo=False),
        "targets": {"top1": 0.95, "out_of_scope_caught": 0.9, "p99_ms": 5.0},
    }
    return result
