"""The VNeID FAQ: knowledge bases as data (vi, en), a matcher for how residents type, a log.

- knowledge.py: the YAML file's shape (pydantic), topic ids that must be answered
- normalize.py: folding, abbreviations, teen code and typos
- pieces.py: the clauses of a long message that ask (no greetings, introductions, story)
- classifier.py: a linear SVM over TF-IDF n-grams of the examples (scikit-learn)
- tfidf.py: the hand-written TF-IDF index with keyword bonuses
- matcher.py: question → (verdict, topic, score, a second topic), pure and in memory
- language.py: whether a question is written in English
- store.py: the base in use, re-read when the file changes, never replaced by a broken file
- unanswered.py: questions kept without identity for the admin
"""

from bot.services.faq.knowledge import KnowledgeBase, KnowledgeError, Topic
from bot.services.faq.matcher import Match, Matcher, Verdict
from bot.services.faq.store import Faq, FaqStore, ReloadResult, default_store

__all__ = [
    "Faq",
    "FaqStore",
    "KnowledgeBase",
    "KnowledgeError",
    "Match",
    "Matcher",
    "ReloadResult",
    "Topic",
    "Verdict",
    "default_store",
]
