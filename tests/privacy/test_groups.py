"""Point 1: lists, exports, charts and anyone's data only in private chats; groups get the FAQ."""

from __future__ import annotations

from telegram import Bot, Update

from bot.channels import telegram as tg
from bot.channels.zalo import parse_update
from bot.core.inbound import Inbound, Kind
from bot.core.reply import Reply
from bot.testing import telegram_updates as updates
from tests.driver import ChatDriver
from tests.privacy.conftest import Small

PRIVATELY = "Vui lòng nhắn riêng cho bot."
GROUP = "-100777"


async def in_group(chat: ChatDriver, **fields: object) -> list[Reply]:
    inbound = Inbound(
        channel=chat.channel, chat_id=GROUP, user_id=chat.user_id, is_group=True, **fields
    )  # type: ignore[arg-type]
    return await chat.app.dispatcher.handle(inbound)


def shown(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


async def test_staff_lists_exports_and_charts_are_refused_in_a_group(
    small: Small, head: ChatDriver, lead: ChatDriver
) -> None:
    for chat, text in (
        (head, "/missing"),
        (head, "/missing@troly06bot"),
        (head, "/export"),
        (lead, "/progress"),
        (lead, "/broadcast"),
        (lead, "/menu"),
        (head, "/start"),
        (head, "đặt lịch"),
        (head, "/boat KH-90001-TS 20/12"),
    ):
        replies = await in_group(chat, text=text)
        assert [(r.text, r.choices, r.document, r.photo) for r in replies] == [
            (PRIVATELY, (), None, None)
        ], text


async def test_a_private_button_pressed_in_a_group_changes_nothing(
    small: Small, head: ChatDriver
) -> None:
    await head.say("/export")
    key = head.choice("Toàn bộ danh sách, Excel").key
    replies = await in_group(head, kind=Kind.CHOICE, choice_key=key)
    assert shown(replies) == PRIVATELY and replies[0].document is None
    replies = await head.press_key(key)  # the private menu still works afterwards
    assert replies[0].document is not None


async def test_contacts_files_and_the_faq_in_a_group(small: Small, head: ChatDriver) -> None:
    assert shown(await in_group(head, kind=Kind.CONTACT, phone="0912345678")) == PRIVATELY
    assert shown(await in_group(head, kind=Kind.UNSUPPORTED)) == PRIVATELY
    replies = await in_group(head, text="lam sao kich hoat tai khoan dinh danh muc 2")
    assert PRIVATELY not in shown(replies) and shown(replies)
    assert all(
        not r.choices or all(c.action.startswith("faq.") for c in r.choices) for r in replies
    )
    help_replies = await in_group(head, text="/help")
    assert help_replies[0].choices == ()  # no menu of staff buttons in a group
    assert "/join" in shown(help_replies)


async def test_telegram_and_zalo_say_which_chats_are_groups() -> None:
    bot = Bot("1:x")
    private = updates.message(42, "/missing")
    group = updates.message(42, "/missing")
    group["message"]["chat"] = {"id": -100777, "type": "supergroup", "title": "Thôn"}
    group["update_id"] = private["update_id"] = 1
    assert (await tg.to_inbound(Update.de_json(private, bot))).is_group is False  # type: ignore[union-attr]
    assert (await tg.to_inbound(Update.de_json(group, bot))).is_group is True  # type: ignore[union-attr]
    contact = updates.contact(42, "0912345678")
    contact["message"]["chat"] = group["message"]["chat"]
    contact["update_id"] = 2
    parsed = await tg.to_inbound(Update.de_json(contact, bot))
    assert parsed is not None and parsed.kind is Kind.UNSUPPORTED and parsed.is_group

    def zalo(chat: dict[str, str]) -> dict[str, object]:
        sender = {"id": "u1", "display_name": "A"}
        return {
            "event_name": "message.text.received",
            "message": {"from": sender, "chat": chat, "text": "hi"},
        }

    assert parse_update(zalo({"id": "u1", "chat_type": "PRIVATE"})).is_group is False  # type: ignore[union-attr]
    assert parse_update(zalo({"id": "g1", "chat_type": "GROUP"})).is_group is True  # type: ignore[union-attr]
    assert parse_update(zalo({"id": "g1"})).is_group is True  # type: ignore[union-attr]
