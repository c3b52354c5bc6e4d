"""Point 3: forgetting a person (CLI and chat), residents' requests, revoking roles, the audit."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.cli import main as cli_main
from bot.core.i18n import to_local
from bot.services import progress
from bot.storage import audit as audit_store
from bot.storage.db import Database
from bot.storage.tables.core import persons, roles
from bot.storage.tables.privacy import role_history
from tests.driver import ChatDriver
from tests.privacy.conftest import Small
from tests.roster.conftest import ROWS, csv_bytes


async def _person(app_or_db: App | Database, name: str) -> dict[str, object]:
    db = app_or_db.db if isinstance(app_or_db, App) else app_or_db
    async with db.read() as tx:
        row = (await tx.execute(select(persons).where(persons.c.full_name == name))).one()
    return dict(row._mapping)


async def _person_by_id(app: App, person_id: int) -> dict[str, object]:
    async with app.db.read() as tx:
        row = (await tx.execute(select(persons).where(persons.c.id == person_id))).one()
    return dict(row._mapping)


async def _tallies(app: App, chat: ChatDriver) -> list[tuple[int, int, int]]:
    actor = await chat.actor()
    async with app.db.read() as tx:
        found = await progress.progress(tx, actor, to_local(app.clock.now()).date())
    return [(c.tally.counted, c.tally.with_level2, c.tally.with_card) for c in found]


async def test_a_resident_asks_and_the_police_forget_them_in_the_chat(
    small: Small, admin: ChatDriver, lead: ChatDriver
) -> None:
    app = small.app
    an = await _person(app, "Nguyễn Văn An")
    resident = ChatDriver(app, "an")
    await resident.share_phone("0912345678")
    assert (await resident.actor()).person_id == an["id"]
    before = await _tallies(app, lead)

    await resident.say("Xoá thông tin của tôi")
    assert "đã được gửi tới công an xã" in resident.text
    await resident.say("xoa thong tin cua toi")
    assert "đã ở chỗ công an xã" in resident.text  # one request, not two
    assert (await _person_by_id(app, int(an["id"])))["full_name"] == "Nguyễn Văn An"

    await admin.say("/forget")
    await admin.press(f"người #{an['id']}")
    await admin.say("người dân yêu cầu, đơn số 12")
    await admin.say("có, xoá")
    assert "Đã xoá" in admin.text

    after = await _person_by_id(app, int(an["id"]))
    assert (after["full_name"], after["phone"], after["birth_date"], after["note"]) == (
        f"[đã xoá #{an['id']}]",
        None,
        None,
        "",
    )
    assert (await resident.actor()).person_id is None
    assert await _tallies(app, lead) == before  # the counts are kept
    admin_user = (await admin.actor()).user_id
    async with app.db.read() as tx:
        events = await audit_store.audit(tx)
    assert [(e.action, e.actor_user_id, e.detail) for e in events if e.action == "forget"] == [
        ("forget", admin_user, "người dân yêu cầu, đơn số 12")
    ]
    assert "forget_request" in {e.action for e in events}
    await admin.say("/forget")
    assert "Không có yêu cầu nào" in admin.text


async def test_forget_by_typing_the_id_needs_a_reason_and_a_real_person(
    small: Small, admin: ChatDriver, head: ChatDriver
) -> None:
    dung = await _person(small.app, "Lê Văn Dũng")
    await head.say(f"/forget {dung['id']} tự ý")
    assert "không có quyền" in head.text.lower()
    await admin.say("/forget 99999 nhầm")
    assert "Không có người #99999" in admin.text
    await admin.say(f"/forget {dung['id']} người dân yêu cầu")
    assert (await _person_by_id(small.app, int(dung["id"])))["phone"] is None


async def test_revoke_in_the_chat_keeps_who_granted_and_who_revoked(
    small: Small, admin: ChatDriver
) -> None:
    app = small.app
    await admin.say("/invite team_lead")
    code = admin.text.split("/join ")[-1].strip()
    newcomer = ChatDriver(app, "newcomer")
    await newcomer.say(f"/join {code}")
    admin_user = (await admin.actor()).user_id
    newcomer_user = (await newcomer.actor()).user_id
    async with app.db.read() as tx:
        granted_by = await tx.scalar(
            select(roles.c.granted_by).where(roles.c.user_id == newcomer_user)
        )
    assert granted_by == admin_user

    await admin.say("thu hồi quyền của tổ trưởng")
    await admin.press("tổ trưởng")
    await admin.say("có, thu hồi")
    assert "không còn" in admin.text
    assert (await newcomer.actor()).grants == ()
    await newcomer.say("/progress")
    assert newcomer.text == "Bạn không có quyền dùng chức năng này."
    async with app.db.read() as tx:
        history = (
            await tx.execute(
                select(role_history.c.role, role_history.c.granted_by, role_history.c.revoked_by)
            )
        ).all()
    assert history == [("team_lead", admin_user, admin_user)]


def test_cli_forget_revoke_and_audit(
    db_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TROLY06_DB_URL", db_url)
    roster = tmp_path / "thon.csv"
    roster.write_bytes(csv_bytes(ROWS))
    assert cli_main(["import-roster", str(roster), "--create-places", "--yes"]) == 0
    assert cli_main(["grant", "--channel", "telegram", "--user", "77", "--role", "team_lead"]) == 0

    async def read(name: str) -> tuple[dict[str, object], int]:
        db = Database(db_url)
        found = await _person(db, name)
        async with db.read() as tx:
            count = int(await tx.scalar(select(func.count()).select_from(persons)) or 0)
        await db.close()
        return found, count

    an, count = asyncio.run(read("Nguyễn Văn An"))
    assert cli_main(["forget", "--person", str(an["id"]), "--reason", "đơn yêu cầu số 3"]) == 0
    assert cli_main(["forget", "--person", "99999", "--reason", "x y z"]) == 2
    assert cli_main(["revoke", "--channel", "telegram", "--user", "77"]) == 0
    assert cli_main(["revoke", "--channel", "telegram", "--user", "77"]) == 2
    assert cli_main(["boat-village", "--boat", "kh 90001 ts", "--village", "2"]) == 0
    assert cli_main(["boat-village", "--boat", "KH-11111-TS", "--village", "2"]) == 2
    capsys.readouterr()
    assert cli_main(["audit"]) == 0
    out = capsys.readouterr().out
    assert "\tforget\tcli\tperson:" in out and "đơn yêu cầu số 3" in out
    assert "\trevoke\tcli\tuser:" in out and "\tgrant\tcli\tuser:" in out

    async def after() -> tuple[dict[str, object], int, int]:
        db = Database(db_url)
        async with db.read() as tx:
            row = dict(
                (await tx.execute(select(persons).where(persons.c.id == an["id"]))).one()._mapping
            )
            people = int(await tx.scalar(select(func.count()).select_from(persons)) or 0)
            held = int(await tx.scalar(select(func.count()).select_from(roles)) or 0)
        await db.close()
        return row, people, held

    row, people, held = asyncio.run(after())
    assert (row["full_name"], row["phone"], row["birth_date"]) == (
        f"[đã xoá #{an['id']}]",
        None,
        None,
    )
    assert (row["has_id_card"], row["status"], row["household_id"]) == (
        an["has_id_card"],
        an["status"],
        an["household_id"],
    )
    assert (people, held) == (count, 0)
