"""Booking a visit, shared by its handlers: the flow's state and its first questions.

What the visit is for, which session, which time (the answers are in handlers/booking*.py).
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_time, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.understand import meaning
from bot.core.understand.booking_words import PARTS
from bot.services.booking import (
    Session,
    Slot,
    reservations,
    sessions,
    texts,
    waitlist,
)
from bot.services.booking.labels import session_label
from bot.services.booking.rules import (
    Service,
)
from handlers.booking_common import (
    slot_line,
)

PICK_SERVICE = "booking:pick_service"
PICK_SESSION = "booking:pick_session"
PICK_SLOT = "booking:pick_slot"
PICK_PEOPLE = "booking:pick_people"
PICK_NAMES = "booking:pick_names"
CONFIRM = "booking:confirm"
FLOW_STATES = [PICK_SERVICE, PICK_SESSION, PICK_SLOT, PICK_PEOPLE, PICK_NAMES, CONFIRM]


class BookingFlow(BaseModel):
    """What the resident has picked so far."""

    service: Service | None = None
    session_id: int | None = None
    slot_id: int | None = None  # None with wait=True: joining the session's waiting list
    person_ids: list[int] = []
    people: int = 0
    rebook_id: int | None = None  # moving this booking instead of making a new one
    wait: bool = False
    people_set: bool = False  # who comes has been chosen: slots must have room for them all
    slot_page: int = 0
    slot_part: str = ""  # morning, afternoon or evening: only those times are listed
    guest_names: list[str] = []  # typed for a head count (people not on the roster)


async def begin(ctx: Context) -> None:
    """A new booking: asks what the visit is for."""
    await waitlist.expire_offers(ctx.tx, ctx.now())
    await ask_service(ctx, BookingFlow())


# What residents type for each service (JOURNEYS.md), read by the core with or without marks.
SERVICE_WORDS = {
    Service.ID_CARD: meaning.says("làm căn cước", "căn cước", "làm thẻ", "cccd", "cấp thẻ"),
    Service.EID_LEVEL2: meaning.says("định danh", "mức 2", "mức độ 2", "vneid mức 2"),
    Service.BOTH: meaning.says(
        "cả hai", "cả 2", "thẻ với vneid", "thẻ và vneid", "căn cước và định danh", "cả thẻ"
    ),
    Service.ACTIVATION_HELP: meaning.says("kích hoạt", "kích hoạt giùm", "kích hoạt vneid"),
}


async def ask_service(ctx: Context, flow: BookingFlow) -> None:
    ctx.go(PICK_SERVICE, flow)
    ctx.reply(
        _("What is the visit for?"),
        choices=[
            Choice(texts.service_label(s), "booking.service", s.value, meaning=SERVICE_WORDS[s])
            for s in Service
        ],
    )


async def ask_session(ctx: Context, flow: BookingFlow, note: str = "") -> None:
    village = await sessions.village_of_person(ctx.tx, ctx.actor.person_id)
    found = await sessions.sessions_for_resident(ctx.tx, village_id=village, now=ctx.now())
    if not found:
        ctx.end()
        ctx.reply(
            "\n".join(
                filter(
                    None,
                    [
                        note,
                        _(
                            "There is no session open for booking right now. We will announce "
                            "the next ones; the elderly, sick or disabled can ask for a home "
                            "visit."
                        ),
                    ],
                )
            ),
            choices=[
                Choice(_("Ask for a home visit or transport"), "booking.home_visit"),
                Choice(_("Main menu"), "booking.menu"),
            ],
        )
        return
    flow.session_id = flow.slot_id = None
    flow.wait = False
    ctx.go(PICK_SESSION, flow)
    text = _("Pick a session (your village and the nearest first):")
    ctx.reply(
        f"{note}\n{text}" if note else text,
        choices=[
            Choice(
                session_label(s),
                "booking.session",
                str(s.id),
                meaning=meaning.during(s.starts_at, s.ends_at),
            )
            for s in found
        ],
    )


SLOT_PAGE = 8


def part_label(part: str) -> str:
    return {
        "morning": _("Morning"),
        "afternoon": _("Afternoon"),
        "evening": _("Evening"),
    }[part]


def part_of(slot: Slot) -> str:
    hour = to_local(slot.starts_at).hour
    return next(name for name, (low, high) in PARTS.items() if low <= hour < high)


def group_size(flow: BookingFlow) -> int:
    """How many places the booking needs, once known (0 before who comes is chosen)."""
    if not flow.people_set:
        return 0
    return len(flow.person_ids) or flow.people


async def fitting_slots(ctx: Context, flow: BookingFlow, session: Session) -> list[Slot]:
    """The session's coming slots with room for the whole group."""
    need = max(group_size(flow), 1)
    return [
        s for s in await reservations.slots_ahead(ctx.tx, session.id, ctx.now()) if s.free >= need
    ]


async def ask_slot(ctx: Context, flow: BookingFlow, session: Session, note: str = "") -> None:
    free = [s for s in await reservations.slots_ahead(ctx.tx, session.id, ctx.now()) if s.free]
    fitting = await fitting_slots(ctx, flow, session)
    header = f"{session.point_name} · {texts.when(session.starts_at, session.ends_at)}"
    flow.slot_id = None
    ctx.go(PICK_SLOT, flow)
    if not free:
        ctx.reply(
            "\n".join(filter(None, [note, header, _("This session is full.")])),
            choices=[
                Choice(_("Join the waiting list"), "booking.waitlist", str(session.id)),
                Choice(_("Other sessions"), "booking.back"),
            ],
        )
        return
    if not fitting:
        most = max(s.free for s in free)
        ctx.reply(
            "\n".join(
                filter(
                    None,
                    [
                        note,
                        header,
                        _(
                            "No time in this session has room for {count} people together "
                            "(at most {most}). Book fewer people now and the others at "
                            "another time, or pick another session."
                        ).format(count=group_size(flow), most=most),
                    ],
                )
            ),
            choices=[
                Choice(_("Change who comes"), "booking.change_people"),
                Choice(_("Join the waiting list"), "booking.waitlist", str(session.id)),
                Choice(_("Other sessions"), "booking.back"),
            ],
        )
        return
    shown = [s for s in fitting if not flow.slot_part or part_of(s) == flow.slot_part]
    if not shown:
        flow.slot_part, shown = "", fitting
    pages = (len(shown) + SLOT_PAGE - 1) // SLOT_PAGE
    flow.slot_page = min(max(flow.slot_page, 0), pages - 1)
    page = shown[flow.slot_page * SLOT_PAGE : (flow.slot_page + 1) * SLOT_PAGE]
    ctx.go(PICK_SLOT, flow)
    lines = [note, header, _("Pick a time, or type one (8h30, 2 giờ chiều) or a part of the day:")]
    if pages > 1:
        lines.append(
            _("Times {first}–{last} of {total}.").format(
                first=format_time(page[0].starts_at),
                last=format_time(page[-1].starts_at),
                total=len(shown),
            )
        )
    choices = [
        Choice(
            slot_line(s), "booking.slot", str(s.id), meaning=meaning.during(s.starts_at, s.ends_at)
        )
        for s in page
    ]
    if flow.slot_page + 1 < pages:
        choices.append(Choice(_("Later times"), "booking.slot_page", str(flow.slot_page + 1)))
    if flow.slot_page > 0:
        choices.append(Choice(_("Earlier times"), "booking.slot_page", str(flow.slot_page - 1)))
    if len(fitting) > SLOT_PAGE:
        parts = {part_of(s) for s in fitting}
        choices += [
            Choice(part_label(p), "booking.slot_part", p)
            for p in PARTS
            if p in parts and p != flow.slot_part
        ]
    choices.append(Choice(_("Other sessions"), "booking.back"))
    ctx.reply("\n".join(filter(None, lines)), choices=choices)


async def current_session(ctx: Context, flow: BookingFlow) -> Session | None:
    session = await reservations.session_info(ctx.tx, flow.session_id or 0, ctx.now())
    if session is None or session.status != "open" or session.cutoff_at <= ctx.now():
        await ask_session(ctx, flow, _("That session can no longer be booked."))
        return None
    return session
