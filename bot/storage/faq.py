"""Rows of the FAQ's unanswered questions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.faq import faq_unanswered


@dataclass(frozen=True)
class UnansweredRow:
    question: str
    asked_at: datetime
    verdict: str
    guess: str | None
    score: float


async def add_unanswered(
    tx: AsyncConnection,
    *,
    question: str,
    asked_at: datetime,
    verdict: str,
    guess: str | None,
    score: float,
) -> None:
    await tx.execute(
        insert(faq_unanswered).values(
            question=question, asked_at=asked_at, verdict=verdict, guess=guess, score=score
        )
    )


async def latest_unanswered(tx: AsyncConnection, limit: int) -> list[UnansweredRow]:
    """The most recent first."""
    rows = await tx.execute(
        select(
            faq_unanswered.c.question,
            faq_unanswered.c.asked_at,
            faq_unanswered.c.verdict,
            faq_unanswered.c.guess,
            faq_unanswered.c.score,
        )
        .order_by(faq_unanswered.c.asked_at.desc(), faq_unanswered.c.id.desc())
        .limit(limit)
    )
    return [UnansweredRow(*row) for row in rows]


async def count_unanswered(tx: AsyncConnection) -> int:
    return int(await tx.scalar(select(func.count()).select_from(faq_unanswered)) or 0)
