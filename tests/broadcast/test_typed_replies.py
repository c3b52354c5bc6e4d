"""Answering a notice by typing (Zalo has no reply buttons): "ok", "có", "ko", its words."""

from __future__ import annotations

import pytest

from bot.storage import conversations
from tests.broadcast.conftest import Roster
from tests.broadcast.test_replies_report import _create, _replies
from tests.driver import ChatDriver


async def _delivered(roster: Roster, chat: ChatDriver) -> None:
    """What the sender does once the notice is sent: its reply options become the list."""
    actor = await chat.actor()
    [row] = [r for r in await roster.outbox_rows() if r["user_id"] == actor.user_id]
    keys = [key for _label, key in row["payload"]["choices"]]  # type: ignore[index]
    async with roster.app.db.write() as tx:
        await conversations.set_menu(tx, actor.identity_id, keys, roster.app.clock.now())


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        ("ok", "coming"),
        ("có", "coming"),
        ("dạ sẽ đến", "coming"),
        ("tôi sẽ đến", "coming"),
        ("ko", "cannot"),
        ("không đến được", "cannot"),
        ("hổng đi được", "cannot"),
    ],
)
async def test_a_typed_answer_is_counted(roster: Roster, typed: str, answer: str) -> None:
    lead = await roster.lead()
    await _create(roster, lead)
    r1 = roster.chats["r1"]
    await _delivered(roster, r1)
    await r1.say(typed)
    user_id = (await r1.actor()).user_id
    assert (await _replies(roster)).get(user_id) == answer, r1.text
