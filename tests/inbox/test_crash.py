"""kill -9 mid-way through the messages of many users, restart: each answered exactly once.

`troly06 run` runs in a subprocess against a fake platform on 127.0.0.1 (see
bot.testing.crash): Telegram polling, Telegram's webhook, and Zalo's webhook, the three
rounds at once. The fake holds new sends just before the kill and drops them after, so the
count is exact; the ungated figure (a reply accepted in the very instant of the kill is sent
again) is measured by `python -m bench crash`, which also runs the full size (1,000 messages
from 300 users per round); here 400 from 150, to keep the suite short on a shared machine.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.testing.crash import MODES, run_round
from bot.testing.crash_workers import run_workers_round

MESSAGES, USERS = 400, 150


@pytest.mark.timeout(400)
async def test_every_message_is_answered_exactly_once_across_a_kill(tmp_path: Path) -> None:
    folders = {mode: tmp_path / mode for mode in MODES}
    for folder in folders.values():
        folder.mkdir()
    outcomes = await asyncio.gather(
        *(run_round(mode, messages=MESSAGES, users=USERS, folder=folders[mode]) for mode in MODES)
    )
    for outcome in outcomes:
        log = folders[outcome.mode] / "bot.log"
        assert outcome.finished, f"{outcome.mode}: {outcome.note}; see {log}"
        assert 0 < outcome.answered_before_kill < MESSAGES, outcome.mode  # killed mid-way
        assert (outcome.mode, outcome.missing, outcome.duplicates) == (outcome.mode, 0, 0)
        assert outcome.users_exact == USERS, outcome.mode
        assert outcome.inbox == {"done": MESSAGES}, outcome.mode


@pytest.mark.engines("postgresql")
@pytest.mark.timeout(300)
async def test_workers_restarted_in_turn_answer_every_message_once(
    db_url: str, tmp_path: Path
) -> None:
    # Each restarted worker meets the other one sending replies: none may go out twice.
    outcome = await run_workers_round(db_url, rate_per_s=40, users=150, folder=tmp_path)
    log = tmp_path / "bot.log"
    assert outcome.finished, f"{outcome.note}; see {log}"
    assert outcome.messages > 200  # the traffic went on through both restarts
    assert (outcome.missing, outcome.duplicates) == (0, 0), log
    assert outcome.inbox == {"done": outcome.messages}
