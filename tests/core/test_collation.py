"""Vietnamese alphabetical order: ă and â after a, đ after d, in every list of villages."""

from __future__ import annotations

from bot.app import App
from bot.core.collation import sorted_vi
from bot.services.identity import Role
from bot.storage import roster as roster_store
from tests.driver import ChatDriver

ALPHABET = list("aăâbcdđeêghiklmnoôơpqrstuưvxy")


def test_the_vietnamese_alphabet_and_tones_only_break_ties() -> None:
    assert sorted_vi(reversed(ALPHABET)) == ALPHABET
    assert sorted_vi(["Đức", "Zô", "Dũng", "ăn", "an", "ân", "ab"]) == [
        "ab",  # ă is a letter after a, not a with an accent: "ab" before "ăn"
        "an",
        "ăn",
        "ân",
        "Dũng",
        "Đức",  # after every D, before Z (code points put it after Z)
        "Zô",
    ]
    assert sorted_vi(["Mạ", "Mã", "Ma", "Mà"]) == ["Ma", "Mà", "Mã", "Mạ"]


async def test_a_team_lead_picks_villages_in_vietnamese_order(app: App) -> None:
    async with app.db.write() as tx:
        commune = await roster_store.create_commune(tx, "Vạn Thạnh", "Khánh Hòa")
        for name in ("Zô Lô", "Đầm Môn", "Dốc Lết", "Ấp Mới", "An Bình", "Ăn Quán"):
            await roster_store.create_village(tx, commune, name)
    lead = ChatDriver(app, "lead")
    await lead.grant(Role.TEAM_LEAD, commune_id=commune)
    await lead.say("/missing")
    labels = [c.label for c in lead.choices()]
    assert labels[:6] == ["An Bình", "Ăn Quán", "Ấp Mới", "Dốc Lết", "Đầm Môn", "Zô Lô"]
