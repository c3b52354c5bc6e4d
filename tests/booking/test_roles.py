"""Roles made by every documented route (CLI grant, CLI invite, chat invite) can do their work."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections.abc import Callable

import pytest
from sqlalchemy import insert

from bot.app import App
from bot.cli import main
from bot.services.access import visible_villages
from bot.services.identity import Role
from bot.storage import identities, places
from bot.storage.tables.core import communes, villages
from tests.driver import ChatDriver
from tests.journeys.drivers import TelegramJourneyChat, grant, telegram_chat

NO_VILLAGE = "chưa được giao"
CODE = re.compile(r"/join ([A-Z0-9]{8})")


@pytest.fixture
async def two_communes(demo_app: App) -> App:
    """The demo commune and a second one, Vạn Hưng, with one village."""
    async with demo_app.db.write() as tx:
        commune = (
            await tx.execute(insert(communes).values(name="Vạn Hưng", province="Khánh Hòa"))
        ).inserted_primary_key[0]
        await tx.execute(insert(villages).values(commune_id=commune, name="Xuân Tự"))
    return demo_app


@pytest.fixture
def cli(app: App, monkeypatch: pytest.MonkeyPatch) -> Callable[..., object]:
    """Runs `troly06 ARGS` on the test database; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("TROLY06_DB_URL", app.settings.db_url)

    async def run(*args: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()

        def call() -> int:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                return main(list(args))

        code = await asyncio.to_thread(call)
        return code, out.getvalue(), err.getvalue()

    return run


async def _works_as_lead(chat: ChatDriver) -> None:
    replies = await chat.say("/missing")
    assert NO_VILLAGE not in replies[0].text
    assert "Hòn Ông" in " ".join(c.label for r in replies for c in r.choices) + replies[0].text


async def test_cli_grant_without_a_village_holds_the_only_commune(demo_app: App, cli) -> None:
    code, out, _ = await cli(
        "grant", "--channel", "console", "--user", "lead", "--role", "team_lead"
    )
    assert code == 0 and "Vạn Thạnh" in out
    await _works_as_lead(ChatDriver(demo_app, "lead"))


async def test_cli_routes_on_two_communes(two_communes: App, cli) -> None:
    code, _, err = await cli(
        "grant", "--channel", "console", "--user", "lead", "--role", "team_lead"
    )
    assert code == 2 and "--commune" in err
    code, out, _ = await cli("places")
    assert "Vạn Hưng" in out and "Hòn Ông" in out and "Xuân Tự" in out
    code, _, _ = await cli(
        "grant", "--channel", "console", "--user", "lead", "--role", "team_lead", "--commune", "1"
    )
    assert code == 0
    await _works_as_lead(ChatDriver(two_communes, "lead"))

    code, out, err = await cli("invite", "--role", "village_head", "--village", "hon ong")
    assert code == 0 and "Hòn Ông" in err
    head = ChatDriver(two_communes, "head")
    replies = await head.say(f"/join {out.strip()}")
    assert "trưởng thôn" in replies[0].text and "Hòn Ông" in replies[0].text
    replies = await head.say("/missing")
    assert NO_VILLAGE not in replies[0].text

    code, out, _ = await cli("invite", "--role", "team_lead", "--commune", "1")
    assert code == 0
    lead2 = ChatDriver(two_communes, "lead2")
    replies = await lead2.say(f"/join {out.strip()}")
    assert "toàn xã Vạn Thạnh" in replies[0].text
    await _works_as_lead(lead2)


async def test_chat_invites_for_every_role(two_communes: App) -> None:
    admin = ChatDriver(two_communes, "admin")
    await admin.grant(Role.ADMIN, commune_id=1)
    replies = await admin.say("mời trưởng thôn Hòn Ông")
    assert "Hòn Ông" in replies[0].text
    head = ChatDriver(two_communes, "head")
    replies = await head.say(f"/join {CODE.search(replies[0].text).group(1)}")
    assert "Hòn Ông" in replies[0].text
    assert NO_VILLAGE not in (await head.say("/missing"))[0].text

    replies = await admin.say("/invite village_head dam mon")
    assert "Đầm Môn" in replies[0].text and CODE.search(replies[0].text)

    replies = await admin.say("mời tổ trưởng")
    assert "toàn xã Vạn Thạnh" in replies[0].text
    lead = ChatDriver(two_communes, "lead")
    await lead.say(f"/join {CODE.search(replies[0].text).group(1)}")
    await _works_as_lead(lead)
    replies = await lead.say("/broadcast")
    assert NO_VILLAGE not in replies[0].text


async def test_an_admin_of_no_commune_is_asked_which(two_communes: App) -> None:
    admin = ChatDriver(two_communes, "admin")
    actor = await admin.actor()
    async with two_communes.db.write() as tx:
        await identities.add_grant(
            tx, actor.user_id, "admin", None, None, two_communes.clock.now()
        )
    await admin.say("/invite team_lead")
    assert {"Vạn Thạnh", "Vạn Hưng"} <= {c.label for c in admin.choices()}
    replies = await admin.say("van hung ne")  # fits no commune: asked again, nothing made
    assert not CODE.search(replies[0].text)
    replies = await admin.say("van hung")
    assert "toàn xã Vạn Hưng" in replies[0].text and CODE.search(replies[0].text)


async def test_a_bad_village_re_asks_and_makes_nothing(demo_app: App) -> None:
    admin = ChatDriver(demo_app, "admin")
    await admin.grant(Role.ADMIN)
    await admin.say("/invite")
    await admin.say("trưởng thôn")
    replies = await admin.say("hon ongg")
    assert "Không có thôn" in replies[0].text and not CODE.search(replies[0].text)
    assert "Hòn Ông" in {c.label for c in admin.choices()}
    replies = await admin.say("Hòn Ông")
    assert CODE.search(replies[0].text)


async def test_invite_on_telegram_names_the_place(demo_app: App) -> None:
    async with telegram_chat(demo_app) as admin:
        await grant(admin, Role.ADMIN)
        await admin.say("/menu")
        await admin.pick("Tạo mã mời")
        await admin.pick("Trưởng thôn")
        texts = await admin.say("hon ong")
        code = CODE.search("\n".join(texts))
        assert code and "Hòn Ông" in "\n".join(texts)
        head = TelegramJourneyChat(demo_app, admin.api, admin.dispatcher, user_id=7002)
        texts = await head.say(f"/join {code.group(1)}")
        assert "trưởng thôn" in texts[0] and "Hòn Ông" in texts[0]


async def test_old_unscoped_grants_get_the_only_commune(demo_app: App) -> None:
    """The 0001b migration gives grants and unused invites made before the rule the commune.

    Runs on both engines, through the app's own connection, as `migrate` would run it.
    """
    import importlib
    from datetime import timedelta

    from alembic.migration import MigrationContext
    from alembic.operations import Operations
    from sqlalchemy import select

    from bot.storage.tables.core import invites, roles

    lead = ChatDriver(demo_app, "old-lead")
    actor = await lead.actor()
    now = demo_app.clock.now()
    both = await ChatDriver(demo_app, "lead-twice").actor()  # also holds the commune already
    async with demo_app.db.write() as tx:
        await identities.add_grant(tx, actor.user_id, "team_lead", None, None, now)
        await identities.add_grant(tx, both.user_id, "team_lead", None, None, now)
        await identities.add_grant(tx, both.user_id, "team_lead", None, 1, now)
        await tx.execute(
            insert(invites).values(
                code="OLDADMIN", role="admin", created_at=now, expires_at=now + timedelta(days=3)
            )
        )
    assert NO_VILLAGE in (await lead.say("/missing"))[0].text
    migration = importlib.import_module("bot.storage.migrations.versions.0001b_roles_commune")

    def upgrade(sync_conn) -> None:  # type: ignore[no-untyped-def]
        with Operations.context(MigrationContext.configure(sync_conn)):
            migration.upgrade()

    async with demo_app.db.write() as tx:
        await tx.run_sync(upgrade)
    await _works_as_lead(lead)
    async with demo_app.db.read() as tx:
        invite = (
            await tx.execute(select(invites.c.commune_id).where(invites.c.code == "OLDADMIN"))
        ).scalar_one()
        unscoped = (
            await tx.execute(
                select(roles.c.id).where(
                    roles.c.commune_id.is_(None), roles.c.village_id.is_(None)
                )
            )
        ).all()
        kept = (
            await tx.execute(select(roles.c.commune_id).where(roles.c.user_id == both.user_id))
        ).all()
    assert invite is not None and unscoped == [] and [tuple(r) for r in kept] == [(1,)]


async def test_cli_grants_a_province_admin_who_sees_every_commune(two_communes: App, cli) -> None:
    code, out, _ = await cli("grant", "--channel", "console", "--user", "chief", "--province")
    assert code == 0 and "every place" in out
    code, _, _ = await cli(
        "grant", "--channel", "console", "--user", "local", "--role", "admin", "--commune", "1"
    )
    assert code == 0
    chief_actor = await ChatDriver(two_communes, "chief").actor()
    local_actor = await ChatDriver(two_communes, "local").actor()
    async with two_communes.db.read() as tx:
        everywhere = await places.village_ids(tx)
        first = await places.village_ids(tx, [1])
        chief = await visible_villages(tx, chief_actor)
        local = await visible_villages(tx, local_actor)
    assert chief == everywhere and local == first != everywhere


async def test_a_province_admin_who_also_holds_a_commune_invites_in_every_commune(
    two_communes: App,
) -> None:
    both = ChatDriver(two_communes, "both")
    await both.grant(Role.ADMIN, commune_id=1)
    await both.grant(Role.ADMIN, province=True)
    replies = await both.say("/invite team_lead van hung")
    assert "toàn xã Vạn Hưng" in replies[0].text and CODE.search(replies[0].text)
    local = ChatDriver(two_communes, "local")
    await local.grant(Role.ADMIN, commune_id=1)
    replies = await local.say("/invite team_lead van hung")
    assert "toàn xã Vạn Thạnh" in replies[0].text  # their own commune, never another
