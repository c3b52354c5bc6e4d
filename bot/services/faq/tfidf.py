"""The hand-written index: how close a question is to each topic, pure, in memory, no I/O.

Each example phrasing (and each title) becomes a sparse TF-IDF vector of words, word pairs and
character trigrams, over words that are folded, expanded and spell-corrected first. A topic's
score mixes its closest example with its centroid, plus a bonus for its keywords. The examples
of `out_of_scope` form one more class, "none": when it wins, or nothing scores high enough, the
question is not ours. The matcher (matcher.py) adds these scores to a linear model's.
"""

from __future__ import annotations

import itertools
import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from bot.core.text import strip_diacritics
from bot.services.faq.knowledge import KnowledgeBase
from bot.services.faq.normalize import SMALLTALK, Speller, tokens_of

NONE = ""  # the label of the out-of-scope class
KIND_WEIGHTS = {"w": 1.0, "b": 0.8, "c": 0.35, "a": 0.3}
EXAMPLE_SHARE = 0.6  # the rest is the centroid's share
KEYWORD_BONUS = 0.12
FOREIGN_WORD_FACTOR = 0.8  # per word the knowledge base never uses: the question is elsewhere


Vector = dict[str, float]
Doc = tuple[int, list[str], list[str]]  # label, corrected folded words, words with their marks


def accented(text: str) -> list[str]:
    """Words written with their marks: "mất" and "mật" differ here, not once folded."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFC", text[:400]).lower())
    return [w for w in words if strip_diacritics(w) != w]


def _raw_features(tokens: list[str], marked: Sequence[str] = ()) -> Counter[str]:
    counts: Counter[str] = Counter()
    for word in marked:
        counts["a:" + word] += 1
    for token in tokens:
        counts["w:" + token] += 1
        padded = f" {token} "
        for i in range(len(padded) - 2):
            counts["c:" + padded[i : i + 3]] += 1
    for first, second in itertools.pairwise(tokens):
        counts[f"b:{first}_{second}"] += 1
    return counts


def _normalised(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {k: v / norm for k, v in vector.items()} if norm else {}


class TfidfIndex:
    """Built once per knowledge base; `scores()` is cheap and side-effect free."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.labels = [t.id for t in kb.topics] + [NONE]
        self._domain_words = self._vocabulary(kb)
        self.speller = Speller(self._domain_words | set(self._words(kb.out_of_scope)))
        docs: list[Doc] = []
        for index, topic in enumerate(kb.topics):
            for text in (topic.title, *topic.examples):
                docs.append((index, tokens_of(text, self.speller), accented(text)))
        none_index = len(self.labels) - 1
        docs.extend((none_index, tokens_of(t, self.speller), accented(t)) for t in kb.out_of_scope)
        self.docs = docs  # the corrected words of every title and example, by label
        self._idf = self._inverse_frequencies(docs)
        self._build_matrices(docs)
        # a question's features are looked up by row: each row's idf × its kind's weight
        self._row_weight = np.zeros(len(self._row), dtype=np.float32)
        for feature, row in self._row.items():
            self._row_weight[row] = self._idf[feature] * KIND_WEIGHTS[feature[0]]
        self._token_rows: dict[str, tuple[int, ...]] = {}  # a word's own and trigram rows
        self._keywords = self._weigh_keywords(kb, docs)
        # keyword phrase (its words, space-joined) → the topics it points to, with weights
        self._keyword_topics: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for index, keywords in enumerate(self._keywords):
            for phrase, weight in keywords:
                self._keyword_topics[phrase.strip()].append((index, weight))
        self._keyword_words = max((len(p.split()) for p in self._keyword_topics), default=0)

    def _weigh_keywords(self, kb: KnowledgeBase, docs: list[Doc]) -> list[list[tuple[str, float]]]:
        """Each topic's keywords, weighted by how few topics' examples use them: "mat tien"
        points to the cost topic only, "muc 2" to many."""
        joined: dict[int, list[str]] = defaultdict(list)
        for label, tokens, _marked in docs:
            joined[label].append(" " + " ".join(tokens) + " ")
        texts = ["|".join(joined[label]) for label in range(len(self.labels))]
        top = math.log(1 + len(self.labels))
        weighed: list[list[tuple[str, float]]] = []
        for topic in kb.topics:
            phrases = {" " + " ".join(tokens_of(k, self.speller)) + " " for k in topic.keywords}
            weighed.append(
                [
                    (p, math.log(1 + len(self.labels) / max(1, sum(p in t for t in texts))) / top)
                    for p in sorted(phrases)
                    if p.strip()
                ]
            )
        return weighed

    @staticmethod
    def _words(texts: Iterable[str]) -> set[str]:
        return {w for text in texts for w in tokens_of(text)}

    def _vocabulary(self, kb: KnowledgeBase) -> set[str]:
        """Every word of the topics (titles, answers, examples, keywords) and of small talk."""
        texts: list[str] = []
        for topic in kb.topics:
            texts.extend((topic.title, topic.answer, *topic.examples, *topic.keywords))
        return self._words(texts) | SMALLTALK

    def _inverse_frequencies(self, docs: Iterable[Doc]) -> dict[str, float]:
        """log(1 + labels / labels using the feature): shared words weigh little."""
        seen: dict[str, set[int]] = defaultdict(set)
        for label, tokens, marked in docs:
            for feature in _raw_features(tokens, marked):
                seen[feature].add(label)
        total = len(self.labels)
        return {f: math.log(1 + total / len(labels)) for f, labels in seen.items()}

    def _vector(self, tokens: list[str], marked: Sequence[str] = ()) -> Vector:
        vector: Vector = {}
        for feature, count in _raw_features(tokens, marked).items():
            idf = self._idf.get(feature)
            if idf is not None:
                vector[feature] = (1 + math.log(count)) * idf * KIND_WEIGHTS[feature[0]]
        return _normalised(vector)

    def _build_matrices(self, docs: list[Doc]) -> None:
        """Feature × example and feature × label (centroid) weights, examples grouped by label."""
        vectors = sorted(
            ((label, v) for label, tokens, marked in docs if (v := self._vector(tokens, marked))),
            key=lambda pair: pair[0],
        )
        self._row = {f: i for i, f in enumerate(sorted({f for _, v in vectors for f in v}))}
        rows, columns, weights = [], [], []
        by_label = np.zeros((len(self._row), len(self.labels)), dtype=np.float32)
        for column, (label, vector) in enumerate(vectors):
            for feature, weight in vector.items():
                rows.append(self._row[feature])
                columns.append(column)
                weights.append(weight)
                by_label[self._row[feature], label] += weight
        by_label /= np.maximum(np.linalg.norm(by_label, axis=0), 1e-9)
        shape = (len(self._row), len(vectors))  # sparse: a dense one takes tens of megabytes
        from scipy.sparse import csr_matrix  # only to build: a loaded index needs numpy alone

        matrix = csr_matrix((weights, (rows, columns)), shape=shape, dtype=np.float32)
        self._by_example = (matrix.indptr, matrix.indices, matrix.data, shape[1])
        self._by_label = by_label
        labels = [label for label, _ in vectors]
        self._starts = np.array([labels.index(i) for i in range(len(self.labels))])

    def scores(self, question: str) -> list[tuple[str, float]]:
        """Every label with its score, best first (the label "" is out of scope)."""
        found = self.label_scores(tokens_of(question, self.speller), accented(question))
        ranked = [(label, round(float(s), 4)) for label, s in zip(self.labels, found, strict=True)]
        return sorted(ranked, key=lambda pair: pair[1], reverse=True)

    def label_scores(self, tokens: list[str], marked: Sequence[str] = ()) -> np.ndarray:
        """The score of every label, in the order of `labels`, for corrected folded words."""
        return self.many_label_scores([(tokens, marked)])[0]

    def many_label_scores(self, queries: Sequence[tuple[list[str], Sequence[str]]]) -> np.ndarray:
        """`label_scores` of several texts (the clauses of one message), one row each: the
        same numbers as `_vector`, from the rows of each word's features."""
        rows: list[int] = []
        counts: list[int] = []
        sizes: list[int] = []
        for tokens, marked in queries:
            found = Counter(self._rows_of(tokens, marked))
            rows.extend(found)
            counts.extend(found.values())
            sizes.append(len(found))
        mixed = np.zeros((len(queries), len(self.labels)), dtype=np.float32)
        if rows:
            texts = np.repeat(np.arange(len(queries)), sizes)
            index = np.asarray(rows, dtype=np.intp)
            found = (1 + np.log(np.asarray(counts, dtype=np.float32))) * self._row_weight[index]
            norms = np.sqrt(np.bincount(texts, weights=found * found, minlength=len(queries)))
            found /= norms[texts].astype(np.float32)
            near = self._near(texts, index, found, len(queries))
            closest = np.maximum.reduceat(near, self._starts, axis=1)
            spread = np.zeros((len(queries), len(rows)), dtype=np.float32)
            spread[texts, np.arange(len(rows))] = found
            centroid = spread @ self._by_label[index]
            mixed += EXAMPLE_SHARE * closest + (1 - EXAMPLE_SHARE) * centroid
        for text, (tokens, _marked) in enumerate(queries):
            self._adjust(mixed[text], tokens)
        return mixed

    def _rows_of(self, tokens: list[str], marked: Sequence[str]) -> list[int]:
        """The rows of a text's known features, a row once per occurrence."""
        out: list[int] = []
        get = self._row.get
        for word in marked:
            if (row := get("a:" + word)) is not None:
                out.append(row)
        for token in tokens:
            cached = self._token_rows.get(token)
            if cached is None:
                padded = f" {token} "
                grams = ["w:" + token, *("c:" + padded[i : i + 3] for i in range(len(padded) - 2))]
                cached = tuple(row for g in grams if (row := get(g)) is not None)
                if len(self._token_rows) < 50_000:
                    self._token_rows[token] = cached
            out.extend(cached)
        for first, second in itertools.pairwise(tokens):
            if (row := get(f"b:{first}_{second}")) is not None:
                out.append(row)
        return out

    def _near(
        self, texts: np.ndarray, rows: np.ndarray, weights: np.ndarray, n: int
    ) -> np.ndarray:
        """Each text's dot product with every example (n × examples), from the rows of the
        example matrix of its features, without a Python loop."""
        indptr, indices, data, examples = self._by_example  # the CSR arrays of features × examples
        starts = indptr[rows]
        lengths = indptr[rows + 1] - starts
        # the positions of every stored value of those rows
        shift = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
        positions = np.arange(int(lengths.sum())) + shift
        values = data[positions] * np.repeat(weights, lengths)
        cells = np.repeat(texts, lengths) * examples + indices[positions]
        near = np.bincount(cells, weights=values, minlength=n * examples)
        return near.reshape(n, examples)

    def _adjust(self, mixed: np.ndarray, tokens: list[str]) -> None:
        """Keyword bonuses, and the penalty for words the knowledge base never uses."""
        found: dict[int, list[float]] = defaultdict(list)
        for phrase in self._phrases(tokens):
            for index, weight in self._keyword_topics.get(phrase, ()):
                found[index].append(weight)
        for index, weights_found in found.items():
            mixed[index] += KEYWORD_BONUS * sum(sorted(weights_found, reverse=True)[:2])
        foreign = sum(1 for t in tokens if t not in self._domain_words and not t.isdigit())
        # per unknown word in a short question; a long message's story may use many
        mixed[: len(self._keywords)] *= FOREIGN_WORD_FACTOR ** (foreign * 4 / max(4, len(tokens)))

    def _phrases(self, tokens: list[str]) -> set[str]:
        """Every run of up to the longest keyword's length of words, space-joined."""
        return {
            " ".join(tokens[i : i + n])
            for n in range(1, self._keyword_words + 1)
            for i in range(len(tokens) - n + 1)
        }
