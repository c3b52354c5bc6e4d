"""Point 5: a /link code links a chat to a person and never carries roles."""

from __future__ import annotations

from bot.services.identity import Role
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
