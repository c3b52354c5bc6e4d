"""Admins: invite codes for every role, the place picked by name or from a list."""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.text import fold
from bot.core.understand import meaning
from bot.services import identity, places
from bot.services.identity import Role
from handlers.identity_common import ROLE_NAMES, place_text

router = Router("invites")
router.menu(lazy_gettext("Make an invite code"), "identity.invite", roles=[Role.ADMIN], order=95)

ASK_ROLE = "invites:role"
ASK_VILLAGE = "invites:village"
ASK_COMMUNE = "invites:commune"
INVITED = (Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN)
# Folded words that name a role, longest first; what follows them names the place.
ROLE_WORDS = (
    ("village_head", Role.VILLAGE_HEAD),
    ("village head", Role.VILLAGE_HEAD),
    ("truong thon", Role.VILLAGE_HEAD),
    ("truong ap", Role.VILLAGE_HEAD),
    ("truong ban", Role.VILLAGE_HEAD),
    ("to truong to cong tac", Role.TEAM_LEAD),
    ("to truong", Role.TEAM_LEAD),
    ("team_lead", Role.TEAM_LEAD),
    ("team lead", Role.TEAM_LEAD),
    ("can bo to 06", Role.TEAM_LEAD),
    ("quan tri vien", Role.ADMIN),
    ("quan tri", Role.ADMIN),
    ("cong an xa", Role.ADMIN),
    ("admin", Role.ADMIN),
)
INVITE_WORDS = ("moi ", "invite ", "tao ma moi ", "ma moi ")


class InviteFlow(BaseModel):
    role: Role | None = None


def read_role(folded: str) -> tuple[Role | None, str]:
    """The role named at the start of a folded text, and the rest (the place)."""
    for words, role in ROLE_WORDS:
        if folded == words or folded.startswith(words + " "):
            return role, folded[len(words) :].strip()
    return None, folded


@router.action("identity.invite", roles=[Role.ADMIN])
async def offer_invite_roles(ctx: Context) -> None:
    """Asks which role the code is for."""
    _ask_role(ctx)


def _ask_role(ctx: Context, note: str = "") -> None:
    ctx.go(ASK_ROLE, InviteFlow())
    ctx.reply(
        "\n".join(filter(None, [note, _("An invite code for which role?")])),
        choices=[
            Choice(str(ROLE_NAMES[role]), "identity.make_invite", role.value) for role in INVITED
        ],
    )


@router.action("identity.make_invite", roles=[Role.ADMIN])
async def role_picked(ctx: Context) -> None:
    """Goes on to the place the role is for."""
    value = ctx.choice.value if ctx.choice else ""
    if value not in {r.value for r in INVITED}:
        _ask_role(ctx)
        return
    await _for_role(ctx, Role(value), "")


@router.state(ASK_ROLE, roles=[Role.ADMIN])
async def role_typed(ctx: Context) -> None:
    """Reads a typed role ("trưởng thôn Hòn Ông", "tổ trưởng")."""
    role, rest = read_role(ctx.folded)
    if role is None or role not in INVITED:
        _ask_role(ctx, _("Please pick a role from the list, or type its name."))
        return
    await _for_role(ctx, role, rest)


@router.text(lambda folded: folded.startswith(INVITE_WORDS), roles=[Role.ADMIN])
async def invite_by_words(ctx: Context) -> None:
    """Makes an invite from a sentence: "mời trưởng thôn Hòn Ông", "mời tổ trưởng"."""
    folded = ctx.folded
    for word in INVITE_WORDS:
        if folded.startswith(word):
            folded = folded[len(word) :].strip()
            break
    role, rest = read_role(folded)
    if role is None:
        _ask_role(ctx)
        return
    await _for_role(ctx, role, rest)


@router.command("invite", roles=[Role.ADMIN])
async def command_invite(ctx: Context) -> None:
    """Makes an invite: /invite ROLE [VILLAGE_ID or village name]."""
    args = ctx.inbound.args.strip()
    if not args:
        _ask_role(ctx)
        return
    role, rest = read_role(fold(args))
    if role is None:
        _ask_role(ctx, _("Usage: /invite village_head VILLAGE | team_lead | admin"))
        return
    await _for_role(ctx, role, rest)


async def _own_communes(ctx: Context) -> list[places.Commune]:
    """The communes this admin may hand out roles in: their own, a province admin every one."""
    every = await places.communes(ctx.tx)
    mine = ctx.actor.admin_communes()
    return every if mine is None else [c for c in every if c.id in mine] or every


async def _for_role(ctx: Context, role: Role, place_text_typed: str) -> None:
    """Finds the place for the role, asking when it is not clear, then makes the code."""
    flow = InviteFlow(role=role)
    communes = await _own_communes(ctx)
    commune_ids = [c.id for c in communes]
    if role is Role.VILLAGE_HEAD:
        if place_text_typed.isdigit():
            village = int(place_text_typed)
            if village in {v.id for v in await places.villages(ctx.tx, commune_ids)}:
                await _make(ctx, role, village, None)
                return
            await _ask_village(ctx, flow, _("There is no village with that number."))
            return
        if place_text_typed:
            await _village_typed(ctx, flow, place_text_typed)
            return
        await _ask_village(ctx, flow)
        return
    if len(communes) > 1:
        typed = [c for c in communes if place_text_typed and place_text_typed in fold(c.name)]
        if len(typed) == 1:
            await _make(ctx, role, None, typed[0].id)
            return
        _ask_commune(ctx, flow, communes)
        return
    await _make(ctx, role, None, commune_ids[0] if commune_ids else None)


async def _ask_village(
    ctx: Context, flow: InviteFlow, note: str = "", found: list[places.Village] | None = None
) -> None:
    if found is None:
        found = await places.villages(ctx.tx, [c.id for c in await _own_communes(ctx)])
    ctx.go(ASK_VILLAGE, flow)
    ctx.reply(
        "\n".join(filter(None, [note, _("Which village? Pick it, or type its name.")])),
        choices=[
            Choice(v.name, "invites.village", str(v.id), meaning=meaning.EXACT) for v in found
        ],
    )


async def _village_typed(ctx: Context, flow: InviteFlow, text: str) -> None:
    communes = [c.id for c in await _own_communes(ctx)]
    found = await places.find_villages(ctx.tx, text, communes)
    if len(found) == 1:
        assert flow.role is not None
        await _make(ctx, flow.role, found[0].id, None)
        return
    if found:
        await _ask_village(ctx, flow, _("Several villages match. Which one?"), found)
        return
    await _ask_village(ctx, flow, _("No village has that name."))


@router.action("invites.village", states=[ASK_VILLAGE], roles=[Role.ADMIN])
async def village_picked(ctx: Context) -> None:
    """Makes the code for the picked village."""
    flow = ctx.load(InviteFlow)
    value = ctx.choice.value if ctx.choice else ""
    allowed = await places.villages(ctx.tx, [c.id for c in await _own_communes(ctx)])
    if flow.role is None or not value.isdigit() or int(value) not in {v.id for v in allowed}:
        await _ask_village(ctx, flow, _("That choice is no longer valid."))
        return
    await _make(ctx, flow.role, int(value), None)


@router.state(ASK_VILLAGE, roles=[Role.ADMIN])
async def village_typed(ctx: Context) -> None:
    """Finds the village by its typed name, with or without marks."""
    await _village_typed(ctx, ctx.load(InviteFlow), ctx.text)


def _ask_commune(
    ctx: Context, flow: InviteFlow, communes: list[places.Commune], note: str = ""
) -> None:
    ctx.go(ASK_COMMUNE, flow)
    ctx.reply(
        "\n".join(filter(None, [note, _("For which commune? Pick it, or type its name.")])),
        choices=[
            Choice(c.name, "invites.commune", str(c.id), meaning=meaning.EXACT) for c in communes
        ],
    )


@router.action("invites.commune", states=[ASK_COMMUNE], roles=[Role.ADMIN])
async def commune_picked(ctx: Context) -> None:
    """Makes the code for the picked commune."""
    flow = ctx.load(InviteFlow)
    value = ctx.choice.value if ctx.choice else ""
    communes = await _own_communes(ctx)
    if flow.role is None or not value.isdigit() or int(value) not in {c.id for c in communes}:
        _ask_commune(ctx, flow, communes, _("That choice is no longer valid."))
        return
    await _make(ctx, flow.role, None, int(value))


@router.state(ASK_COMMUNE, roles=[Role.ADMIN])
async def commune_typed(ctx: Context) -> None:
    """Finds the commune by its typed name, with or without marks."""
    flow = ctx.load(InviteFlow)
    communes = await _own_communes(ctx)
    wanted = ctx.folded
    found = [c for c in communes if fold(c.name) == wanted] or [
        c for c in communes if wanted and wanted in fold(c.name)
    ]
    if len(found) != 1 or flow.role is None:
        _ask_commune(ctx, flow, communes, _("No commune has that name."))
        return
    await _make(ctx, flow.role, None, found[0].id)


async def _make(ctx: Context, role: Role, village_id: int | None, commune_id: int | None) -> None:
    code = await identity.create_invite(
        ctx.tx,
        role,
        ctx.now(),
        village_id=village_id,
        commune_id=commune_id,
        created_by=ctx.actor.user_id,
    )
    place = await places.place_of(ctx.tx, village_id, commune_id)
    ctx.end()
    ctx.main_menu(
        _(
            "Invite code for {role}, for {place}: {code}\n"
            "Valid for 14 days, once. They type: /join {code}"
        ).format(role=str(ROLE_NAMES[role]), place=place_text(place), code=code)
    )
