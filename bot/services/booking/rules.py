"""The booking vocabulary: services, statuses, limits and why a request was refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from bot.core.i18n import LOCAL_TZ

MAX_PEOPLE = 10  # one booking: a household of up to ten
OFFER_TTL = timedelta(hours=3)  # how long a freed place is held for the next on the waitlist
DEFAULT_SLOT_MINUTES = 30
MAX_SESSION_HOURS = 16
MAX_MACHINES = 50
MAX_MINUTES_PER_PERSON = 120


class Service(StrEnum):
    ID_CARD = "id_card"
    EID_LEVEL2 = "eid_level2"
    BOTH = "both"
    ACTIVATION_HELP = "activation_help"


# What a booking for each service occupies: "both" overlaps with either of its parts.
COVERS: dict[Service, tuple[str, ...]] = {
    Service.ID_CARD: ("id_card",),
    Service.EID_LEVEL2: ("eid_level2",),
    Service.BOTH: ("id_card", "eid_level2"),
    Service.ACTIVATION_HELP: ("activation_help",),
}


def overlaps(a: str, b: str) -> bool:
    """True if bookings for services `a` and `b` would book the same thing twice."""
    return bool(set(COVERS[Service(a)]) & set(COVERS[Service(b)]))


def overlapping(service: str) -> tuple[str, ...]:
    """Every service a booking for `service` would clash with."""
    return tuple(s.value for s in Service if overlaps(service, s))


class Outcome(StrEnum):
    """What was done at check-in."""

    ID_CARD = "id_card"  # ID card application taken (the card itself comes later)
    EID_LEVEL2 = "eid_level2"  # level 2 registered
    BOTH = "both"
    HELPED = "helped"  # advice or activation only
    NO_SHOW = "no_show"


class BookError(StrEnum):
    NOT_FOUND = "not_found"
    CANCELLED = "cancelled"  # the session was cancelled
    PAST = "past"  # the slot has started or is over
    CUTOFF = "cutoff"  # the session's booking cut-off has passed
    FULL = "full"
    DUPLICATE = "duplicate"  # someone already has an active booking for this service
    NOT_YOURS = "not_yours"
    NOT_ACTIVE = "not_active"  # cancelled or checked in already
    BAD_PEOPLE = "bad_people"  # count out of range, or someone not in the household
    SAME_SLOT = "same_slot"
    EXPIRED = "expired"  # a waitlist offer that ran out
    TOO_YOUNG = "too_young"  # a child under 6: nothing of this is done at a desk


class SessionError(StrEnum):
    NOT_FOUND = "not_found"
    NOT_ALLOWED = "not_allowed"
    PAST = "past"
    END_BEFORE_START = "end_before_start"
    TOO_LONG = "too_long"
    MACHINES = "machines"
    MINUTES = "minutes"
    NO_PLACES = "no_places"
    CUTOFF = "cutoff"
    NOT_OPEN = "not_open"
    OVERFULL = "overfull"  # fewer places than people already booked


def local_moment(day: date, at: time) -> datetime:
    """A local wall-clock time on `day`, as an aware UTC datetime."""
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


# Ages (facts §2.2 and §3.7): under 6 nothing is done in person (a parent asks for the card
# in VNeID; no level 2); from 6 to 13 the card and level 2 are on request, the child comes
# with a parent; from 14 the card is compulsory.
DESK_MIN_AGE = 6
ADULT_AGE = 14


def age_on(today: date, birth_year: int | None, birth_date: date | None = None) -> int | None:
    """Age in whole years on `today` (from the year alone when the date is unknown)."""
    if birth_date is not None:
        before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
        return today.year - birth_date.year - before_birthday
    return today.year - birth_year if birth_year is not None else None


def too_young(age: int | None) -> bool:
    """True for a child under 6: no service of the desk is for them."""
    return age is not None and age < DESK_MIN_AGE


def child(age: int | None) -> bool:
    """A child of 6 to 13: may be booked, comes with a parent."""
    return age is not None and DESK_MIN_AGE <= age < ADULT_AGE
