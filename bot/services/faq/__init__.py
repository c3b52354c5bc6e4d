"""The VNeID FAQ: a knowledge base as data, a matcher for how residents type, unanswered log.

- knowledge.py: the YAML file's shape (pydantic), topic ids that must be answered
- normalize.py: folding, abbreviations, teen code and typos
- matcher.py: question → (verdict, topic, score), pure and in memory
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
