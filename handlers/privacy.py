"""Decree 13 in the chat: residents ask to be forgotten; admins forget people and revoke roles."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.i18n import format_datetime, lazy_gettext
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.services import identity
from bot.services.identity import Role
from bot.services.privacy import forget, roles
from bot.services.privacy.clean import one_line
from handlers.missing_common import view_of
from handlers.privacy_common import CALL_WORDS, call_by_name, call_typed, reveal_phone

router = Router("privacy")
router.menu(lazy_gettext("Delete my information"), "privacy.forget_me", order=88)
router.menu(
    lazy_gettext("Requests to delete data"), "privacy.forget_list", roles=[Role.ADMIN], order=96
)
router.menu(lazy_gettext("Take back a role"), "privacy.revoke_list", roles=[Role.ADMIN], order=97)

FORGET_REASON = "privacy:forget_reason"
FORGET_CONFIRM = "privacy:forget_confirm"
REVOKE_CONFIRM = "privacy:revoke_confirm"
LIST_SHOWN = 30
OUTSIDE_PERSON = lazy_gettext(
    "Person #{id} is not in the commune you manage: only their commune or the province can "
    "delete their data."
)
FORGET_WORDS = ("xoa thong tin", "xoa du lieu", "xoa tai khoan", "delete my data")


def _says_forget_me(folded: str) -> bool:
    return any(words in folded for words in FORGET_WORDS) and len(folded) <= 80


# --- residents ------------------------------------------------------------------------------


@router.command("forget_me", description=lazy_gettext("Ask to delete my information"))
@router.action("privacy.forget_me")
async def ask_to_be_forgotten(ctx: Context) -> None:
    """Queues the resident's request for the commune police."""
    ctx.end()
    new = await forget.request_forget(ctx.tx, ctx.actor, ctx.now())
    ctx.main_menu(
        _(
            "Your request to delete your information is sent to the commune police. They "
            "will remove your name, phone, birth date, ID number and chat link from the "
            "bot's list; the commune's totals still count you, without your details."
        )
        if new
        else _("Your request to delete your information is already with the commune police.")
    )


@router.text(_says_forget_me)
async def typed_forget_me(ctx: Context) -> None:
    """ "xoá thông tin của tôi", typed."""
    await ask_to_be_forgotten(ctx)


# --- admins: forgetting ---------------------------------------------------------------------


@router.command("forget", roles=[Role.ADMIN], description=lazy_gettext("Delete a person's data"))
@router.action("privacy.forget_list", roles=[Role.ADMIN])
async def forget_start(ctx: Context) -> None:
    """/forget PERSON_ID REASON does it at once; /forget alone lists the residents' requests."""
    parts = ctx.inbound.args.split(maxsplit=1) if ctx.inbound.command == "forget" else []
    if parts and parts[0].lstrip("#").isdigit():
        person_id = int(parts[0].lstrip("#"))
        if len(parts) > 1:
            await _forget(ctx, person_id, None, parts[1])
            return
        if not await forget.may_forget(ctx.tx, ctx.actor, person_id):
            ctx.end()
            ctx.main_menu(str(OUTSIDE_PERSON).format(id=person_id))
            return
        _ask_reason(ctx, person_id, None)
        return
    ctx.end()
    requests = await forget.open_requests(ctx.tx, ctx.actor)
    if not requests:
        ctx.main_menu(
            _("No open requests. To delete a person's data type: /forget PERSON_ID reason")
        )
        return
    lines = [_("Requests to delete data:")]
    choices = []
    for request in requests[:LIST_SHOWN]:
        who = (
            _("person #{id}").format(id=request.person_id)
            if request.person_id
            else _("chat user #{id} (not linked)").format(id=request.user_id)
        )
        lines.append(f"#{request.id} · {who} · {format_datetime(request.created_at, 'short')}")
        choices.append(Choice(f"#{request.id} {who}", "privacy.forget_pick", str(request.id)))
    ctx.reply("\n".join(lines), choices=choices)


@router.action("privacy.forget_pick", roles=[Role.ADMIN])
async def forget_pick(ctx: Context) -> None:
    """A request picked: asks why (the reason is logged)."""
    assert ctx.choice is not None
    value = ctx.choice.value
    request = next(
        (r for r in await forget.open_requests(ctx.tx, ctx.actor) if str(r.id) == value), None
    )
    if request is None:
        ctx.main_menu(_("That request is already done."))
        return
    _ask_reason(ctx, request.person_id, request.id)


def _ask_reason(ctx: Context, person_id: int | None, request_id: int | None) -> None:
    ctx.go(FORGET_REASON, {"person_id": person_id, "request_id": request_id})
    ctx.reply(_('Why is this data deleted? (for the log, e.g. "the person asked, form 12")'))


@router.state(FORGET_REASON, roles=[Role.ADMIN])
async def forget_reason(ctx: Context) -> None:
    """Stores the reason and asks to confirm."""
    reason = one_line(ctx.text)
    if len(reason) < 3:
        ctx.reply(_("Please type the reason (at least 3 characters)."))
        return
    data = dict(ctx.convo.data)
    data["reason"] = reason
    ctx.go(FORGET_CONFIRM, data)
    target = data.get("person_id")
    ctx.reply(
        _(
            "Delete the name, phone, birth date, ID number and chat links of {who}? "
            "This cannot be undone; the counts are kept."
        ).format(
            who=_("person #{id}").format(id=target)
            if target
            else _("the chat user of request #{id}").format(id=data.get("request_id"))
        ),
        choices=[
            Choice(_("Yes, delete"), "privacy.forget_yes"),
            Choice(_("No"), "privacy.forget_no"),
        ],
    )


@router.action("privacy.forget_yes", roles=[Role.ADMIN], states=[FORGET_CONFIRM])
async def forget_yes(ctx: Context) -> None:
    data = dict(ctx.convo.data)
    ctx.end()
    person_id, request_id = data.get("person_id"), data.get("request_id")
    reason = str(data.get("reason", ""))
    if person_id is not None:
        await _forget(ctx, int(person_id), request_id, reason)
        return
    request = next(
        (r for r in await forget.open_requests(ctx.tx, ctx.actor) if r.id == request_id), None
    )
    if request is None:
        ctx.main_menu(_("That request is already done."))
        return
    await forget.forget_request_of(
        ctx.tx, request, by=ctx.actor.user_id, now=ctx.now(), reason=reason
    )
    ctx.main_menu(_("Done: the data is deleted and the deletion logged."))


@router.action("privacy.forget_no", roles=[Role.ADMIN], states=[FORGET_CONFIRM])
async def forget_no(ctx: Context) -> None:
    ctx.end()
    ctx.main_menu(_("Nothing was deleted."))


async def _forget(ctx: Context, person_id: int, request_id: object, reason: str) -> None:
    ctx.end()
    if not await forget.may_forget(ctx.tx, ctx.actor, person_id):
        ctx.main_menu(str(OUTSIDE_PERSON).format(id=person_id))
        return
    done = await forget.forget_person(
        ctx.tx, person_id, by=ctx.actor.user_id, now=ctx.now(), reason=reason
    )
    ctx.main_menu(
        _("Done: the data is deleted and the deletion logged.")
        if done
        else _("There is no person #{id} in the list.").format(id=person_id)
    )


# --- admins: revoking -----------------------------------------------------------------------


def _role_label(role: str) -> str:
    from handlers.identity_common import ROLE_NAMES

    try:
        return str(ROLE_NAMES[Role(role)])
    except ValueError:
        return role


def _says_revoke(folded: str) -> bool:
    return folded.startswith(("thu hoi quyen", "thu hoi vai tro", "revoke"))


@router.command("revoke", roles=[Role.ADMIN], description=lazy_gettext("Take back a role"))
@router.action("privacy.revoke_list", roles=[Role.ADMIN])
async def revoke_list(ctx: Context) -> None:
    """Lists who holds which role; picking one asks to confirm."""
    ctx.end()
    held = [
        h
        for h in await roles.held(ctx.tx, ctx.actor)
        if not (h.user_id == ctx.actor.user_id and h.role == Role.ADMIN)
    ]
    if not held:
        ctx.main_menu(_("Nobody else holds a role."))
        return
    choices = []
    for grant in held[:LIST_SHOWN]:
        name = one_line(grant.display_name, 40) or _("user #{id}").format(id=grant.user_id)
        where = f" · {grant.village_name}" if grant.village_name else ""
        choices.append(
            Choice(
                f"{name} · {_role_label(grant.role)}{where}",
                "privacy.revoke_pick",
                str(grant.role_id),
            )
        )
    ctx.reply(_("Whose role do you take back?"), choices=choices)


@router.text(_says_revoke, roles=[Role.ADMIN])
async def typed_revoke(ctx: Context) -> None:
    """ "thu hồi quyền của ...", typed: the list to pick from."""
    await revoke_list(ctx)


@router.action("privacy.revoke_pick", roles=[Role.ADMIN])
async def revoke_pick(ctx: Context) -> None:
    assert ctx.choice is not None
    ctx.go(REVOKE_CONFIRM, {"role_id": ctx.choice.value, "label": ctx.choice.label})
    ctx.reply(
        _("Take back: {label}?").format(label=ctx.choice.label),
        choices=[
            Choice(_("Yes, take it back"), "privacy.revoke_yes"),
            Choice(_("No"), "privacy.revoke_no"),
        ],
    )


@router.action("privacy.revoke_yes", roles=[Role.ADMIN], states=[REVOKE_CONFIRM])
async def revoke_yes(ctx: Context) -> None:
    data = dict(ctx.convo.data)
    ctx.end()
    role_id = str(data.get("role_id", ""))
    allowed = await roles.in_scope(ctx.tx, ctx.actor, int(role_id)) if role_id.isdigit() else None
    if allowed is False:
        ctx.main_menu(
            _("That role is outside the commune you manage: only the province can take it back.")
        )
        return
    taken = (
        await roles.revoke(
            ctx.tx, int(role_id), by=ctx.actor.user_id, now=ctx.now(), reason="chat"
        )
        if allowed
        else None
    )
    ctx.actor = await identity.reload(ctx.tx, ctx.actor)
    ctx.main_menu(
        _("Done: {label} no longer holds that role.").format(label=data.get("label", ""))
        if taken
        else _("That role was already taken back.")
    )


@router.action("privacy.revoke_no", roles=[Role.ADMIN], states=[REVOKE_CONFIRM])
async def revoke_no(ctx: Context) -> None:
    ctx.end()
    ctx.main_menu(_("Nothing was changed."))


# --- village heads and team leads: one phone to call ----------------------------------------

STAFF = (Role.VILLAGE_HEAD, Role.TEAM_LEAD, Role.ADMIN)


@router.action("privacy.call", roles=STAFF)
async def call_pick(ctx: Context) -> None:
    """From a page of the missing list: whose number to show."""
    from bot.services import missing as missing_service

    assert ctx.choice is not None
    view = view_of(ctx.choice.value)
    try:
        page = (
            await missing_service.missing_page(
                ctx.tx,
                ctx.actor,
                view.village_id,
                view.kind,
                view.page,
                missing_service.local_today(ctx.now()),
            )
            if view
            else None
        )
    except missing_service.NotAllowed:
        page = None
    people = [p for p in page.people if p.phone] if page else []
    if not people:
        ctx.reply(_("Nobody on this page has a phone number."))
        return
    ctx.reply(
        _("Whose number do you need? (Each number shown is logged.)"),
        choices=[Choice(p.full_name, "privacy.reveal", str(p.person_id)) for p in people[:30]],
    )


@router.action("privacy.reveal", roles=STAFF)
async def reveal_picked(ctx: Context) -> None:
    assert ctx.choice is not None
    value = ctx.choice.value
    await reveal_phone(ctx, int(value) if value.isdigit() else 0)


@router.command("call", "goi", roles=STAFF, description=lazy_gettext("A person's phone number"))
async def call_command(ctx: Context) -> None:
    """/call NAME: the phone of a person of the actor's villages."""
    await call_by_name(ctx, ctx.inbound.args)


@router.text(lambda folded: folded.startswith(CALL_WORDS), roles=STAFF)
async def typed_call(ctx: Context) -> None:
    """ "Gọi Nguyễn Văn An", typed."""
    await call_typed(ctx)
