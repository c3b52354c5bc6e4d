"""The FAQ's answers point only at booking menu items that exist."""

from __future__ import annotations

import re
from pathlib import Path

from bot.app import App
from bot.services.identity import Role
from tests.driver import ChatDriver

FAQ = Path(__file__).resolve().parents[2] / "locales" / "vi" / "faq.yaml"


async def test_every_menu_item_named_in_the_faq_exists(app: App) -> None:
    admin = ChatDriver(app, "admin")
    await admin.grant(Role.ADMIN)
    labels = {c.label for c in (await admin.say("/menu"))[0].choices}
    quoted = re.findall(r'mục "([^"]+)"', FAQ.read_text(encoding="utf-8"))
    named = {name for name in quoted if "lịch" in name.lower()}  # the bot's booking items
    assert named and named <= labels, named - labels
