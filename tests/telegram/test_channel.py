"""The real PTB Application against the fake Bot API: what users see, and what is stored."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.channels.telegram import TelegramChannel
from bot.services import identity
from bot.services.identity import Role
from bot.storage.tables.core import choices, persons, roles
from bot.testing import telegram_updates as tg
from bot.testing.telegram_api import FakeTelegram
from tests.telegram.conftest import TelegramChat


def buttons(sent: object) -> list[tuple[str, str]]:
    markup = sent.params.get("reply_markup") or {}  # type: ignore[attr-defined]
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


async def test_command_menu_is_published_in_vietnamese(
    telegram: TelegramChannel, fake_api: FakeTelegram
) -> None:
    calls = fake_api.calls("setMyCommands")
    default = next(c for c in calls if "language_code" not in c.params)
    english = next(c for c in calls if c.params.get("language_code") == "en")

    described = {c["command"]: c["description"] for c in default.params["commands"]}
    assert described["start"] == "Bắt đầu và xem danh mục"
    assert "invite" not in described  # admin-only commands are not advertised to everyone
    assert {c["command"] for c in english.params["commands"]} == set(described)


async def test_start_shows_vietnamese_menu_as_inline_buttons(tchat: TelegramChat) -> None:
    sent = await tchat.say("/start")

    assert "Trợ lý 06" in sent.text and "Xin chào" in sent.text
    labels = [label for label, _ in buttons(sent)]
    assert "Liên kết tài khoản với danh sách cư dân" in labels or len(labels) >= 2
    async with tchat.app.db.read() as tx:
        stored = set((await tx.execute(select(choices.c.key))).scalars())
    assert {key for _, key in buttons(sent)} <= stored  # opaque keys, kept server-side


async def test_pressing_a_button_answers_the_query_and_runs_the_action(
    tchat: TelegramChat, fake_api: FakeTelegram
) -> None:
    menu = await tchat.say("/start")
    language_key = next(key for label, key in buttons(menu) if "Ngôn ngữ" in label)

    sent = await tchat.press(language_key)

    assert "ngôn ngữ" in sent.text.lower()
    assert [label for label, _ in buttons(sent)] == ["Tiếng Việt", "English"]
    assert len(fake_api.calls("answerCallbackQuery")) == 1


@pytest.mark.parametrize("data", ["AAAAAAAA", "x" * 65, "rm -rf /", "lang.set:en"])
async def test_forged_or_stale_button_is_expired_and_changes_nothing(
    tchat: TelegramChat, fake_api: FakeTelegram, data: str
) -> None:
    await tchat.say("/start")
    before = await tchat.row()
    sent = len(fake_api.sent_to(tchat.user_id))

    tchat.api.push(tg.callback_query(tchat.user_id, data))
    await fake_api.wait_calls("answerCallbackQuery")

    assert fake_api.calls("answerCallbackQuery")[0].params["text"] == "Nút này đã hết hạn."
    assert len(fake_api.sent_to(tchat.user_id)) == sent  # a word on the button, no new menu
    after = await tchat.row()
    assert (after["state"], after["data"], after["person_id"]) == (
        before["state"],
        before["data"],
        before["person_id"],
    )
    assert len(fake_api.calls("answerCallbackQuery")) == 1


async def test_a_button_pressed_by_another_user_is_expired(tchat: TelegramChat) -> None:
    menu = await tchat.say("/start")
    language_key = next(key for label, key in buttons(menu) if "Ngôn ngữ" in label)
    other = TelegramChat(tchat.api, tchat.app, user_id=777)

    other.api.push(tg.callback_query(other.user_id, language_key))
    await tchat.api.wait_calls("answerCallbackQuery")

    assert tchat.api.calls("answerCallbackQuery")[0].params["text"] == "Nút này đã hết hạn."
    assert tchat.api.sent_to(other.user_id) == []


async def _person_with_unique_phone(app: App) -> tuple[int, str, str]:
    async with app.db.read() as tx:
        row = (
            await tx.execute(
                select(persons.c.id, persons.c.phone, persons.c.full_name)
                .where(persons.c.phone.is_not(None))
                .group_by(persons.c.phone)
                .having(func.count() == 1)
                .limit(1)
            )
        ).one()
    return row.id, row.phone, row.full_name


async def test_own_contact_links_to_the_roster(tchat: TelegramChat) -> None:
    person_id, phone, name = await _person_with_unique_phone(tchat.app)
    menu = await tchat.say("/start")
    link_key = next(key for label, key in buttons(menu) if "Liên kết" in label)

    ask = await tchat.press(link_key)
    keyboard = ask.params["reply_markup"]["keyboard"]
    international = "+84" + phone[1:]
    sent = (await tchat.send(tg.contact(tchat.user_id, international)))[-1]

    assert keyboard[0][0]["request_contact"] is True
    assert ask.params["reply_markup"]["one_time_keyboard"] is True
    assert name in sent.text and sent.text.startswith("Cảm ơn")
    assert (await tchat.row())["person_id"] == person_id


async def test_someone_elses_contact_is_refused(tchat: TelegramChat) -> None:
    _, phone, _ = await _person_with_unique_phone(tchat.app)

    sent = (await tchat.send(tg.contact(tchat.user_id, phone, contact_user_id=999)))[-1]

    assert "của chính bạn" in sent.text
    assert (await tchat.row())["person_id"] is None


async def test_a_5000_character_message_gets_a_clear_answer(tchat: TelegramChat) -> None:
    await tchat.say("/start")
    before = await tchat.row()

    sent = await tchat.say("a" * 5000)

    assert "5000" in sent.text.replace(".", "").replace(",", "") and len(sent.text) < 500
    assert (await tchat.row())["state"] == before["state"]


@pytest.mark.parametrize("update", [tg.sticker, tg.photo, tg.voice])
async def test_stickers_photos_and_voice_are_answered(tchat: TelegramChat, update: object) -> None:
    sent = (await tchat.send(update(tchat.user_id)))[-1]  # type: ignore[operator]

    assert sent.text.startswith("Tôi chỉ đọc được tin nhắn chữ")


async def test_unknown_command(tchat: TelegramChat) -> None:
    sent = await tchat.say("/khongco")

    assert sent.text.startswith("Tôi không biết lệnh /khongco")


async def test_invite_code_by_deep_link_works_once(tchat: TelegramChat, demo_app: App) -> None:
    async with demo_app.db.write() as tx:
        code = await identity.create_invite(tx, Role.TEAM_LEAD.value, demo_app.clock.now())
    other = TelegramChat(tchat.api, tchat.app, user_id=5151)

    first = (await tchat.send(tg.command(tchat.user_id, "start", code)))[-1]
    second = (await other.send(tg.command(other.user_id, "start", code)))[-1]

    assert first.text.startswith("Xong")
    assert second.text.startswith("Mã này đã được dùng rồi")
    async with demo_app.db.read() as tx:
        granted = await tx.execute(select(roles.c.user_id).where(roles.c.role == "team_lead"))
        holders = list(granted.scalars())
    assert holders == [(await tchat.row())["user_id"]]


async def test_a_document_is_downloaded_and_handed_to_the_core(
    tchat: TelegramChat, fake_api: FakeTelegram
) -> None:
    fake_api.add_file("roster-1", b"PK\x03\x04 workbook")

    sent = (await tchat.send(tg.document(tchat.user_id, "roster-1", "ds.xlsx", 18)))[-1]

    assert fake_api.calls("getFile")[0].params["file_id"] == "roster-1"
    assert sent.text  # answered by whichever flow takes files (or the "cannot use" line)


async def test_a_too_large_document_is_refused_without_download(
    tchat: TelegramChat, fake_api: FakeTelegram
) -> None:
    sent = (await tchat.send(tg.document(tchat.user_id, "big", "big.xlsx", 50_000_000)))[-1]

    assert "quá lớn" in sent.text
    assert fake_api.calls("getFile") == []


async def test_a_failure_while_sending_is_logged_without_text_and_answered(
    tchat: TelegramChat,
    fake_api: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    from bot.channels import telegram as channel_module

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(channel_module, "render", broken)
    with caplog.at_level(logging.INFO):
        sent = await tchat.say("bí mật 0912345678")

    assert sent.text.startswith("Xin lỗi")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "4242" in logged and "RuntimeError" in logged
    assert "bí mật" not in logged and "0912345678" not in logged
    assert fake_api.token not in caplog.text


async def test_logs_carry_no_token_phone_or_text(
    tchat: TelegramChat, caplog: pytest.LogCaptureFixture
) -> None:
    _, phone, name = await _person_with_unique_phone(tchat.app)
    # aiosqlite logs SQL parameters at DEBUG, so the root stays at INFO (as the runtime sets).
    with caplog.at_level(logging.INFO), caplog.at_level(logging.DEBUG, logger="bot"):
        await tchat.say("cho tôi hỏi về căn cước")
        await tchat.send(tg.contact(tchat.user_id, phone))

    assert tchat.api.token not in caplog.text
    assert phone not in caplog.text and phone[1:] not in caplog.text
    assert "căn cước" not in caplog.text and name not in caplog.text
