"""Edits in place: a toggled list, another page, an answered question, an expired button."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import App
from bot.services import identity
from bot.services.identity import Role
from bot.storage import identities
from bot.storage.tables.core import persons
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram, Sent
from tests.journeys.drivers import actor_of
from tests.telegram.conftest import TelegramChat


def buttons(message: dict[str, object] | Sent) -> list[tuple[str, str]]:
    markup = message.params.get("reply_markup") if isinstance(message, Sent) else None
    if not isinstance(message, Sent):
        markup = message.get("reply_markup")
    rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


async def press_in_place(tchat: TelegramChat, data: str) -> dict[str, object]:
    """Press a button and wait for its message to change; the message as it is then."""
    api = tchat.api
    carrier = api.carrier(tchat.user_id, data)
    edits, sent = len(api.edits_to(tchat.user_id)), len(api.sent_to(tchat.user_id))
    api.push(tg.callback_query(tchat.user_id, data, message_id=carrier))
    await api.wait_for(lambda: len(api.edits_to(tchat.user_id)) > edits)
    assert len(api.sent_to(tchat.user_id)) == sent  # no new message
    return api.message(tchat.user_id, carrier)


async def _adult_with_household(app: App, size: int = 3) -> int:
    """A person born before 2000 whose household has at least `size` such people."""
    async with app.db.read() as tx:
        household = (
            select(persons.c.household_id)
            .where(persons.c.birth_year < 2000)
            .group_by(persons.c.household_id)
            .having(func.count() >= size)
            .limit(1)
            .scalar_subquery()
        )
        return int(
            await tx.scalar(
                select(func.min(persons.c.id)).where(
                    persons.c.household_id == household, persons.c.birth_year < 2000
                )
            )
        )


async def test_three_toggles_leave_one_list(
    tchat: TelegramChat, fake_api: FakeTelegram, demo_app: App
) -> None:
    await tchat.say("/start")
    actor = await actor_of_chat(tchat)
    async with demo_app.db.write() as tx:
        await identities.set_person(tx, actor, await _adult_with_household(demo_app))
    ask = await tchat.say("dat lich")
    sessions = await tchat.press(buttons(ask)[0][1])
    slots = await tchat.press(buttons(sessions)[0][1])
    later = next(key for label, key in buttons(slots) if label == "Giờ sau")
    page = await press_in_place(tchat, later)  # another page edits the list
    assert buttons(page)[0][0] != buttons(slots)[0][0] and "Giờ trước" in str(buttons(page))
    people = await tchat.press(buttons(page)[0][1])
    assert sum(label.startswith(("⬜", "✅")) for label, _ in buttons(people)) >= 3
    shown: dict[str, object] = {}
    for index in (1, 2, 1):  # the second member on, the third on, the second off again
        current = buttons(shown) if shown else buttons(people)
        shown = await press_in_place(tchat, current[index][1])

    assert [label[0] for label, _ in buttons(shown)[:3]] == ["✅", "⬜", "✅"]
    lists = [s for s in fake_api.sent_to(tchat.user_id) if "⬜" in str(s.params)]
    assert len(lists) == 1  # three toggles, one list
    assert fake_api.carrier(tchat.user_id, buttons(shown)[0][1]) == lists[0].message_id


async def actor_of_chat(tchat: TelegramChat) -> int:
    class _Chat:
        channel = "telegram"
        external_id = str(tchat.user_id)
        app = tchat.app

    return (await actor_of(_Chat())).user_id  # type: ignore[arg-type]


async def test_pages_of_the_missing_list_turn_in_one_message(
    tchat: TelegramChat, fake_api: FakeTelegram, demo_app: App
) -> None:
    await tchat.say("/start")
    user_id = await actor_of_chat(tchat)
    async with demo_app.db.write() as tx:
        await identity.grant(tx, user_id, Role.VILLAGE_HEAD, demo_app.clock.now(), village_id=2)
    first = await tchat.say("/missing")
    assert "Trang 1/" in first.text
    shown: dict[str, object] = {}
    for _ in range(2):
        current = buttons(shown) if shown else buttons(first)
        shown = await press_in_place(tchat, next(k for t, k in current if t == "Trang sau ▶"))

    assert "Trang 3/" in str(shown["text"])
    assert [s.message_id for s in fake_api.sent_to(tchat.user_id) if "Trang" in s.text] == [
        first.message_id
    ]


async def test_a_double_tap_on_an_expired_button_gets_a_word_and_no_menu(
    tchat: TelegramChat, fake_api: FakeTelegram
) -> None:
    menu = await tchat.say("/start")
    sent = len(fake_api.sent_to(tchat.user_id))
    for _ in range(2):
        fake_api.push(tg.callback_query(tchat.user_id, "AAAAAAAA", message_id=menu.message_id))
    await fake_api.wait_calls("answerCallbackQuery", 2)

    answers = [c.params.get("text") for c in fake_api.calls("answerCallbackQuery")]
    assert answers == ["Nút này đã hết hạn.", "Nút này đã hết hạn."]
    assert len(fake_api.sent_to(tchat.user_id)) == sent  # no new message, no menu copied


async def test_an_answered_question_loses_its_buttons_and_a_second_tap_changes_nothing(
    tchat: TelegramChat, fake_api: FakeTelegram
) -> None:
    ask = await tchat.say("dat lich")
    service = buttons(ask)[0][1]
    await tchat.press(service)
    assert fake_api.message(tchat.user_id, ask.message_id)["reply_markup"] is None
    before = await tchat.row()
    sent = len(fake_api.sent_to(tchat.user_id))

    fake_api.push(tg.callback_query(tchat.user_id, service, message_id=ask.message_id))
    await fake_api.wait_calls("answerCallbackQuery", 2)

    assert fake_api.calls("answerCallbackQuery")[-1].params.get("text") == "Nút này đã hết hạn."
    assert len(fake_api.sent_to(tchat.user_id)) == sent
    assert (await tchat.row())["state"] == before["state"]
