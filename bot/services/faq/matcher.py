"""Which topic a question is about, and how sure we are: pure, in memory, no I/O.

Two scorers learn from the same data, the knowledge base's titles and examples (in every
language given) and its out-of-scope examples (one more class, "none"): a linear SVM over
TF-IDF character and word n-grams (classifier.py, scikit-learn) and the hand-written TF-IDF
index with keyword bonuses (tfidf.py). A label's score is the SVM's margin plus a share of the
index's score. A long message is cut into clauses first (pieces.py): greetings and
self-introductions are dropped, and the clauses that ask weigh as much as the whole message,
so the question wins over the story told before it; two clauses that each clearly ask about
a different topic give two topics.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from bot.services.faq.cache import cached
from bot.services.faq.classifier import LinearModel
from bot.services.faq.knowledge import KnowledgeBase, Topic
from bot.services.faq.normalize import SMALLTALK, fold_text, tokens_of
from bot.services.faq.pieces import parts, pieces
from bot.services.faq.tfidf import NONE, TfidfIndex, accented

INDEX_SHARE = 0.7  # weight of the hand-written index's score beside the SVM's margin
ANSWER_AT = 0.3
ASK_AT = -0.3
CLEAR_MARGIN = 0.15  # the best topic must lead the next one by this much to be answered
NONE_MARGIN = 0.35  # out of scope when "none" comes this close to the best topic
SECOND_AT = 0.6  # a second clause's own topic, to be answered too
SECOND_PLAIN_AT = 1.2  # the same for a clause without a question word
SPLIT_AT = 0.0  # a part cut at a join ("... với lại ..."), its topic among the message's best
SHORT_CLAUSE = 7  # words: a shorter asking clause is read with the clause before it
MAX_PARTS = 6  # parts cut at joins looked at, the last ones: a question's time stays bounded


class Verdict(StrEnum):
    ANSWER = "answer"  # sure enough to answer
    ASK = "ask"  # close: offer the closest topics
    OUT_OF_SCOPE = "out_of_scope"  # not our field
    SMALLTALK = "smalltalk"  # greetings and thanks


@dataclass(frozen=True)
class Match:
    """The verdict on one question; `topic` is None when it is out of scope or small talk."""

    verdict: Verdict
    topic: str | None
    score: float
    candidates: tuple[tuple[str, float], ...] = ()  # best topics first, for asking back
    also: tuple[str, ...] = ()  # other topics the same message clearly asks about


@dataclass(frozen=True)
class Clause:
    """One clause's scores, whether it asks, and whether a join ("với lại") starts it."""

    row: np.ndarray
    asks: bool
    joined: bool = False  # cut at a join that surely starts another question


def merged(kb: KnowledgeBase, translations: Sequence[KnowledgeBase] = ()) -> KnowledgeBase:
    """One base whose topics carry the examples and keywords of every language."""
    if not translations:
        return kb
    topics: list[Topic] = []
    for topic in kb.topics:
        others = [t for other in translations if (t := other.topic(topic.id)) is not None]
        topics.append(
            topic.model_copy(
                update={
                    "examples": [
                        *topic.examples,
                        *(e for t in others for e in (t.title, *t.examples)),
                    ],
                    "keywords": [*topic.keywords, *(k for t in others for k in t.keywords)],
                }
            )
        )
    outside = [*kb.out_of_scope, *(e for other in translations for e in other.out_of_scope)]
    return kb.model_copy(update={"topics": topics, "out_of_scope": outside})


def fit(base: KnowledgeBase) -> tuple[TfidfIndex, LinearModel]:
    """The two scorers of a merged base (cache.py keeps them on disk)."""
    index = TfidfIndex(base)
    texts = [" ".join(tokens) for _label, tokens, _marked in index.docs]
    labels = [label for label, _tokens, _marked in index.docs]
    return index, LinearModel(texts, labels, len(index.labels))


class Matcher:
    """Built once per knowledge base; `match()` is cheap and side-effect free."""

    def __init__(
        self,
        kb: KnowledgeBase,
        *,
        translations: Sequence[KnowledgeBase] = (),
        answer_at: float = ANSWER_AT,
        ask_at: float = ASK_AT,
    ) -> None:
        self.answer_at = answer_at
        self.ask_at = ask_at
        base = merged(kb, translations)
        self.index, self.model = cached(base, lambda: fit(base))
        self.speller = self.index.speller
        self.labels = self.index.labels

    def _score(self, texts: Sequence[str]) -> tuple[np.ndarray, int]:
        """Combined scores, one row per text, one column per label; the first text's words."""
        tokens = [tokens_of(t, self.speller) for t in texts]
        margins = self.model.decision([" ".join(t) for t in tokens])
        queries = [(words, accented(text)) for text, words in zip(texts, tokens, strict=True)]
        margins += INDEX_SHARE * self.index.many_label_scores(queries)
        return margins, len(tokens[0])

    def _final(self, question: str) -> tuple[np.ndarray, list[Clause], int]:
        """The message's scores, each clause's scores (when there are several) with whether it
        asks, and how many words the message has. The clauses that ask (a short one also read
        with the clause before it) weigh as much as the whole message. The parts of a clause
        cut at a join ("... với lại ...") only bring a second topic; they do not weigh in."""
        found = pieces(question)
        kept = " . ".join(p.text for p in found) if found else question
        split = [part for p in found for part in parts(p.text)][-MAX_PARTS:]
        if len(found) < 2 and not split:
            rows, words = self._score([kept])
            return rows[0], [], words
        whole = found if len(found) > 1 else []
        windows = [
            f"{found[i - 1].text} {p.text}"
            for i, p in enumerate(whole)
            if i and p.asks and len(p.text.split()) < SHORT_CLAUSE
        ]
        texts = [kept, *(p.text for p in whole), *windows, *(p.text for p in split)]
        rows, words = self._score(texts)
        clauses = [Clause(rows[1 + i], p.asks) for i, p in enumerate(whole)]
        first_split = 1 + len(whole) + len(windows)
        asking = [c.row for c in clauses if c.asks] + list(rows[1 + len(whole) : first_split])
        clauses += [Clause(rows[first_split + i], p.asks, p.joined) for i, p in enumerate(split)]
        if not asking:
            return rows[0], clauses, words
        final = (rows[0] + np.max(asking, axis=0)) / 2
        final[-1] = rows[0][-1]  # "none" is judged on the whole message, not on a fragment
        return final, clauses, words

    def scores(self, question: str) -> list[tuple[str, float]]:
        """Every label with its score, best first (the label "" is out of scope)."""
        final, _asking, _words = self._final(question)
        ranked = [(label, round(float(s), 4)) for label, s in zip(self.labels, final, strict=True)]
        return sorted(ranked, key=lambda pair: pair[1], reverse=True)

    def match(self, question: str) -> Match:
        """The verdict on one question."""
        words = fold_text(question).split()
        if words and all(w in SMALLTALK for w in words):
            return Match(Verdict.SMALLTALK, None, 1.0)
        final, clauses, count = self._final(question)
        order = np.argsort(-final[:-1])
        topics = [(self.labels[i], round(float(final[i]), 4)) for i in order]
        candidates = tuple(topics[:3])
        best_topic, best_score = topics[0]
        if not words or final[-1] + NONE_MARGIN >= best_score or best_score < self.ask_at:
            return Match(Verdict.OUT_OF_SCOPE, None, best_score, candidates)
        also = self._second_topic(clauses, best_topic, {t for t, _ in candidates})
        if also:
            candidates = ((best_topic, best_score), (also, float(final[self.labels.index(also)])))
        runner_up = topics[1][1]
        clear = best_score - runner_up >= CLEAR_MARGIN and count > 1  # one word is too vague
        if best_score >= self.answer_at and (clear or also):
            return Match(
                Verdict.ANSWER, best_topic, best_score, candidates, (also,) if also else ()
            )
        return Match(Verdict.ASK, best_topic, best_score, candidates)

    def _second_topic(self, clauses: list[Clause], best: str, near: set[str]) -> str | None:
        """Another topic that one clause clearly asks about on its own (a clause without a
        question word must be surer: it may be the story). A part cut at a join may be less
        sure when its topic is also among the whole message's closest (`near`)."""
        for clause in clauses:
            row = clause.row
            order = np.argsort(-row)
            top, runner = int(order[0]), float(row[order[1]])
            label = self.labels[top]
            enough = SECOND_AT if clause.asks else SECOND_PLAIN_AT
            if clause.joined and label in near:
                enough = SPLIT_AT
            if (
                label not in (best, NONE)
                and row[top] >= enough
                and row[top] - runner >= CLEAR_MARGIN
            ):
                return label
        return None
