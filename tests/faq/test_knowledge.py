"""The knowledge base: every campaign topic answered, in agreement with the fact sheet."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.faq.knowledge import TOPIC_IDS, KnowledgeError, load, parse
from bot.services.faq.normalize import fold_text
from bot.services.faq.store import DEFAULT_FILE, ENGLISH_FILE
from tests.faq.conftest import SHARED, read_tsv

NEW_TOPICS = ("fingerprint_worn", "stay_notice", "register_for_relative", "mobile_team_visit")


@pytest.fixture(scope="module")
def kb():  # type: ignore[no-untyped-def]
    return load(DEFAULT_FILE)


@pytest.fixture(scope="module")
def en():  # type: ignore[no-untyped-def]
    return load(ENGLISH_FILE)


def answer(kb, topic_id: str) -> str:  # type: ignore[no-untyped-def]
    return kb.topic(topic_id).answer


def test_every_campaign_topic_is_answered(kb) -> None:  # type: ignore[no-untyped-def]
    ids = {t.id for t in kb.topics}
    assert set(TOPIC_IDS) <= ids
    shared = SHARED / "topics.tsv"
    if shared.exists():
        listed = {line.split("\t")[0] for line in shared.read_text().splitlines()[1:] if line}
        assert listed == set(TOPIC_IDS)
    for topic in kb.topics:
        assert topic.answer and topic.sources and topic.last_checked
        assert all(s.startswith("https://") or s.startswith("http://") for s in topic.sources)


def test_answers_agree_with_the_facts(kb) -> None:  # type: ignore[no-untyped-def]
    assert "miễn phí" in answer(kb, "cost")
    assert "1900 0368" in answer(kb, "hotline")
    assert "không bao giờ hỏi mã OTP" in answer(kb, "scam_warning")
    assert 'Không có "định danh mức 3"' in answer(kb, "scam_warning")
    level2 = answer(kb, "level2_register")
    assert "trực tiếp" in level2 and "không ai làm thay" in level2
    assert "không cần về nơi thường trú" in level2
    card = answer(kb, "id_card_issue")
    assert "thẻ căn cước" in card and "1/7/2024" in card
    assert "không còn công an huyện" in answer(kb, "where_when")
    assert "7 ngày làm việc" in answer(kb, "id_card_lost")
    assert "3 ngày" in answer(kb, "processing_time")


def test_uncertain_facts_send_people_to_the_commune_police(kb) -> None:  # type: ignore[no-untyped-def]
    for topic_id in ("sim_not_owner", "no_smartphone", "id_card_collect", "children", "cost"):
        assert "hỏi công an xã" in answer(kb, topic_id), topic_id


def test_no_answer_asks_for_secrets(kb) -> None:  # type: ignore[no-untyped-def]
    for topic in kb.topics:
        folded = fold_text(topic.answer)
        assert "gui ma otp cho" not in folded and "doc ma otp cho chung toi" not in folded


def test_flow_topics_name_their_flow(kb) -> None:  # type: ignore[no-untyped-def]
    assert kb.topic("book_slot").action == "booking.start"
    assert kb.topic("away_at_sea").action == "away.start"
    assert kb.topic("home_service").action == "booking.home_visit"


def written(*bases) -> set[str]:  # type: ignore[no-untyped-def]
    """Every text a base holds that a matcher learns from: titles, examples, out of scope."""
    return {
        fold_text(text)
        for base in bases
        for text in (
            *(t.title for t in base.topics),
            *(e for t in base.topics for e in t.examples),
            *base.out_of_scope,
        )
    }


def test_dev_questions_are_not_pasted_into_the_base(kb, en) -> None:  # type: ignore[no-untyped-def]
    dev = SHARED / "dev.tsv"
    assert dev.exists(), f"the shared dev set must be beside the clone: {dev}"
    asked = {fold_text(q) for q, _ in read_tsv(dev)}
    assert asked & written(kb, en) == set()


def test_held_out_questions_are_not_in_the_base(kb, en) -> None:  # type: ignore[no-untyped-def]
    here = Path(__file__).parent
    names = ("heldout.tsv", "heldout2.tsv", "heldout_blind.tsv", "styles.tsv", "two.tsv")
    rows = [row for name in names if (here / name).exists() for row in read_tsv(here / name)]
    assert len(rows) > 300
    held = {fold_text(q) for q, _ in rows}
    assert held & written(kb, en) == set()


def test_new_topics_are_answered_with_source_and_date(kb, en) -> None:  # type: ignore[no-untyped-def]
    for topic_id in NEW_TOPICS:
        for base in (kb, en):
            topic = base.topic(topic_id)
            assert topic is not None and topic.sources and topic.last_checked.year >= 2026
    assert "Thông báo lưu trú" in answer(kb, "stay_notice")
    assert "không ai làm thay" in answer(kb, "register_for_relative").lower()
    assert "lừa đảo" in answer(kb, "fingerprint_worn") and "hỏi công an xã" in answer(
        kb, "fingerprint_worn"
    )
    assert '"Đặt lịch làm căn cước, VNeID"' in answer(kb, "mobile_team_visit")
    assert kb.topic("mobile_team_visit").action == "booking.start"


def test_english_base_answers_every_topic_in_step(kb, en) -> None:  # type: ignore[no-untyped-def]
    assert [t.id for t in en.topics] == [t.id for t in kb.topics]
    for ours, theirs in zip(kb.topics, en.topics, strict=True):
        assert theirs.sources == ours.sources and theirs.last_checked == ours.last_checked
        assert theirs.action == ours.action
    assert "1900 0368" in en.topic("hotline").answer
    assert "free" in en.topic("cost").answer


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("topics: [\n  - id: x\n", "not valid YAML"),
        ("- just a list", "must be a mapping"),
        ("version: 1\ntopics: []\nout_of_scope: [a, b, c, d, e]", "topics"),
    ],
)
def test_broken_files_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(KnowledgeError, match=reason):
        parse(text)


def test_missing_topic_and_empty_answer_are_named() -> None:
    text = DEFAULT_FILE.read_text(encoding="utf-8")
    without_cost = text.replace("  - id: cost\n", "  - id: cost_renamed\n")
    with pytest.raises(KnowledgeError, match="missing topic ids: cost"):
        parse(without_cost)
    start = text.index("  - id: hotline")
    answer_at = text.index("    answer: |-", start)
    sources_at = text.index("    sources:", answer_at)
    emptied = text[:answer_at] + '    answer: ""\n' + text[sources_at:]
    with pytest.raises(KnowledgeError, match=r"topics\[hotline\]\.answer"):
        parse(emptied)
