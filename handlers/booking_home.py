"""Home visits and transport: a family asks for one; team leads list, plan and close them."""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import gettext as _
from bot.core.i18n import lazy_gettext
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning
from bot.services.booking import home_visits, reservations, sessions, texts
from bot.services.booking.home_visits import VisitError
from bot.services.identity import Role
from bot.services.phone import mask_phone, normalize_phone
from bot.services.privacy.clean import NAME_CHARS, one_line
from bot.services.privacy.texts import too_many_visits_text

router = Router("booking_home")
STAFF = [Role.TEAM_LEAD, Role.ADMIN]
router.menu(lazy_gettext("Home visit or transport"), "booking.home_visit", order=22)
router.menu(lazy_gettext("Home visit requests"), "booking.visits", roles=STAFF, order=32)

HV_WHO = "booking:hv_who"
HV_NAME = "booking:hv_name"
HV_KIND = "booking:hv_kind"
HV_REASON = "booking:hv_reason"
HV_ADDRESS = "booking:hv_address"
HV_PHONE = "booking:hv_phone"
HV_TIME = "booking:hv_time"
HV_VILLAGE = "booking:hv_village"
HV_CONFIRM = "booking:hv_confirm"
VISIT = "booking:visit"
VISIT_ROUND = "booking:visit_round"


class VisitFlow(BaseModel):
    """The request being filled in."""

    person_id: int | None = None
    person_name: str = ""
    kind: str = ""
    reason: str = ""
    address: str = ""
    phone: str = ""
    preferred_time: str = ""
    village_id: int | None = None


class StaffFlow(BaseModel):
    visit_id: int


def _reasons() -> dict[str, str]:
    return {
        "elderly": _("Very old or bedridden"),
        "sick": _("Sick"),
        "disabled": _("Disabled"),
        "other": _("Other reason"),
    }


def _kinds() -> dict[str, str]:
    return {"visit": _("The team comes to the home"), "transport": _("Transport to the session")}


def _value(ctx: Context) -> str:
    return ctx.choice.value if ctx.choice else ""


@router.action("booking.home_visit")
async def start(ctx: Context) -> None:
    """Asks who needs the visit (household members when linked)."""
    if not await home_visits.may_ask(ctx.tx, ctx.actor.user_id):
        ctx.main_menu(too_many_visits_text())
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    ctx.go(HV_WHO, VisitFlow())
    ctx.reply(
        _(
            "A home visit is for people who cannot come: the very old, bedridden, sick or "
            "disabled. The person must be there for the photo and fingerprints. Who is it for?"
        ),
        choices=[
            *(Choice(m.full_name, "booking.hv_person", str(m.person_id)) for m in members),
            Choice(_("Someone else (type the name)"), "booking.hv_person", "0"),
        ],
    )


@router.action("booking.hv_person", states=[HV_WHO])
async def pick_person(ctx: Context) -> None:
    """Stores the household member, or asks the name."""
    flow = ctx.load(VisitFlow)
    members = {
        m.person_id: m.full_name for m in await reservations.household(ctx.tx, ctx.actor.person_id)
    }
    value = _value(ctx)
    if value.isdigit() and int(value) in members:
        flow.person_id, flow.person_name = int(value), members[int(value)]
        _ask_kind(ctx, flow)
        return
    ctx.go(HV_NAME, flow)
    ctx.reply(_("Full name of the person?"))


@router.state(HV_NAME)
async def typed_name(ctx: Context) -> None:
    """Stores the typed name and asks what is needed."""
    flow = ctx.load(VisitFlow)
    name = one_line(ctx.text, NAME_CHARS + 1)
    if not 2 <= len(name) <= NAME_CHARS:
        ctx.reply(_("Please type a name of 2 to 120 characters."))
        return
    flow.person_name = name
    _ask_kind(ctx, flow)


def _ask_kind(ctx: Context, flow: VisitFlow) -> None:
    ctx.go(HV_KIND, flow)
    ctx.reply(
        _("What is needed?"),
        choices=[Choice(label, "booking.hv_kind", key) for key, label in _kinds().items()],
    )


@router.action("booking.hv_kind", states=[HV_KIND])
async def pick_kind(ctx: Context) -> None:
    """Stores visit or transport and asks why."""
    flow = ctx.load(VisitFlow)
    if _value(ctx) not in home_visits.KINDS:
        _ask_kind(ctx, flow)
        return
    flow.kind = _value(ctx)
    ctx.go(HV_REASON, flow)
    ctx.reply(
        _("Why can the person not come?"),
        choices=[Choice(label, "booking.hv_reason", key) for key, label in _reasons().items()],
    )


@router.action("booking.hv_reason", states=[HV_REASON])
async def pick_reason(ctx: Context) -> None:
    """Stores the reason and asks the address."""
    flow = ctx.load(VisitFlow)
    if _value(ctx) not in home_visits.REASONS:
        return
    flow.reason = _value(ctx)
    home = await home_visits.home_of(ctx.tx, ctx.actor.person_id)
    ctx.go(HV_ADDRESS, flow)
    choices = [Choice(home.address, "booking.hv_address")] if home and home.address else []
    ctx.reply(_("The address (house number, hamlet)?"), choices=choices)


@router.action("booking.hv_address", states=[HV_ADDRESS])
async def household_address(ctx: Context) -> None:
    """Uses the household's address from the roster."""
    home = await home_visits.home_of(ctx.tx, ctx.actor.person_id)
    await _set_address(ctx, home.address if home else "")


@router.state(HV_ADDRESS)
async def typed_address(ctx: Context) -> None:
    """Stores a typed address."""
    await _set_address(ctx, one_line(ctx.text, 201))


async def _set_address(ctx: Context, address: str) -> None:
    flow = ctx.load(VisitFlow)
    if not 2 <= len(address) <= 200:
        ctx.reply(_("Please type an address of 2 to 200 characters."))
        return
    flow.address = address
    ctx.go(HV_PHONE, flow)
    ctx.reply(_("A phone number the team can call before coming?"))


@router.state(HV_PHONE)
async def typed_phone(ctx: Context) -> None:
    """Stores the phone number and asks the preferred time."""
    flow = ctx.load(VisitFlow)
    phone = normalize_phone(ctx.text)
    if phone is None:
        ctx.reply(_("That is not a Vietnamese mobile number. Type it like 0912 345 678."))
        return
    flow.phone = phone
    ctx.go(HV_TIME, flow)
    ctx.reply(
        _("When suits best? (for example: weekend mornings, after 17h)"),
        choices=[Choice(_("Any time"), "booking.hv_time")],
    )


@router.action("booking.hv_time", states=[HV_TIME])
async def any_time(ctx: Context) -> None:
    """Stores "any time"."""
    await _set_time(ctx, _("Any time"))


@router.state(HV_TIME)
async def typed_time(ctx: Context) -> None:
    """Stores the preferred time."""
    await _set_time(ctx, one_line(ctx.text, 100))


async def _set_time(ctx: Context, preferred: str) -> None:
    flow = ctx.load(VisitFlow)
    flow.preferred_time = preferred
    home = await home_visits.home_of(ctx.tx, ctx.actor.person_id)
    if home is not None:
        flow.village_id = home.village_id
        await _ask_confirm(ctx, flow)
        return
    ctx.go(HV_VILLAGE, flow)
    ctx.reply(
        _("Which village?"),
        choices=[
            Choice(v.name, "booking.hv_village", str(v.id))
            for v in await sessions.all_villages(ctx.tx)
        ],
    )


@router.action("booking.hv_village", states=[HV_VILLAGE])
async def pick_village(ctx: Context) -> None:
    """Stores the village and shows the request to confirm."""
    flow = ctx.load(VisitFlow)
    value = _value(ctx)
    if not value.isdigit() or int(value) not in {
        v.id for v in await sessions.all_villages(ctx.tx)
    }:
        return
    flow.village_id = int(value)
    await _ask_confirm(ctx, flow)


async def _ask_confirm(ctx: Context, flow: VisitFlow) -> None:
    ctx.go(HV_CONFIRM, flow)
    ctx.reply(
        "\n".join(
            [
                _("Send this request to the team 06?"),
                f"• {flow.person_name} · {_reasons().get(flow.reason, '')}",
                f"• {_kinds().get(flow.kind, '')}",
                f"• {flow.address}",
                f"• {flow.phone} · {flow.preferred_time}",
            ]
        ),
        choices=[
            Choice(_("Send"), "booking.hv_send", meaning=meaning.YES),
            Choice(_("Stop, send nothing"), "booking.hv_abort", meaning=meaning.NO),
        ],
    )


@router.action("booking.hv_send", states=[HV_CONFIRM])
async def send(ctx: Context) -> None:
    """Records the request for the village's team."""
    flow = ctx.load(VisitFlow)
    ctx.end()
    if flow.village_id is None:
        ctx.main_menu(_("Something was missing; please start again."))
        return
    result = await home_visits.request(
        ctx.tx,
        user_id=ctx.actor.user_id,
        person_id=flow.person_id,
        person_name=flow.person_name,
        kind=flow.kind,
        reason=flow.reason,
        address=flow.address,
        phone=flow.phone,
        preferred_time=flow.preferred_time,
        village_id=flow.village_id,
        now=ctx.now(),
    )
    if result is VisitError.DUPLICATE:
        ctx.main_menu(_("There is already an open request for this person; the team has it."))
        return
    if result is VisitError.TOO_MANY:
        ctx.main_menu(too_many_visits_text())
        return
    if isinstance(result, VisitError):
        ctx.main_menu(_("Something was missing; please start again."))
        return
    ctx.main_menu(
        _(
            "Your request is sent (number {id}). The team will call you to agree on a day. "
            "Keep the person's ID card (or old CCCD) and phone ready."
        ).format(id=result)
    )


@router.action("booking.hv_abort", states=[HV_CONFIRM, VISIT, VISIT_ROUND])
async def abort(ctx: Context) -> None:
    """Leaves without changing anything."""
    ctx.end()
    ctx.main_menu(_("Nothing was changed. What else do you need?"))


# --- team leads ----------------------------------------------------------------------------


@router.action("booking.visits", roles=STAFF)
async def list_requests(ctx: Context) -> None:
    """Lists open requests by village (phones masked)."""
    ctx.end()
    found = await home_visits.open_requests(ctx.tx, ctx.actor)
    if not found:
        ctx.main_menu(_("No open home visit requests."))
        return
    lines, village = [_("Open requests:")], ""
    for request in found:
        if request.village_name != village:
            village = request.village_name
            lines.append(f"— {village}")
        state = _("planned") if request.status == "assigned" else _("open")
        lines.append(
            f"#{request.id} {one_line(request.person_name, NAME_CHARS)} · "
            f"{_reasons().get(request.reason, '')} · "
            f"{mask_phone(request.phone)} · {state}"
        )
    ctx.reply(
        "\n".join(lines),
        choices=[
            Choice(
                f"#{r.id} {one_line(r.person_name, NAME_CHARS)} ({r.village_name})",
                "booking.visit",
                str(r.id),
            )
            for r in found[:30]
        ],
    )


@router.action("booking.visit", roles=STAFF)
async def show_request(ctx: Context) -> None:
    """Shows one request in full, with assign and done."""
    value = _value(ctx)
    request = await home_visits.visible(ctx.tx, ctx.actor, int(value) if value.isdigit() else 0)
    if request is None:
        ctx.end()
        ctx.main_menu(_("That request is not in your villages."))
        return
    ctx.go(VISIT, StaffFlow(visit_id=request.id))
    ctx.reply(
        "\n".join(
            [
                f"#{request.id} {one_line(request.person_name, NAME_CHARS)} · "
                f"{request.village_name}",
                f"{_kinds().get(request.kind, '')} · {_reasons().get(request.reason, '')}",
                one_line(request.address),
                f"{request.phone} · {one_line(request.preferred_time, 100)}",
            ]
        ),
        choices=[
            Choice(_("Put on a round"), "booking.visit_assign"),
            Choice(_("Mark done"), "booking.visit_done"),
            Choice(_("Back"), "booking.hv_abort"),
        ],
    )


@router.action("booking.visit_assign", states=[VISIT], roles=STAFF)
async def pick_round(ctx: Context) -> None:
    """Offers the mobile sessions coming up as rounds."""
    flow = ctx.load(StaffFlow)
    rounds = [
        s for s in await sessions.managed_sessions(ctx.tx, ctx.actor, ctx.now()) if s.is_mobile
    ]
    if not rounds:
        ctx.reply(
            _("There is no mobile session to put it on. Open one (mobile: yes) first."),
            choices=[Choice(_("Open a session"), "booking.open")],
        )
        return
    ctx.go(VISIT_ROUND, flow)
    ctx.reply(
        _("Which round?"),
        choices=[
            Choice(
                f"{texts.when(s.starts_at, s.ends_at)} · {s.point_name}",
                "booking.visit_round",
                str(s.id),
            )
            for s in rounds[:12]
        ],
    )


@router.action("booking.visit_round", states=[VISIT_ROUND], roles=STAFF)
async def assign(ctx: Context) -> None:
    """Puts the request on the round and tells the family."""
    flow = ctx.load(StaffFlow)
    value = _value(ctx)
    ctx.end()
    result = await home_visits.assign(
        ctx.tx,
        ctx.actor,
        visit_id=flow.visit_id,
        session_id=int(value) if value.isdigit() else 0,
        now=ctx.now(),
    )
    if isinstance(result, VisitError):
        ctx.main_menu(_("That round or request can no longer be used."))
        return
    ctx.main_menu(_("Planned; the family has been told."))


@router.action("booking.visit_done", states=[VISIT], roles=STAFF)
async def done(ctx: Context) -> None:
    """Closes the request."""
    flow = ctx.load(StaffFlow)
    ctx.end()
    result = await home_visits.mark_done(ctx.tx, ctx.actor, visit_id=flow.visit_id, now=ctx.now())
    if isinstance(result, VisitError):
        ctx.main_menu(_("That request was already closed."))
        return
    ctx.main_menu(_("Marked done."))
