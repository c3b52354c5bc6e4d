"""Session buttons on the demo data: day, time and free places first, whole on a phone."""

from __future__ import annotations

import re

from bot.app import App
from bot.services import identity
from bot.services.booking.labels import LABEL_LIMIT, short_place
from bot.services.identity import Role
from tests.telegram.conftest import TelegramChat
from tests.telegram.test_edit_in_place import actor_of_chat, buttons

HEAD = re.compile(r"^(T[2-7]|CN) \d\d?/\d\d? \d\d:\d\d–\d\d:\d\d · ")


async def test_a_residents_session_buttons_fit_a_phone_with_the_time_first(
    tchat: TelegramChat,
) -> None:
    ask = await tchat.say("dat lich")
    sessions = await tchat.press(buttons(ask)[0][1])

    labels = [label for label, _ in buttons(sessions)]
    assert len(labels) >= 5
    for label in labels:
        assert len(label) <= LABEL_LIMIT, label
        assert HEAD.match(label), label
        assert "còn " in label or "hết chỗ" in label
    assert any(label.endswith(" · Đầm Môn") for label in labels)  # the place, shortened
    assert any(label.endswith(" · Vạn Thạnh") for label in labels)


async def test_a_team_leads_session_buttons_fit_a_phone(
    tchat: TelegramChat, demo_app: App
) -> None:
    await tchat.say("/start")
    user_id = await actor_of_chat(tchat)
    async with demo_app.db.write() as tx:
        await identity.grant(tx, user_id, Role.TEAM_LEAD, demo_app.clock.now(), commune_id=1)
    menu = await tchat.say("/menu")
    listed = await tchat.press(next(k for t, k in buttons(menu) if "Buổi thu nhận" in t))

    labels = [label for label, _ in buttons(listed)]
    assert labels
    for label in labels:
        assert len(label) <= LABEL_LIMIT and HEAD.match(label), label
        assert re.search(r" · \d+/\d+", label), label  # booked / places


def test_a_place_keeps_the_words_that_tell_it_apart() -> None:
    assert short_place("Nhà văn hóa thôn Đầm Môn", 10) == "Đầm Môn"
    assert short_place("Đồn Biên phòng Điệp Sơn", 14) == "Điệp Sơn"  # at most half the words
    assert short_place("Công an xã", 6) == ""  # "an xã" would tell nothing
    assert short_place("Nhà văn hóa thôn Đầm Môn", 2) == ""
