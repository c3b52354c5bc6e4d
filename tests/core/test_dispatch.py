"""The core through the console code path: menus, choices, bad input, state kept in the DB."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.app import build_app
from bot.storage.tables.core import choices, conversations, users
from tests.driver import ChatDriver


async def test_start_shows_vietnamese_menu(chat: ChatDriver) -> None:
    replies = await chat.say("/start")
    assert "Xin chào" in replies[0].text
    labels = [c.label for c in replies[0].choices]
    assert "Liên kết với danh sách dân cư" in labels
    assert all(c.key and c.key != c.action for c in replies[0].choices)


async def test_typed_number_picks_from_last_list(chat: ChatDriver) -> None:
    await chat.say("/lang")
    replies = await chat.say("2")
    assert replies[0].text == "Language set: English."


async def test_button_press_picks_choice(chat: ChatDriver) -> None:
    await chat.say("/lang")
    await chat.press("English")
    assert chat.text.startswith("Language set")
    replies = await chat.say("/menu")
    assert replies[0].text == "What do you need?"


async def test_option_words_pick_choice(chat: ChatDriver) -> None:
    await chat.say("/lang")
    replies = await chat.say("english")
    assert replies[0].text == "Language set: English."


async def test_forged_key_changes_nothing(chat: ChatDriver) -> None:
    await chat.say("/lang")
    async with chat.app.db.read() as tx:
        before = (await tx.execute(select(conversations))).all()
    replies = await chat.press_key("forged-key")
    assert "hết hạn" in replies[0].text
    async with chat.app.db.read() as tx:
        locale = await tx.scalar(select(users.c.locale))
    assert locale is None
    assert before


async def test_someone_elses_key_is_refused(make_chat) -> None:  # type: ignore[no-untyped-def]
    alice, bob = make_chat("alice"), make_chat("bob")
    await alice.say("/lang")
    key = alice.choice("English").key
    replies = await bob.press_key(key)
    assert "hết hạn" in replies[0].text
    async with bob.app.db.read() as tx:
        assert await tx.scalar(select(func.count()).where(users.c.locale.is_not(None))) == 0


async def test_long_and_empty_messages_answered(chat: ChatDriver) -> None:
    replies = await chat.say("a" * 5000)
    assert "dài quá (5000 ký tự)" in replies[0].text
    replies = await chat.say("   ")
    assert "trống" in replies[0].text


async def test_unknown_command(chat: ChatDriver) -> None:
    replies = await chat.say("/bogus")
    assert "không biết lệnh /bogus" in replies[0].text


async def test_unsupported_kind(chat: ChatDriver) -> None:
    from bot.core.inbound import Kind

    replies = await chat.send(chat._inbound(kind=Kind.UNSUPPORTED))
    assert "chỉ đọc được tin nhắn chữ" in replies[0].text


async def test_cancel_word_without_diacritics(chat: ChatDriver) -> None:
    replies = await chat.say("huỷ")
    assert replies[0].text == "Bạn cần gì?"


async def test_choices_survive_restart(chat: ChatDriver, settings, clock) -> None:  # type: ignore[no-untyped-def]
    await chat.say("/lang")
    await chat.app.close()
    chat.app = await build_app(settings, clock)
    try:
        replies = await chat.say("2")
        assert replies[0].text == "Language set: English."
        async with chat.app.db.read() as tx:
            assert await tx.scalar(select(func.count()).select_from(choices)) >= 2
    finally:
        await chat.app.close()


async def test_choices_older_than_a_month_are_dropped_at_start(
    chat: ChatDriver,
    settings,
    clock,  # type: ignore[no-untyped-def]
) -> None:
    from datetime import timedelta

    await chat.say("/lang")
    old_key = chat.choice("English").key
    await chat.app.close()
    clock.advance(timedelta(days=31))
    chat.app = await build_app(settings, clock)
    try:
        async with chat.app.db.read() as tx:
            assert await tx.scalar(select(func.count()).select_from(choices)) == 0
        replies = await chat.press_key(old_key)
        assert "hết hạn" in replies[0].text
    finally:
        await chat.app.close()


async def test_a_typed_number_means_the_number_when_options_are_numbers(chat: ChatDriver) -> None:
    from bot.core.context import Context
    from bot.core.reply import Choice
    from bot.core.router import Router

    flow = Router("numbers")
    picked: list[str] = []

    @flow.command("minutes")
    async def ask(ctx: Context) -> None:
        ctx.go("numbers:minutes")
        ctx.reply("?", choices=[Choice(str(n), "numbers.pick", str(n)) for n in (5, 10, 15)])

    @flow.action("numbers.pick", states=["numbers:minutes"])
    async def pick(ctx: Context) -> None:
        assert ctx.choice is not None
        picked.append(ctx.choice.value)

    @flow.state("numbers:minutes")
    async def typed(ctx: Context) -> None:
        picked.append("typed " + ctx.text)

    chat.app.dispatcher = type(chat.app.dispatcher)(
        [flow],
        chat.app.db,
        chat.app.clock,
        chat.app.settings,
        identities=chat.app.dispatcher.identities,
    )
    await chat.say("/minutes")
    await chat.say("10")  # the option labelled 10
    await chat.say("/minutes")
    await chat.say("2")  # two minutes, not the second option (10)
    assert picked == ["10", "typed 2"]


async def test_console_greets_a_person_but_not_a_script(chat: ChatDriver) -> None:
    import io

    from bot.channels.console import ConsoleChannel

    class Keyboard(io.StringIO):
        def isatty(self) -> bool:
            return True

    for stdin, greeted in ((Keyboard(""), True), (io.StringIO(""), False)):
        out = io.StringIO()
        await ConsoleChannel(chat.app.dispatcher, "person", out=out).run(stdin)
        assert ("Xin chào" in out.getvalue()) is greeted
