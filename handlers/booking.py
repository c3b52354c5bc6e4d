"""Booking a visit: what for, which session, which slot, who comes, confirm.

Also moving a booking, and a slot offered by a reminder (booking.offer_slot).
"""

from __future__ import annotations

import logging
import re

from pydantic import BaseModel

from bot.core.context import Context
from bot.core.i18n import format_time, lazy_gettext, to_local
from bot.core.i18n import gettext as _
from bot.core.reply import Choice
from bot.core.router import Router
from bot.core.understand import meaning, people
from bot.core.understand.numbers import whole_number as parse_int
from bot.core.understand.times import clock as parse_clock
from bot.services.booking import (
    Session,
    Slot,
    reservations,
    sessions,
    texts,
    waitlist,
)
from bot.services.booking.rules import (
    MAX_PEOPLE,
    BookError,
    Service,
    age_on,
    child,
    local_today,
    too_young,
)
from handlers.booking_common import (
    CONFIRM_CANCEL,
    JOIN_EXISTING,
    book_errors,
    own_booking,
    say_booked,
    session_line,
    show_household_bookings,
    slot_line,
    too_young_text,
    value_id,
)

logger = logging.getLogger(__name__)
router = Router("booking")
router.menu(lazy_gettext("Book a visit (ID card, VNeID)"), "booking.start", order=20)
router.menu(lazy_gettext("My bookings"), "booking.mine", order=21)

PICK_SERVICE = "booking:pick_service"
PICK_SESSION = "booking:pick_session"
PICK_SLOT = "booking:pick_slot"
PICK_PEOPLE = "booking:pick_people"
PICK_NAMES = "booking:pick_names"
CONFIRM = "booking:confirm"
FLOW_STATES = [PICK_SERVICE, PICK_SESSION, PICK_SLOT, PICK_PEOPLE, PICK_NAMES, CONFIRM]
START_WORDS = ("dat lich", "dang ky lich", "hen lich", "dat cho", "book")


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


@router.action("booking.start")
async def start(ctx: Context) -> None:
    """Asks what the visit is for."""
    await waitlist.expire_offers(ctx.tx, ctx.now())
    await ask_service(ctx, BookingFlow())


@router.command("book", description=lazy_gettext("Book a visit"))
async def command_book(ctx: Context) -> None:
    """Starts booking."""
    await start(ctx)


@router.text(lambda folded: folded.startswith(START_WORDS))
async def start_by_words(ctx: Context) -> None:
    """Starts booking when the resident types "đặt lịch"."""
    await start(ctx)


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


@router.action("booking.service", states=[PICK_SERVICE])
async def pick_service(ctx: Context) -> None:
    """Stores the service and asks for a session (or who comes, if a slot is already chosen)."""
    flow = ctx.load(BookingFlow)
    value = ctx.choice.value if ctx.choice else ""
    if value not in {s.value for s in Service}:
        await ask_service(ctx, flow)
        return
    flow.service = Service(value)
    if flow.slot_id is not None:
        await ask_people(ctx, flow)
    else:
        await ask_session(ctx, flow)


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
                session_line(s),
                "booking.session",
                str(s.id),
                meaning=meaning.during(s.starts_at, s.ends_at),
            )
            for s in found
        ],
    )


@router.action("booking.session", states=[PICK_SESSION])
async def pick_session(ctx: Context) -> None:
    """Stores the session and asks for a time slot in it."""
    flow = ctx.load(BookingFlow)
    session_id = value_id(ctx)
    session = await reservations.session_info(ctx.tx, session_id or 0, ctx.now())
    if session is None or session.status != "open" or session.cutoff_at <= ctx.now():
        await ask_session(ctx, flow, _("That session can no longer be booked."))
        return
    flow.session_id, flow.slot_page, flow.slot_part = session.id, 0, ""
    await ask_slot(ctx, flow, session)


SLOT_PAGE = 8
# Parts of the day by local hour: [start, end).
PARTS = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
PART_WORDS = {
    "sang": "morning",
    "buoi sang": "morning",
    "trua": "afternoon",
    "chieu": "afternoon",
    "buoi chieu": "afternoon",
    "toi": "evening",
    "buoi toi": "evening",
    "dem": "evening",
    "morning": "morning",
    "afternoon": "afternoon",
    "evening": "evening",
}
NEXT_WORDS = ("sau", "tiep", "trang sau", "gio sau", "them", "xem them", "later", "next")
PREVIOUS_WORDS = ("truoc", "trang truoc", "gio truoc", "earlier")
ANY_WORDS = ("som nhat", "gio nao cung duoc", "luc nao cung duoc", "bat ky", "earliest", "any")


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


async def _current_session(ctx: Context, flow: BookingFlow) -> Session | None:
    session = await reservations.session_info(ctx.tx, flow.session_id or 0, ctx.now())
    if session is None or session.status != "open" or session.cutoff_at <= ctx.now():
        await ask_session(ctx, flow, _("That session can no longer be booked."))
        return None
    return session


@router.action("booking.slot_page", states=[PICK_SLOT])
async def slot_page(ctx: Context) -> None:
    """Shows earlier or later times."""
    flow = ctx.load(BookingFlow)
    session = await _current_session(ctx, flow)
    if session is not None:
        flow.slot_page = value_id(ctx) or 0
        await ask_slot(ctx, flow, session)


@router.action("booking.slot_part", states=[PICK_SLOT])
async def slot_part(ctx: Context) -> None:
    """Shows the times of one part of the day."""
    flow = ctx.load(BookingFlow)
    session = await _current_session(ctx, flow)
    if session is not None:
        value = ctx.choice.value if ctx.choice else ""
        flow.slot_part, flow.slot_page = (value if value in PARTS else ""), 0
        await ask_slot(ctx, flow, session)


@router.state(PICK_SLOT)
async def slot_typed(ctx: Context) -> None:
    """Reads a typed time ("14h", "8 giờ rưỡi"), a part of the day, "sớm nhất" or "sau"."""
    flow = ctx.load(BookingFlow)
    session = await _current_session(ctx, flow)
    if session is None:
        return
    if ctx.folded.startswith(START_WORDS):
        await start(ctx)
        return
    folded = ctx.folded.removeprefix("luc ").removeprefix("khoang ").strip()
    fitting = await fitting_slots(ctx, flow, session)
    if folded in PART_WORDS:
        flow.slot_part, flow.slot_page = PART_WORDS[folded], 0
        await ask_slot(ctx, flow, session)
        return
    if folded in NEXT_WORDS or folded in PREVIOUS_WORDS:
        flow.slot_page += 1 if folded in NEXT_WORDS else -1
        await ask_slot(ctx, flow, session)
        return
    if folded in ANY_WORDS and fitting:
        await _slot_chosen(ctx, flow, fitting[0])
        return
    wanted = parse_clock(folded.replace(" ruoi", " 30").replace("ruoi", " 30"))
    if wanted is None or not fitting:
        await ask_slot(ctx, flow, session, _("Please pick a time from the list, or type one."))
        return
    hit = next(
        (
            s
            for s in fitting
            if to_local(s.starts_at).time() <= wanted < to_local(s.ends_at).time()
        ),
        None,
    )
    if hit is not None:
        await _slot_chosen(ctx, flow, hit)
        return
    later = [s for s in fitting if to_local(s.starts_at).time() >= wanted]
    flow.slot_part = ""
    flow.slot_page = fitting.index(later[0]) // SLOT_PAGE if later else 0
    await ask_slot(
        ctx,
        flow,
        session,
        _("No free time at {time}; here are the nearest.").format(time=wanted.strftime("%H:%M")),
    )


@router.action("booking.slot", states=[PICK_SLOT])
async def pick_slot(ctx: Context) -> None:
    """Stores the slot and asks who comes (or confirms a move)."""
    flow = ctx.load(BookingFlow)
    slot = await reservations.slot_info(ctx.tx, value_id(ctx) or 0)
    if slot is None or slot.session_id != flow.session_id:
        await ask_session(ctx, flow, _("That time is no longer offered."))
        return
    await _slot_chosen(ctx, flow, slot)


async def _slot_chosen(ctx: Context, flow: BookingFlow, slot: Slot) -> None:
    flow.slot_id = slot.id
    if flow.people_set:
        await ask_confirm(ctx, flow)
    else:
        await ask_people(ctx, flow)


@router.action("booking.change_people", states=[PICK_SLOT])
async def change_people(ctx: Context) -> None:
    """Goes back to who comes, to book fewer people at once."""
    flow = ctx.load(BookingFlow)
    flow.people_set, flow.slot_page, flow.slot_part = False, 0, ""
    await ask_people(ctx, flow)


@router.action("booking.waitlist", states=[PICK_SLOT, CONFIRM])
async def want_waitlist(ctx: Context) -> None:
    """Marks the flow as joining the waiting list and asks who comes."""
    flow = ctx.load(BookingFlow)
    if flow.session_id is None or value_id(ctx) != flow.session_id:
        await ask_session(ctx, flow)
        return
    flow.wait, flow.slot_id = True, None
    await ask_people(ctx, flow)


@router.action("booking.back", states=[PICK_SLOT, PICK_PEOPLE, CONFIRM])
async def back_to_sessions(ctx: Context) -> None:
    """Shows the sessions again."""
    await ask_session(ctx, ctx.load(BookingFlow))


async def ask_people(ctx: Context, flow: BookingFlow, note: str = "") -> None:
    if flow.rebook_id is not None:
        await ask_confirm(ctx, flow)
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    if len(members) == 1:
        flow.person_ids, flow.people_set = [members[0].person_id], True
        await ask_confirm(ctx, flow)
        return
    ctx.go(PICK_PEOPLE, flow)
    if not members:
        ctx.reply(
            _("How many people will come? Pick, or type a number from 1 to {max}.").format(
                max=MAX_PEOPLE
            ),
            choices=[Choice(str(n), "booking.count", str(n)) for n in range(1, 7)],
        )
        return
    if not flow.person_ids and ctx.actor.person_id is not None:
        flow.person_ids = [ctx.actor.person_id]
        ctx.go(PICK_PEOPLE, flow)
    chosen = set(flow.person_ids)
    today = local_today(ctx.now())
    young = {m.person_id for m in members if too_young(age_on(today, m.birth_year, m.birth_date))}
    ctx.reply(
        "\n".join(
            filter(
                None,
                [
                    note,
                    _("Who will come? Tap a name to add or remove it, then continue."),
                    _("Children under 6 are done online by a parent, not at the desk.")
                    if young
                    else "",
                ],
            )
        ),
        choices=[
            *(
                Choice(
                    ("🚫 " if m.person_id in young else "✅ " if m.person_id in chosen else "⬜ ")
                    + m.full_name,
                    "booking.toggle",
                    str(m.person_id),
                )
                for m in members
            ),
            Choice(
                _("Continue with {count} people").format(count=len(chosen)), "booking.people_done"
            ),
        ],
    )


@router.action("booking.toggle", states=[PICK_PEOPLE])
async def toggle_person(ctx: Context) -> None:
    """Adds or removes a household member and shows the list again."""
    flow = ctx.load(BookingFlow)
    person_id = value_id(ctx)
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    household = {m.person_id for m in members}
    picked = next((m for m in members if m.person_id == person_id), None)
    today = local_today(ctx.now())
    if picked is not None and too_young(age_on(today, picked.birth_year, picked.birth_date)):
        await ask_people(ctx, flow, too_young_text())
        return
    if person_id in household:
        if person_id in flow.person_ids:
            flow.person_ids.remove(person_id)
        elif len(flow.person_ids) < MAX_PEOPLE:
            flow.person_ids.append(person_id)
    await ask_people(ctx, flow)


@router.action("booking.people_done", states=[PICK_PEOPLE])
async def people_done(ctx: Context) -> None:
    """Moves on to the summary once at least one person is chosen."""
    flow = ctx.load(BookingFlow)
    if not flow.person_ids:
        ctx.reply(_("Choose at least one person."))
        await ask_people(ctx, flow)
        return
    flow.people_set = True
    await _after_people(ctx, flow)


@router.action("booking.count", states=[PICK_PEOPLE])
async def pick_count(ctx: Context) -> None:
    """Stores the head count picked."""
    await _set_count(ctx, value_id(ctx))


@router.state(PICK_PEOPLE)
async def typed_people(ctx: Context) -> None:
    """Reads "cả nhà", "tui với vợ", "thêm Tuấn", "bỏ bà nội ra", or a head count."""
    said = people.read_who(ctx.text)
    flow = ctx.load(BookingFlow)
    if said is None or flow.rebook_id is not None:
        await _set_count(ctx, parse_int(ctx.text, 1, MAX_PEOPLE))
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    if not members:
        await _set_count(ctx, None)
        return
    today = local_today(ctx.now())
    young = {m.person_id for m in members if too_young(age_on(today, m.birth_year, m.birth_date))}
    named = [people.Named(m.person_id, m.full_name) for m in members]
    if isinstance(said, people.Everyone):
        flow.person_ids = [m.person_id for m in members if m.person_id not in young][:MAX_PEOPLE]
        await ask_people(ctx, flow)
        return
    who = said.others if isinstance(said, people.Only) else said.who
    # The roster records no relations between members: a kin word alone is asked back.
    found = [(someone, people.find(someone, named)) for someone in who]
    unclear = [someone for someone, ids in found if len(ids) != 1]
    chosen = [ids[0] for _someone, ids in found if len(ids) == 1]
    if isinstance(said, people.Only):
        me = [ctx.actor.person_id] if ctx.actor.person_id is not None else []
        flow.person_ids = list(dict.fromkeys([*me, *chosen]))
    elif isinstance(said, people.Add):
        if any(pid in young for pid in chosen):
            await ask_people(ctx, flow, too_young_text())
            return
        flow.person_ids = list(dict.fromkeys([*flow.person_ids, *chosen]))[:MAX_PEOPLE]
    else:
        flow.person_ids = [pid for pid in flow.person_ids if pid not in chosen]
    note = ""
    if unclear:
        note = _("Who is “{who}”? Tap their name in the list.").format(
            who=", ".join(" ".join(someone.words) for someone in unclear)
        )
    await ask_people(ctx, flow, note)


async def _set_count(ctx: Context, count: int | None) -> None:
    flow = ctx.load(BookingFlow)
    if flow.person_ids or count is None or not 1 <= count <= MAX_PEOPLE:
        ctx.reply(book_errors()[BookError.BAD_PEOPLE])
        await ask_people(ctx, flow)
        return
    flow.people, flow.people_set = count, True
    await _after_people(ctx, flow)


SKIP_WORDS = ("bo qua", "khong", "ko", "thoi", "skip", "khong can")


def _ask_names(ctx: Context, flow: BookingFlow, note: str = "") -> None:
    ctx.go(PICK_NAMES, flow)
    ctx.reply(
        "\n".join(
            filter(
                None,
                [
                    note,
                    _(
                        "Type the names of the {count} people, separated by commas, so the "
                        "desk finds you (or skip)."
                    ).format(count=flow.people),
                ],
            )
        ),
        choices=[Choice(_("Skip"), "booking.skip_names")],
    )


@router.state(PICK_NAMES)
async def typed_names(ctx: Context) -> None:
    """Keeps the typed names (at most one per place booked)."""
    flow = ctx.load(BookingFlow)
    if ctx.folded in SKIP_WORDS:
        await _after_people(ctx, flow)
        return
    names = [" ".join(n.split())[:60] for n in re.split(r"[,;\n]", ctx.text) if n.strip()]
    if (
        not names
        or len(names) > flow.people
        or any(not any(c.isalpha() for c in n) for n in names)
    ):
        _ask_names(
            ctx,
            flow,
            _("Please type at most {count} names, separated by commas.").format(count=flow.people),
        )
        return
    flow.guest_names = names
    await _after_people(ctx, flow)


@router.action("booking.add_names", states=[CONFIRM])
async def add_names(ctx: Context) -> None:
    """Asks the names of a head-count booking's people."""
    _ask_names(ctx, ctx.load(BookingFlow))


@router.action("booking.skip_names", states=[PICK_NAMES])
async def skip_names(ctx: Context) -> None:
    """Goes on without names."""
    await _after_people(ctx, ctx.load(BookingFlow))


async def _after_people(ctx: Context, flow: BookingFlow) -> None:
    """Once who comes is known: the summary, or the times again when none is picked yet."""
    if flow.slot_id is None and not flow.wait and flow.session_id is not None:
        session = await _current_session(ctx, flow)
        if session is not None:
            await ask_slot(ctx, flow, session)
        return
    await ask_confirm(ctx, flow)


async def _has_child(ctx: Context, person_ids: list[int]) -> bool:
    today = local_today(ctx.now())
    return any(
        child(age_on(today, m.birth_year, m.birth_date))
        for m in await reservations.household(ctx.tx, ctx.actor.person_id)
        if m.person_id in person_ids
    )


async def ask_confirm(ctx: Context, flow: BookingFlow) -> None:
    if flow.service is None or flow.session_id is None:
        await ask_service(ctx, BookingFlow())
        return
    session = await reservations.session_info(ctx.tx, flow.session_id, ctx.now())
    slot = await reservations.slot_info(ctx.tx, flow.slot_id) if flow.slot_id else None
    if session is None or (slot is None and not flow.wait):
        await ask_session(ctx, flow, _("That time is no longer offered."))
        return
    if slot is not None and group_size(flow) > slot.free:
        await ask_slot(
            ctx,
            flow,
            session,
            _("That time has only {free} places left for your {count} people.").format(
                free=slot.free, count=group_size(flow)
            ),
        )
        return
    who = (
        _("{count} people from your household").format(count=len(flow.person_ids))
        if flow.person_ids
        else _("{count} people").format(count=flow.people)
    )
    if flow.guest_names and not flow.person_ids:
        who += ": " + ", ".join(flow.guest_names)
    when = texts.when(slot.starts_at, slot.ends_at) if slot else session_line(session)
    lines = [
        _("Join the waiting list?") if flow.wait else _("Please check your booking:"),
        f"• {texts.service_label(flow.service)}",
        f"• {when}",
        f"• {texts.where(session.point_name, session.address)}",
    ]
    if flow.rebook_id is None:
        lines.append(f"• {who}")
    if flow.person_ids and await _has_child(ctx, flow.person_ids):
        lines.append(_("Children of 6 to 13 come with a parent."))
    ctx.go(CONFIRM, flow)
    ctx.reply(
        "\n".join(lines),
        choices=[
            Choice(_("Confirm"), "booking.confirm", meaning=meaning.YES),
            *(
                [Choice(_("Add the names of who comes"), "booking.add_names")]
                if not flow.person_ids and flow.rebook_id is None
                else []
            ),
            Choice(_("Pick another time"), "booking.back"),
            Choice(_("Stop, book nothing"), "booking.abort", meaning=meaning.NO),
        ],
    )


@router.action("booking.confirm", states=[CONFIRM])
async def confirm(ctx: Context) -> None:
    """Books (or moves the booking, or joins the waiting list) and says what to bring."""
    flow = ctx.load(BookingFlow)
    if flow.service is None or flow.session_id is None:
        await ask_service(ctx, BookingFlow())
        return
    if flow.wait:
        await _join_waitlist(ctx, flow)
        return
    if flow.rebook_id is not None:
        result = await reservations.reschedule(
            ctx.tx,
            booking_id=flow.rebook_id,
            user_id=ctx.actor.user_id,
            household=await reservations.household_ids(ctx.tx, ctx.actor.person_id),
            slot_id=flow.slot_id or 0,
            now=ctx.now(),
        )
    else:
        result = await reservations.book(
            ctx.tx,
            user_id=ctx.actor.user_id,
            slot_id=flow.slot_id or 0,
            service=flow.service,
            now=ctx.now(),
            people=flow.people,
            person_ids=flow.person_ids,
            booker_person_id=ctx.actor.person_id,
            guest_names=flow.guest_names,
        )
    if isinstance(result, BookError):
        await _refused(ctx, flow, result)
        return
    ctx.end()
    await say_booked(ctx, result, moved=flow.rebook_id is not None)


async def _refused(ctx: Context, flow: BookingFlow, error: BookError) -> None:
    message = book_errors()[error]
    if error is BookError.FULL and flow.session_id is not None:
        session = await reservations.session_info(ctx.tx, flow.session_id, ctx.now())
        if session is not None:
            await ask_slot(ctx, flow, session, message)
            return
    if error is BookError.DUPLICATE and flow.person_ids and flow.service is not None:
        found = await reservations.holders(ctx.tx, flow.person_ids, flow.service, ctx.now())
        if found:
            ctx.go(JOIN_EXISTING, flow)
            await show_household_bookings(ctx, found, joinable=True)
            return
    if error in (BookError.DUPLICATE, BookError.NOT_YOURS, BookError.NOT_ACTIVE):
        ctx.end()
        ctx.reply(message, choices=[Choice(_("My bookings"), "booking.mine")])
        return
    await ask_session(ctx, flow, message)


async def _join_waitlist(ctx: Context, flow: BookingFlow) -> None:
    assert flow.service is not None and flow.session_id is not None
    result = await waitlist.join(
        ctx.tx,
        user_id=ctx.actor.user_id,
        session_id=flow.session_id,
        service=flow.service,
        people=flow.people,
        person_ids=flow.person_ids,
        now=ctx.now(),
    )
    if isinstance(result, BookError):
        await _refused(ctx, flow, result)
        return
    ctx.end()
    if result == 0:
        ctx.main_menu(_("A place has just freed up: I have sent it to you, take it in time."))
        return
    ctx.main_menu(
        _(
            "You are number {position} on the waiting list. When a place frees up I will "
            "send it to you, and you will have a few hours to take it."
        ).format(position=result)
    )


@router.action("booking.join", states=[JOIN_EXISTING])
async def join_existing(ctx: Context) -> None:
    """Adds the chosen people to a household booking that already holds one of them."""
    flow = ctx.load(BookingFlow)
    ctx.end()
    result = await reservations.join_booking(
        ctx.tx,
        booking_id=value_id(ctx) or 0,
        user_id=ctx.actor.user_id,
        household=await reservations.household_ids(ctx.tx, ctx.actor.person_id),
        person_ids=flow.person_ids,
        now=ctx.now(),
    )
    if isinstance(result, BookError):
        ctx.reply(book_errors()[result], choices=[Choice(_("My bookings"), "booking.mine")])
        return
    await say_booked(ctx, result)


@router.action("booking.abort", states=[*FLOW_STATES, CONFIRM_CANCEL, JOIN_EXISTING])
async def abort(ctx: Context) -> None:
    """Leaves the flow without changing anything."""
    ctx.end()
    ctx.main_menu(_("Nothing was changed. What else do you need?"))


@router.action("booking.reschedule")
async def reschedule(ctx: Context) -> None:
    """Starts moving one of the user's bookings: pick a new session and time."""
    booking = await own_booking(ctx)
    if booking is None:
        return
    flow = BookingFlow(
        service=Service(booking.service),
        rebook_id=booking.id,
        people=booking.people,
        people_set=True,
    )
    await ask_session(ctx, flow, _("Pick the new time for your booking."))


@router.action("booking.offer_slot")
async def offer_slot(ctx: Context) -> None:
    """Books a slot offered in a message: asks what for (if unclear) and who comes."""
    slot = await reservations.slot_info(ctx.tx, value_id(ctx) or 0)
    session = await reservations.session_info(ctx.tx, slot.session_id, ctx.now()) if slot else None
    if (
        slot is None
        or session is None
        or session.status != "open"
        or session.cutoff_at <= ctx.now()
        or slot.starts_at <= ctx.now()
        or not slot.free
    ):
        await ask_session(ctx, BookingFlow(), _("That time can no longer be booked."))
        return
    members = await reservations.household(ctx.tx, ctx.actor.person_id)
    flow = BookingFlow(
        session_id=session.id,
        slot_id=slot.id,
        service=reservations.suggested_service(members, ctx.actor.person_id),
    )
    if flow.service is None:
        await ask_service(ctx, flow)
    else:
        await ask_people(ctx, flow)
