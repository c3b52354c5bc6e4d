"""A linear model of the knowledge base's examples (scikit-learn): TF-IDF of character 2–4-grams
and of words and word pairs, over the folded, corrected text, and a linear SVM on top.

scikit-learn fits the model; a question is scored from the fitted vocabularies and weights
alone (the same numbers as `decision_function`), so a model read back from the cache needs
only numpy, and scikit-learn is not even imported."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

C = 1.0  # the SVM's regularisation: the knowledge base is small and its examples are short
CHARS = (2, 4)  # character n-grams inside words, padded with a space (analyzer="char_wb")
WORDS = (1, 2)  # words and word pairs


def char_grams(text: str) -> list[str]:
    """scikit-learn's "char_wb" n-grams of CHARS, in its order."""
    low, high = CHARS
    out: list[str] = []
    for word in text.lower().split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:  # a short word is counted once, whole
                out.append(padded)
                break
            out += [padded[i : i + n] for i in range(size - n + 1)]
    return out


def word_grams(text: str) -> list[str]:
    """scikit-learn's word n-grams of WORDS over whitespace-separated tokens."""
    tokens = text.lower().split()
    out = list(tokens)
    for n in range(2, WORDS[1] + 1):
        out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    return out


ANALYZERS = (char_grams, word_grams)


class LinearModel:
    """Fitted once per knowledge base; `decision()` gives each label's margin."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], n_labels: int) -> None:
        from scipy.sparse import hstack
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.svm import LinearSVC

        vectorizers = [
            TfidfVectorizer(analyzer=analyze, sublinear_tf=True, dtype=np.float32)
            for analyze in ANALYZERS
        ]
        features = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
        svm = LinearSVC(C=C).fit(features, list(labels))  # only its weights are kept

        self._vocabularies: list[dict[str, int]] = []
        offset = 0
        for vectorizer in vectorizers:
            self._vocabularies.append({g: i + offset for g, i in vectorizer.vocabulary_.items()})
            offset += len(vectorizer.vocabulary_)
        self._idf = np.concatenate([v.idf_ for v in vectorizers]).astype(np.float32)
        self._word_columns: dict[str, tuple[int, ...]] = {}  # a word's char n-gram columns
        coef = np.asarray(svm.coef_, dtype=np.float32)
        intercept = np.asarray(svm.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # two classes only: one margin for the second
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self._weights = np.zeros((coef.shape[1], n_labels), dtype=np.float32)
        self._bias = np.full(n_labels, -1.0, dtype=np.float32)  # a label with no example
        for column, label in enumerate(svm.classes_):
            self._weights[:, int(label)] = coef[column]
            self._bias[int(label)] = intercept[column]

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Margins, one row per text, one column per label: every text in one product."""
        index: list[int] = []
        counts: list[int] = []
        sizes: list[int] = []  # features found per (text, analyzer)
        for text in texts:
            for found in (Counter(self._char_columns(text)), Counter(self._word_columns_of(text))):
                index.extend(found)
                counts.extend(found.values())
                sizes.append(len(found))
        out = np.tile(self._bias, (len(texts), 1))
        if not index:
            return out
        rows = np.asarray(index, dtype=np.intp)
        values = (1 + np.log(np.asarray(counts, dtype=np.float32))) * self._idf[rows]
        segment = np.repeat(np.arange(len(sizes)), sizes)
        norms = np.sqrt(np.bincount(segment, weights=values * values, minlength=len(sizes)))
        values /= norms[segment].astype(np.float32)  # each analyzer's part has unit length
        spread = np.zeros((len(texts), len(rows)), dtype=np.float32)  # text × found feature
        spread[segment // len(ANALYZERS), np.arange(len(rows))] = values
        return out + spread @ self._weights[rows]

    def _char_columns(self, text: str) -> list[int]:
        """The columns of a text's known character n-grams (char_grams, word by word)."""
        out: list[int] = []
        vocabulary = self._vocabularies[0]
        for word in text.lower().split():
            cached = self._word_columns.get(word)
            if cached is None:
                grams = char_grams(word)
                cached = tuple(i for g in grams if (i := vocabulary.get(g)) is not None)
                if len(self._word_columns) < 50_000:
                    self._word_columns[word] = cached
            out.extend(cached)
        return out

    def _word_columns_of(self, text: str) -> list[int]:
        vocabulary = self._vocabularies[1]
        return [i for g in word_grams(text) if (i := vocabulary.get(g)) is not None]
