"""Point 5: a /link code links a chat to a person and never carries roles."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.services.identity import Role
from bot.storage import audit as audit_store
from tests.driver import ChatDriver
from tests.privacy.conftest import Small


async def test_a_team_leads_link_code_typed_elsewhere_gives_no_role(
    small: Small, lead: ChatDriver
) -> None:
    await lead.say("/link")
    code = lead.text.split("/join ")[1].split()[0]
    stranger = ChatDriver(small.app, "stranger-zalo", "zalo")
    await stranger.say(f"/join {code}")
    actor = await stranger.actor()
    assert actor.user_id == (await lead.actor()).user_id  # linked to the same person
    assert actor.grants == () and actor.roles == frozenset({Role.RESIDENT})
    for command in ("/progress", "/missing", "/export", "/broadcast"):
        await stranger.say(command)
        assert stranger.text == "Bạn không có quyền dùng chức năng này.", command
    assert (await lead.actor()).commune_ids() == frozenset({small.commune})  # the maker keeps it


async def test_wrong_codes_pause_the_chat_for_an_hour_and_are_logged_without_the_code(
    small: Small, admin: ChatDriver, caplog: pytest.LogCaptureFixture
) -> None:
    await admin.say("/invite team_lead")
    good = admin.text.split("/join ")[-1].strip()
    guesser = ChatDriver(small.app, "guesser", "zalo")
    wrong = [f"ZZZZZZ{n}{n}" for n in range(2, 7)]
    with caplog.at_level(logging.INFO):
        for code in wrong[:4]:
            await guesser.say(f"/join {code}")
            assert "không tồn tại" in guesser.text
        await guesser.say(f"/start {wrong[4]}")
        assert "Bạn đã nhập sai mã quá nhiều lần" in guesser.text
        await guesser.say(f"/join {good}")  # even the right code waits
        assert "Bạn đã nhập sai mã quá nhiều lần" in guesser.text
    assert (await guesser.actor()).grants == ()
    assert not any(code in record.getMessage() for record in caplog.records for code in wrong)
    async with small.app.db.read() as tx:
        refused = [e for e in await audit_store.audit(tx) if e.action == "code_refused"]
    assert len(refused) == 5
    assert not any(code in f"{e.subject} {e.detail}" for e in refused for code in [*wrong, good])
    small.app.clock.advance(timedelta(minutes=61))
    await guesser.say(f"/join {good}")
    assert (await guesser.actor()).has(Role.TEAM_LEAD)


async def test_slow_wrong_tries_are_not_paused(small: Small) -> None:
    typo = ChatDriver(small.app, "typo")
    for n in range(6):
        await typo.say(f"/join ABCDEFG{n + 2}")
        small.app.clock.advance(timedelta(minutes=3))
    assert "quá nhiều lần" not in typo.text  # 6 wrong in 18 minutes: never 5 in 10
