"""Zalo updates (captured payloads) become neutral Inbound messages, or are dropped."""

from __future__ import annotations

import pytest

from bot.channels.zalo import parse_update, updates_in
from bot.core.inbound import Kind
from bot.testing.zalo_api import FakeZaloServer
from tests.zalo.harness import fixture


def test_text_update_becomes_text() -> None:
    inbound = parse_update(fixture("update_text"))
    assert inbound is not None
    assert (inbound.channel, inbound.kind, inbound.text) == ("zalo", Kind.TEXT, "Xin chào")
    assert inbound.user_id == inbound.chat_id == "e4ea2cd5189df1c3a88c"
    assert inbound.display_name == "Nguyễn Văn A"


def test_command_keeps_its_argument() -> None:
    inbound = parse_update(fixture("update_command"))
    assert inbound is not None
    assert (inbound.command, inbound.args) == ("join", "KX7P2QMA")


@pytest.mark.parametrize("name", ["update_image", "update_sticker", "update_unsupported"])
def test_pictures_and_stickers_are_unsupported(name: str) -> None:
    inbound = parse_update(fixture(name))
    assert inbound is not None
    assert inbound.kind is Kind.UNSUPPORTED
    assert inbound.text == ""  # an image caption is not taken as a question


@pytest.mark.parametrize(
    "update",
    [
        {"event_name": "message.text.received"},
        {"event_name": "message.text.received", "message": "hi"},
        {"message": {"text": "hi", "chat": {"id": "c1"}}},
        {"message": {"text": "hi", "from": "x", "chat": {"id": ""}}},
    ],
)
def test_update_without_sender_is_dropped(update: dict) -> None:
    assert parse_update(update) is None


def test_a_result_may_be_one_update_a_list_or_nothing() -> None:
    one = fixture("update_text")
    assert updates_in(one) == [one]
    assert updates_in({"ok": True, "result": one}) == [one]
    assert updates_in(fixture("webhook_body")) == [fixture("webhook_body")["result"]]
    assert updates_in([one, "junk", one]) == [one, one]
    assert updates_in(None) == updates_in({}) == updates_in({"ok": True, "result": None}) == []


async def test_the_fake_sends_updates_shaped_like_the_captured_ones() -> None:
    made = FakeZaloServer().update("e4ea2cd5189df1c3a88c", "Xin chào")
    captured = fixture("update_text")
    assert made.keys() == captured.keys()
    assert made["message"].keys() == captured["message"].keys()
    assert made["message"]["from"].keys() == captured["message"]["from"].keys()
