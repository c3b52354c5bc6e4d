"""One parse function: Telegram payloads (captured shapes) to Inbound."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from telegram import Bot, Update

from bot.channels.telegram import is_choice_key, to_inbound
from bot.core.inbound import Kind
from bot.testing import telegram_updates as tg

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "telegram"


def update_from(payload: dict[str, object]) -> Update:
    update = Update.de_json(payload, Bot("1:x"))
    assert update is not None
    return update


def fixture(name: str) -> Update:
    return update_from(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


async def test_text_message() -> None:
    inbound = await to_inbound(fixture("message_text.json"))

    assert inbound is not None
    assert (inbound.channel, inbound.kind, inbound.user_id, inbound.chat_id) == (
        "telegram",
        Kind.TEXT,
        "5012345678",
        "5012345678",
    )
    assert inbound.text == "kich hoat dinh danh muc 2 o dau"
    assert inbound.display_name == "Lan Nguyễn Thị" and inbound.language_code == "vi"


async def test_decomposed_vietnamese_is_composed() -> None:
    inbound = await to_inbound(fixture("message_nfd.json"))

    assert inbound is not None and inbound.text == unicodedata.normalize("NFC", "Căn cước")


async def test_callback_carries_the_opaque_key() -> None:
    inbound = await to_inbound(fixture("callback_query.json"))

    assert inbound is not None
    assert (inbound.kind, inbound.choice_key) == (Kind.CHOICE, "Zk3-q_9A")


async def test_malformed_callback_data_becomes_an_empty_key() -> None:
    for data in ("x" * 65, "a b", "lang.set:vi", ""):
        inbound = await to_inbound(update_from({"update_id": 1, **tg.callback_query(5, data)}))
        assert inbound is not None and (inbound.kind, inbound.choice_key) == (Kind.CHOICE, "")
    assert is_choice_key("Zk3-q_9A") and not is_choice_key("x" * 65)


async def test_someone_elses_contact_is_marked_not_own() -> None:
    inbound = await to_inbound(fixture("contact_other.json"))

    assert inbound is not None
    assert (inbound.kind, inbound.phone, inbound.contact_is_own) == (
        Kind.CONTACT,
        "+84912345678",
        False,
    )


async def test_contact_without_user_id_is_not_own() -> None:
    payload = tg.contact(5, "0912345678", contact_user_id=0)

    inbound = await to_inbound(update_from({"update_id": 2, **payload}))

    assert inbound is not None and inbound.contact_is_own is False


async def test_stickers_and_edits_are_not_text() -> None:
    sticker = await to_inbound(update_from({"update_id": 3, **tg.sticker(5)}))
    edited = {"update_id": 4, "edited_message": tg.message(5, "sửa")["message"]}

    assert sticker is not None and sticker.kind is Kind.UNSUPPORTED
    assert await to_inbound(update_from(edited)) is None
