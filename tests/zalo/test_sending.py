"""What the bot sends on Zalo: long answers split in order, numbered choices, pictures, retries."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.channels.base import SendStatus
from bot.core.context import Context
from bot.core.dispatcher import Dispatcher
from bot.core.reply import Attachment, Choice, Reply
from bot.core.router import Router
from bot.testing.zalo_api import TEXT_LIMIT
from handlers import start
from tests.zalo.harness import ZaloHarness, ZaloUser, zalo_harness

# A numbered list ends with the line that says how to answer it (Zalo has no buttons).
MENU_TEXT = "Bạn cần gì?\n1. Đặt lịch hẹn\n2. Hỏi đáp\n(gõ số hoặc trả lời bằng chữ)"
PNG = b"\x89PNG\r\n\x1a\n" + b"chart-bytes" * 50
LONG = "\n".join(
    f"{i:03d} " + "Thẻ căn cước gắn chíp, tài khoản định danh mức độ 2. " * 2 for i in range(42)
)

test_router = Router("zalo-test")


@test_router.command("long")
async def long_answer(ctx: Context) -> None:
    ctx.reply(LONG)


@test_router.command("pick")
async def offer(ctx: Context) -> None:
    ctx.reply(
        "Bạn cần gì?",
        choices=[Choice("Đặt lịch hẹn", "t.pick", "book"), Choice("Hỏi đáp", "t.pick", "faq")],
    )


@test_router.action("t.pick")
async def picked(ctx: Context) -> None:
    assert ctx.choice is not None
    ctx.reply(f"Đã chọn: {ctx.choice.value}")


@test_router.command("chart")
async def chart(ctx: Context) -> None:
    ctx.reply("Tiến độ của xã", photo=Attachment("tien-do.png", PNG, "image/png"))


@test_router.command("file")
async def document(ctx: Context) -> None:
    ctx.reply("Danh sách", document=Attachment("danh-sach.xlsx", b"PK-xlsx", "application/x"))


def _dispatcher(app: App) -> Dispatcher:
    return Dispatcher(
        [start.router, test_router],
        app.db,
        app.clock,
        app.settings,
        identities=app.dispatcher.identities,
    )


@pytest.fixture
async def zalo(app: App) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app, handle=_dispatcher(app).handle) as harness:
        yield harness


@pytest.fixture
async def zalo_no_media(app: App) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app, public_media=False, handle=_dispatcher(app).handle) as harness:
        yield harness


async def test_long_answer_arrives_as_three_messages_in_order(zalo_user: ZaloUser) -> None:
    assert 4400 < len(LONG) < 4700
    texts = await zalo_user.say("/long")
    assert len(texts) == 3
    assert all(len(text) <= TEXT_LIMIT for text in texts)
    assert "\n".join(texts) == LONG  # in order, cut only at line breaks
    assert texts[1].startswith(LONG.splitlines()[len(texts[0].splitlines())])


async def test_choices_are_a_numbered_list_answered_by_number(zalo_user: ZaloUser) -> None:
    texts = await zalo_user.say("/pick")
    assert texts == [MENU_TEXT]
    assert await zalo_user.say("2") == ["Đã chọn: faq"]


async def test_choices_are_answered_by_their_words(zalo_user: ZaloUser) -> None:
    await zalo_user.say("/pick")
    assert await zalo_user.say("dat lich hen") == ["Đã chọn: book"]


async def test_a_number_outside_the_list_picks_nothing(zalo_user: ZaloUser) -> None:
    await zalo_user.say("/pick")
    texts = await zalo_user.say("7")
    assert not any(text.startswith("Đã chọn") for text in texts)


async def test_transient_errors_are_retried(zalo: ZaloHarness, zalo_user: ZaloUser) -> None:
    zalo.server.fail_next("sendMessage", status=502, count=2)
    texts = await zalo_user.say("/pick")
    assert texts == [MENU_TEXT]  # sent once, after two 502s
    assert len(zalo.server.calls_of("!sendMessage")) == 2


async def test_a_timeout_is_retried(zalo: ZaloHarness, zalo_user: ZaloUser) -> None:
    zalo.channel.api.timeout_s = 0.3
    zalo.server.stall_next("sendMessage", seconds=1.0)
    texts = await zalo_user.say("/pick")
    assert texts == [MENU_TEXT]


async def test_a_refusal_is_not_retried(zalo: ZaloHarness) -> None:
    result = await zalo.channel.deliver("zalo-user-1", Reply("x" * (TEXT_LIMIT + 1)))
    # split_text keeps messages within the limit, so the fake accepts it
    assert result.status is SendStatus.SENT
    zalo.server.fail_next("sendMessage", status=400, count=5)
    result = await zalo.channel.deliver("zalo-user-1", Reply("Chào"))
    assert result.status is SendStatus.FAILED
    assert len(zalo.server.calls_of("!sendMessage")) == 1


@pytest.mark.parametrize(
    ("status", "expected"),
    [(403, SendStatus.BLOCKED), (429, SendStatus.RETRY), (503, SendStatus.RETRY)],
)
async def test_deliver_says_what_to_do_next(
    zalo: ZaloHarness, status: int, expected: SendStatus
) -> None:
    zalo.server.fail_next("sendMessage", status=status, count=10)
    result = await zalo.channel.deliver("zalo-user-1", Reply("Nhắc lịch"))
    assert result.status is expected


async def test_picture_is_sent_by_url_from_our_server(
    zalo: ZaloHarness, zalo_user: ZaloUser
) -> None:
    await zalo_user.say("/chart")
    methods = [call.method for call in zalo_user.last]
    assert methods == ["sendPhoto", "sendMessage"]
    url = zalo_user.last[0].payload["photo"]
    assert url.startswith(zalo.web.url + "/media/")
    assert len(url.split("/media/")[1].split("/")[0]) >= 32  # unguessable
    fetched = zalo.server.fetched[-1]
    assert (fetched.status, fetched.body, fetched.content_type) == (200, PNG, "image/png")


async def test_picture_falls_back_to_text_without_a_public_url(zalo_no_media: ZaloHarness) -> None:
    user = ZaloUser(zalo_no_media)
    texts = await user.say("/chart")
    assert zalo_no_media.server.calls_of("sendPhoto") == []
    assert texts[0].startswith("Tiến độ của xã\n")
    assert "không hiển thị được" in texts[0]


async def test_document_is_a_link_or_a_sentence(
    zalo: ZaloHarness, zalo_no_media: ZaloHarness
) -> None:
    linked = await ZaloUser(zalo).say("/file")
    assert zalo.web.url + "/media/" in linked[0]
    plain = await ZaloUser(zalo_no_media).say("/file")
    assert "danh-sach.xlsx" in plain[0] and "/media/" not in plain[0]
