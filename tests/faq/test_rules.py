"""Questions the matcher must answer surely (topic keywords) and marks people do type."""

from __future__ import annotations

import pytest

from bot.services.faq.knowledge import load
from bot.services.faq.matcher import Matcher, Verdict
from bot.services.faq.store import DEFAULT_FILE


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(load(DEFAULT_FILE))


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("thay so moi cho vneid", "change_phone"),
        ("cho mai khong thay ma xac thuc", "otp_not_received"),
        ("dang nhap vneid tren may moi", "lost_phone"),
        ("tên trên định danh bị sai chính tả", "wrong_info"),
        ("lam can cuoc may ngay co", "processing_time"),
        ("link cai vneid qua zalo co that khong", "scam_warning"),
    ],
)
def test_a_topics_keywords_make_the_answer_sure(
    matcher: Matcher, question: str, topic: str
) -> None:
    match = matcher.match(question)
    assert (match.verdict, match.topic) == (Verdict.ANSWER, topic)


def test_marks_typed_by_the_resident_count(matcher: Matcher) -> None:
    # "mấy giờ ... mở" reads like opening hours once folded; the marks say it is a night market.
    assert matcher.match("mấy giờ chợ đêm mở").verdict is Verdict.OUT_OF_SCOPE
