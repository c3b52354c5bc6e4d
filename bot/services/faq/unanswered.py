"""Questions the FAQ could not answer: kept without identity, digits masked, for the admin."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.services.faq.matcher import Match
from bot.services.privacy.masking import mask_numbers
from bot.storage import faq as rows
from bot.storage.faq import UnansweredRow

MAX_KEPT_CHARS = 500
__all__ = ["latest", "mask_numbers", "record"]  # mask_numbers: phones and ID numbers, any form


async def record(tx: AsyncConnection, question: str, match: Match, now: datetime) -> None:
    """Keep a question the FAQ could not answer (text and time only)."""
    await rows.add_unanswered(
        tx,
        question=mask_numbers(question.strip())[:MAX_KEPT_CHARS],
        asked_at=now,
        verdict=match.verdict.value,
        guess=match.candidates[0][0] if match.candidates else None,
        score=match.score,
    )


async def latest(tx: AsyncConnection, limit: int = 20) -> tuple[list[UnansweredRow], int]:
    """The `limit` most recent unanswered questions, and how many are kept in all."""
    return await rows.latest_unanswered(tx, limit), await rows.count_unanswered(tx)
