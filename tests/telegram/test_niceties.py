"""Telegram niceties: per-role command menus, and the contact button taken away once used."""

from __future__ import annotations

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.services import identity
from bot.services.identity import Role
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import TelegramChat


def _scoped(api: FakeTelegram, chat_id: int) -> list[set[str]]:
    return [
        {c["command"] for c in call.params["commands"]}
        for call in api.calls("setMyCommands")
        if (call.params.get("scope") or {}).get("chat_id") == chat_id
    ]


async def test_a_team_lead_gets_the_staff_commands_on_joining_and_after_a_restart(
    tchat: TelegramChat, fake_api: FakeTelegram, demo_app: App, telegram: TelegramChannel
) -> None:
    default = next(c for c in fake_api.calls("setMyCommands") if "scope" not in c.params)
    everyone = {c["command"] for c in default.params["commands"]}
    assert "missing" not in everyone and "export" not in everyone
    async with demo_app.db.write() as tx:
        code = await identity.create_invite(tx, Role.TEAM_LEAD.value, demo_app.clock.now())
    await tchat.send(tg.command(tchat.user_id, "start", code))
    await fake_api.wait_for(lambda: bool(_scoped(fake_api, tchat.user_id)))
    [mine] = _scoped(fake_api, tchat.user_id)
    assert {"missing", "export", "start", "help"} <= mine
    await telegram.publish_commands()  # as at start: every staff chat gets its menu again
    assert len(_scoped(fake_api, tchat.user_id)) == 2
    resident = TelegramChat(fake_api, demo_app, user_id=5252)
    await resident.say("/start")
    assert _scoped(fake_api, 5252) == []  # residents keep the common menu


async def test_the_contact_button_goes_once_the_phone_is_shared(
    tchat: TelegramChat, fake_api: FakeTelegram, demo_app: App
) -> None:
    from tests.telegram.test_channel import _person_with_unique_phone

    person_id, phone, name = await _person_with_unique_phone(demo_app)
    menu = await tchat.say("/start")
    markup = menu.params["reply_markup"]["inline_keyboard"]
    link_key = next(b["callback_data"] for row in markup for b in row if "Liên kết" in b["text"])
    ask = await tchat.press(link_key)
    assert ask.params["reply_markup"]["keyboard"][0][0]["request_contact"] is True
    sent = (await tchat.send(tg.contact(tchat.user_id, phone)))[-1]
    assert name in sent.text
    assert sent.params["reply_markup"] == {"remove_keyboard": True}

    def has_buttons() -> bool:  # the menu's buttons, put under it by an edit
        markup = fake_api.message(tchat.user_id, sent.message_id)["reply_markup"]
        return bool(markup and markup.get("inline_keyboard"))

    await fake_api.wait_for(has_buttons)
    assert (await tchat.row())["person_id"] == person_id
