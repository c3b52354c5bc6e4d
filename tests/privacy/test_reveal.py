"""Point 9: a village head reveals one person's phone by a tap or by typing "Gọi"; logged."""

from __future__ import annotations

from bot.storage import audit as audit_store
from tests.driver import ChatDriver
from tests.privacy.conftest import Small
from tests.roster.conftest import person
from tests.roster.test_missing import forge


async def _reveals(small: Small) -> list[tuple[int | None, str]]:
    async with small.app.db.read() as tx:
        events = await audit_store.audit(tx)
    return [(e.actor_user_id, e.subject) for e in events if e.action == "reveal_phone"]


async def test_tap_and_typed_reveals_are_logged_and_scoped(small: Small, head: ChatDriver) -> None:
    await head.say("/missing")
    assert "0912345678" not in head.text and "091****678" in head.text
    await head.say("gọi")  # the button's word, typed
    await head.press("Nguyễn Văn An")
    assert head.text == "Nguyễn Văn An: 0912345678"
    await head.say("Gọi dung")
    assert head.text == "Lê Văn Dũng: 0987654321"
    head_user = (await head.actor()).user_id
    logged = await _reveals(small)
    assert len(logged) == 2 and {who for who, _ in logged} == {head_user}

    await head.say("gọi Phạm Văn Em")  # Hòn Ông: another village
    assert "0377777777" not in head.text
    em = await person(small.app, "Phạm Văn Em")
    key = await forge(head, "privacy.reveal", str(em["id"]))
    await head.press_key(key)
    assert "0377777777" not in head.text
    assert len(await _reveals(small)) == 2


async def test_residents_cannot_reveal(small: Small) -> None:
    resident = ChatDriver(small.app, "someone")
    await resident.say("gọi Nguyễn Văn An")
    assert "0912345678" not in resident.text
    await resident.say("/call An")
    assert resident.text == "Bạn không có quyền dùng chức năng này."
