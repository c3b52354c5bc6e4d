"""The FAQ in the chat: answers, ask-back, not-my-area, unanswered log, reload, admin tools."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.core.dispatcher import Dispatcher
from bot.core.router import Router
from bot.services.identity import Role
from bot.storage.tables.faq import faq_unanswered
from tests.driver import ChatDriver


def edit(path: Path, old: str, new: str) -> None:
    """Change the knowledge base file the way an admin's editor would."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


async def stored_questions(chat: ChatDriver) -> list[tuple[str, str]]:
    async with chat.app.db.read() as tx:
        rows = await tx.execute(select(faq_unanswered.c.question, faq_unanswered.c.verdict))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_question_without_diacritics_is_answered(chat: ChatDriver) -> None:
    replies = await chat.say("ko nhan dc otp")
    text = replies[0].text
    assert text.startswith("Không nhận được mã OTP")
    assert "1900 0368" in text and "Không bao giờ đọc mã OTP" in text
    assert "Nguồn: gocchiase247.com, kiểm tra ngày 28/11/2026." in text
    assert await stored_questions(chat) == []


async def test_the_whole_bot_answers_without_diacritics(app) -> None:  # type: ignore[no-untyped-def]
    """Through every flow of the bot, the FAQ (last) still gets a plain question."""
    chat = ChatDriver(app, "whole-bot")
    await chat.say("quen mat khau vneid thi lam the nao")
    assert chat.text.startswith("Quên mật khẩu (passcode)")
    await chat.say("gia vang hom nay")
    assert "ngoài phạm vi" in chat.text


async def test_level2_answer_says_in_person(chat: ChatDriver) -> None:
    await chat.say("lam dinh danh muc 2 o dau vay")
    assert "phải đăng ký trực tiếp" in chat.text
    assert "không ai làm thay được" in chat.text


async def test_out_of_scope_gets_menu_and_hotline(chat: ChatDriver) -> None:
    replies = await chat.say("giá vàng hôm nay thế nào")
    assert "ngoài phạm vi" in replies[0].text and "1900 0368" in replies[0].text
    assert "Hỏi đáp về VNeID" in [c.label for c in replies[0].choices]
    assert await stored_questions(chat) == [("giá vàng hôm nay thế nào", "out_of_scope")]


async def test_ask_back_offers_three_topics_and_answers_the_pick(chat: ChatDriver) -> None:
    replies = await chat.say("vneid")
    assert "Có phải bạn muốn hỏi" in replies[0].text
    labels = [c.label for c in replies[0].choices]
    assert len(labels) == 4 and labels[-1] == "Không phải các ý trên"
    assert "VNeID và tài khoản định danh điện tử là gì" in labels
    await chat.press("VNeID và tài khoản định danh điện tử là gì")
    assert "ứng dụng định danh điện tử chính thức của Bộ Công an" in chat.text
    assert await stored_questions(chat) == [("vneid", "ask")]


async def test_ask_back_by_typed_number_and_none_of_these(chat: ChatDriver) -> None:
    await chat.say("vneid")
    first = chat.choices()[0].label
    await chat.say("1")
    assert chat.text.startswith(first)
    await chat.say("vneid")
    await chat.say("4")
    assert "chưa giúp được" in chat.text and "1900 0368" in chat.text


async def test_forged_topic_value_is_answered_politely(chat: ChatDriver) -> None:
    await chat.say("vneid")
    from bot.storage import conversations

    key = chat.choices()[0].key
    async with chat.app.db.write() as tx:
        from bot.storage.tables.core import choices as choice_rows

        await tx.execute(
            choice_rows.update().where(choice_rows.c.key == key).values(value="no_such_topic")
        )
    assert conversations  # the choice still belongs to this user, only its value is wrong
    await chat.press_key(key)
    assert "không còn trong danh sách" in chat.text


async def test_menu_entry_offers_common_questions(chat: ChatDriver) -> None:
    await chat.say("/menu")
    await chat.press("Hỏi đáp về VNeID")
    assert "có dấu hay không dấu" in chat.text
    await chat.press("Cần mang theo gì khi đi đăng ký")
    assert "Thẻ căn cước (hoặc CCCD gắn chip) bản gốc" in chat.text


async def test_greeting_is_not_logged(chat: ChatDriver) -> None:
    replies = await chat.say("chào ad")
    assert replies[0].text.startswith("Xin chào!") and replies[0].choices
    assert await stored_questions(chat) == []


async def test_unanswered_keeps_no_identity_and_masks_numbers(chat: ChatDriver) -> None:
    await chat.say("số taxi 0912345678 ở cam ranh")
    assert [c.name for c in faq_unanswered.columns] == [
        "id", "question", "asked_at", "verdict", "guess", "score",
    ]  # fmt: skip
    assert await stored_questions(chat) == [("số taxi *** ở cam ranh", "out_of_scope")]


async def test_unanswered_list_is_for_admins_only(chat: ChatDriver, admin: ChatDriver) -> None:
    await chat.say("giá vàng hôm nay")
    await chat.say("/unanswered")
    assert "không có quyền" in chat.text
    await admin.say("/unanswered")
    assert "đang lưu 1" in admin.text and "«giá vàng hôm nay»" in admin.text
    assert "01/12 08:00" in admin.text


async def test_unanswered_list_when_empty(admin: ChatDriver) -> None:
    await admin.say("/unanswered")
    assert "Chưa có câu hỏi nào" in admin.text


def _with_flow(chat: ChatDriver, roles: frozenset[Role] = frozenset()) -> None:
    """The FAQ's dispatcher with a stand-in booking flow before the FAQ."""
    from handlers import faq, start

    flow = Router("stand-in")

    @flow.action("booking.start", roles=roles)
    async def begin(ctx) -> None:  # type: ignore[no-untyped-def]
        """A stand-in for the booking flow."""

    app = chat.app
    app.dispatcher = Dispatcher(
        [start.router, flow, faq.router],
        app.db,
        app.clock,
        app.settings,
        identities=app.dispatcher.identities,
    )


async def test_flow_topic_offers_the_flow_only_when_it_exists(chat: ChatDriver) -> None:
    await chat.say("toi muon dat lich hen lam dinh danh")  # the FAQ's bot has no booking
    assert "Đặt lịch hẹn" in chat.text and chat.choices() == []
    _with_flow(chat)
    await chat.say("toi muon dat lich hen lam dinh danh")
    assert [(c.label, c.action) for c in chat.choices()] == [
        ("Đặt lịch hẹn ngay", "booking.start")
    ]


async def test_flow_needing_a_role_is_not_offered(chat: ChatDriver) -> None:
    _with_flow(chat, frozenset({Role.TEAM_LEAD}))
    await chat.say("dat lich hen lam can cuoc")
    assert chat.choices() == []


async def test_broken_base_is_refused_and_old_one_kept(
    kb_file: Path, chat: ChatDriver, admin: ChatDriver
) -> None:
    await chat.say("quen mat khau vneid")
    assert chat.text.startswith("Quên mật khẩu (passcode)")
    edit(kb_file, "  - id: cost\n", "  - id: price\n")
    await admin.say("/faq_reload")
    assert "không được nhận" in admin.text and "missing topic ids: cost" in admin.text
    assert "giữ nguyên (38 chủ đề)" in admin.text
    await chat.say("lam dinh danh co mat tien khong")  # the file changed: re-read, refused
    assert chat.text.startswith("Lệ phí") and "miễn phí" in chat.text
    edit(kb_file, "topics:\n", "topics: [oops\n")
    await chat.say("quen mat khau vneid")
    assert chat.text.startswith("Quên mật khẩu (passcode)")


async def test_edited_base_is_used_without_restart(
    kb_file: Path, chat: ChatDriver, admin: ChatDriver
) -> None:
    await chat.say("tong dai vneid")
    edit(kb_file, "Đường dây hay bận", "Đường dây rất bận")
    await chat.say("tong dai vneid")
    assert "Đường dây rất bận" in chat.text
    await admin.say("/faq_reload")
    assert admin.text == "Đã nạp lại bộ hỏi đáp: 38 chủ đề."


async def test_reload_is_for_admins_only(kb_file: Path, chat: ChatDriver) -> None:
    await chat.say("/faq_reload")
    assert "không có quyền" in chat.text


async def test_missing_base_gives_the_hotline(
    tmp_path: Path, monkeypatch, chat: ChatDriver
) -> None:  # type: ignore[no-untyped-def]
    chat.app.settings.faq_file = str(tmp_path / "absent.yaml")
    await chat.say("quen mat khau")
    assert "chưa dùng được" in chat.text and "1900 0368" in chat.text


async def test_english_question_is_answered_in_english(chat: ChatDriver) -> None:
    replies = await chat.say("I forgot my VNeID password, what should I do?")
    assert replies[0].text.startswith("Forgotten password or passcode")
    assert "Forgot password" in replies[0].text and "Source:" in replies[0].text
    await chat.say("quên mật khẩu vneid")
    assert chat.text.startswith("Quên mật khẩu (passcode)")


async def test_english_users_get_english_answers_and_lists(chat: ChatDriver) -> None:
    await chat.say("/lang en")
    await chat.say("quen mat khau vneid")
    assert chat.text.startswith("Forgotten password or passcode")
    replies = await chat.say("vneid")
    assert "Is your question about one of these?" in replies[0].text
    labels = [c.label for c in replies[0].choices]
    assert "What VNeID and the e-ID account are" in labels
    await chat.press("What VNeID and the e-ID account are")
    assert "official electronic identification app" in chat.text


async def test_two_questions_get_two_answers(chat: ChatDriver) -> None:
    replies = await chat.say("làm mức 2 hết bao nhiêu tiền? mấy ngày thì có?")
    assert sorted(r.text.split("\n")[0] for r in replies) == ["Bao lâu thì có kết quả", "Lệ phí"]


async def test_near_miss_names_the_commune_police_and_hotline(chat: ChatDriver) -> None:
    replies = await chat.say("quên mật khẩu wifi rồi làm sao")
    assert "ngoài phạm vi" in replies[0].text
    assert "công an xã" in replies[0].text and "1900 0368" in replies[0].text
    replies = await chat.say("my bank otp code did not arrive")
    assert "outside what I can help with" in replies[0].text
    assert "commune police" in replies[0].text and "1900 0368" in replies[0].text
