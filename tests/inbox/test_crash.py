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

from bot.core.inbox_peers import ADOPT_AFTER, STAY_S
from bot.testing.crash import MODES, run_round
from bot.testing.crash_workers import run_host_lost_round, run_workers_round

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


@pytest.mark.engines("postgresql")
@pytest.mark.timeout(300)
async def test_a_host_lost_for_good_leaves_no_message_unanswered(
    db_url: str, tmp_path: Path
) -> None:
    # Sends held before the kill until each host holds messages not handled yet: the dead
    # one surely leaves some, which no worker start will come to take up.
    outcome, recovered_s = await run_host_lost_round(
        db_url, rate_per_s=40, users=150, gate=True, deadline_s=60, folder=tmp_path
    )
    assert outcome.finished, f"{outcome.note}; see {tmp_path}"
    assert outcome.missing == 0
    assert outcome.duplicates <= 4  # its sends held at the kill: one per inbox slot (4) at most
    assert outcome.inbox == {"done": outcome.messages}
    assert recovered_s <= ADOPT_AFTER.total_seconds() + 2 * STAY_S + 5
