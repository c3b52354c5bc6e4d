"""A linear model of the knowledge base's examples (scikit-learn): TF-IDF of character 2–4-grams
and of words and word pairs, over the folded, corrected text, and a linear SVM on top."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

C = 1.0  # the SVM's regularisation: the knowledge base is small and its examples are short


class LinearModel:
    """Fitted once per knowledge base; `decision()` gives each label's margin."""

    def __init__(self, texts: Sequence[str], labels: Sequence[int], n_labels: int) -> None:
        self._chars = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, dtype=np.float32
        )
        self._words = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            sublinear_tf=True,
            token_pattern=r"\S+",
            dtype=np.float32,
        )
        features = hstack([self._chars.fit_transform(texts), self._words.fit_transform(texts)])
        svm = LinearSVC(C=C).fit(features.tocsr(), list(labels))  # only its weights are kept

        # inference by hand over the fitted analyzers, vocabularies and weights: the same
        # numbers as `decision_function`, without its per-call checks (a question is short)
        self._parts = [
            (v.build_analyzer(), v.vocabulary_, v.idf_.astype(np.float32), offset)
            for v, offset in (
                (self._chars, 0),
                (self._words, len(self._chars.vocabulary_)),
            )
        ]
        coef = np.asarray(svm.coef_, dtype=np.float32)
        intercept = np.asarray(svm.intercept_, dtype=np.float32)
        if coef.shape[0] == 1:  # two classes only: one margin for the second
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self._weights = np.full((coef.shape[1], n_labels), 0.0, dtype=np.float32)
        self._bias = np.full(n_labels, -1.0, dtype=np.float32)  # a label with no example
        for column, label in enumerate(svm.classes_):
            self._weights[:, int(label)] = coef[column]
            self._bias[int(label)] = intercept[column]

    def decision(self, texts: Sequence[str]) -> np.ndarray:
        """Margins, one row per text, one column per label."""
        out = np.tile(self._bias, (len(texts), 1))
        for row, text in enumerate(texts):
            for analyze, vocabulary, idf, offset in self._parts:
                counts = Counter(i for g in analyze(text) if (i := vocabulary.get(g)) is not None)
                if not counts:
                    continue
                index = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
                tf = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
                values = (1 + np.log(tf)) * idf[index]
                values /= np.linalg.norm(values)
                out[row] += values @ self._weights[index + offset]
        return out
