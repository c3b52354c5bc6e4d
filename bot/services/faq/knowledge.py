"""The FAQ knowledge base as data: the YAML file's shape, checked with pydantic on load."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

# The campaign's topics (../shared/faq/topics.tsv): each must have an answer.
TOPIC_IDS: tuple[str, ...] = (
    "what_is_vneid", "level_difference", "level1_register", "level2_register",
    "documents_needed", "activate_account", "otp_not_received", "forgot_passcode",
    "change_phone", "sim_not_owner", "no_smartphone", "lost_phone", "account_locked",
    "wrong_info", "processing_time", "check_status", "cost", "where_when", "book_slot",
    "id_card_issue", "id_card_lost", "id_card_collect", "children", "home_service",
    "away_at_sea", "benefits", "integrate_documents", "app_install", "nfc_chip",
    "face_verification", "scam_warning", "privacy_security", "hotline", "login_error",
)  # fmt: skip

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_ANSWER_CHARS = 1800  # Zalo sends at most 2000 characters per message
MAX_FILE_BYTES = 2_000_000

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class KnowledgeError(ValueError):
    """The knowledge base file cannot be used; the message says why, for the admin."""


class Topic(BaseModel):
    """One question topic: its answer, where the answer comes from, and how people ask it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
    title: Text
    answer: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=20, max_length=MAX_ANSWER_CHARS)
    ]
    sources: list[Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]] = Field(
        min_length=1
    )
    last_checked: date
    examples: list[Text] = Field(min_length=3)
    keywords: list[Text] = []
    action: Annotated[str, StringConstraints(pattern=r"^[a-z_]+\.[a-z_]+$")] | None = None
    action_label: Text | None = None

    @model_validator(mode="after")
    def _action_has_label(self) -> Topic:
        if self.action and not self.action_label:
            raise ValueError("action needs an action_label")
        return self


class KnowledgeBase(BaseModel):
    """Every topic, plus example questions that are outside our field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    topics: list[Topic] = Field(min_length=1)
    out_of_scope: list[Text] = Field(min_length=5)

    @model_validator(mode="after")
    def _ids_complete_and_unique(self) -> KnowledgeBase:
        ids = [t.id for t in self.topics]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate topic ids: {', '.join(duplicates)}")
        missing = [i for i in TOPIC_IDS if i not in ids]
        if missing:
            raise ValueError(f"missing topic ids: {', '.join(missing)}")
        return self

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


def parse(text: str) -> KnowledgeBase:
    """A knowledge base from YAML text; raises KnowledgeError with a readable reason."""
    try:
        data = yaml.load(text, Loader=_LOADER)  # a safe loader (in C when libyaml is there)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise KnowledgeError(f"not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise KnowledgeError("the file must be a mapping with 'topics' and 'out_of_scope'")
    try:
        return KnowledgeBase.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(_describe(exc, data)) from exc


def load(path: Path) -> KnowledgeBase:
    """Read and check a knowledge base file."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise KnowledgeError(f"file too large ({size} bytes)")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise KnowledgeError("the file is not UTF-8 text") from exc
    except OSError as exc:
        raise KnowledgeError(f"cannot read the file: {exc.strerror or exc}") from exc
    return parse(text)


def _describe(exc: ValidationError, data: dict[str, object]) -> str:
    """The first few problems, naming topics by id rather than by list index."""
    topics = data.get("topics")
    parts: list[str] = []
    for error in exc.errors()[:5]:
        loc = list(error["loc"])
        if len(loc) >= 2 and loc[0] == "topics" and isinstance(loc[1], int):
            entry = topics[loc[1]] if isinstance(topics, list) and loc[1] < len(topics) else None
            name = entry.get("id") if isinstance(entry, dict) else None
            loc[1] = f"[{name or loc[1]}]"
        where = ".".join(str(p) for p in loc).replace(".[", "[")
        parts.append(f"{where}: {error['msg']}" if where else error["msg"])
    more = exc.error_count() - len(parts)
    return "; ".join(parts) + (f" (+{more} more)" if more > 0 else "")
