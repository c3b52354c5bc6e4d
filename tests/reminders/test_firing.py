"""Reminders falling due: sent once through the outbox, quiet hours, follow-ups, restarts."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert, update

from bot.app import App
from bot.core.clock import FixedClock
from bot.services import reminders
from bot.services.booking_events import booking_changed
from bot.services.reminders import Policy
from bot.storage.tables.booking import (
    booking_sessions,
    booking_slots,
    bookings,
    collection_points,
)
from tests.reminders.conftest import Roster, count_outbox, local, outbox_rows, reminder_rows

POLICY = Policy()


async def away(app: App, user_id: int, person_id: int | None, day: date) -> None:
    async with app.db.write() as tx:
        await reminders.set_away(
            tx,
            user_id=user_id,
            person_id=person_id,
            return_on=day,
            now=app.clock.now(),
            policy=POLICY,
        )


async def run(app: App) -> reminders.Fired:
    async with app.db.write() as tx:
        return await reminders.run_due(tx, app.clock.now(), POLICY)


async def book(app: App, user_id: int, starts: str, status: str = "confirmed") -> int:
    """A booking row as the booking service would store it, then its hook."""
    now = app.clock.now()
    start = local(starts)
    async with app.db.write() as tx:
        point = (
            await tx.execute(
                insert(collection_points).values(commune_id=1, name=f"Nhà văn hóa {starts}")
            )
        ).inserted_primary_key[0]
        session = (
            await tx.execute(
                insert(booking_sessions).values(
                    point_id=point,
                    day=start.date(),
                    starts_at=start,
                    ends_at=start + timedelta(hours=4),
                    machines=2,
                    minutes_per_person=10,
                    slot_minutes=30,
                    cutoff_at=start,
                    created_at=now,
                    updated_at=now,
                )
            )
        ).inserted_primary_key[0]
        slot = (
            await tx.execute(
                insert(booking_slots).values(
                    session_id=session,
                    starts_at=start,
                    ends_at=start + timedelta(minutes=30),
                    capacity=6,
                    taken=1,
                )
            )
        ).inserted_primary_key[0]
        booking = (
            await tx.execute(
                insert(bookings).values(
                    slot_id=slot,
                    session_id=session,
                    user_id=user_id,
                    service="both",
                    people=1,
                    status=status,
                    created_at=now,
                    updated_at=now,
                )
            )
        ).inserted_primary_key[0]
        await booking_changed(tx, booking, now)
    return booking


async def test_return_day_reminder_goes_out_once_at_seven(
    app: App, clock: FixedClock, roster: Roster, linked_chat
) -> None:
    chat = await linked_chat("ngu", roster.sailor)
    actor = await chat.actor()
    await away(app, actor.user_id, roster.sailor, date(2026, 12, 10))
    clock.set(local("2026-12-10 06:59"))
    assert (await run(app)).sent == []
    clock.set(local("2026-12-10 07:00"))
    fired = await run(app)
    assert len(fired.sent) == 1
    queued = await outbox_rows(app)
    assert [(row["key"], row["user_id"]) for row in queued] == [
        (f"rem:{fired.sent[0]}", actor.user_id)
    ]
    assert queued[0]["text"].startswith("Chào mừng bạn về bờ!")
    assert (await run(app)).sent == []
    assert await count_outbox(app) == 1


async def test_follow_ups_until_three_then_stop(
    app: App, clock: FixedClock, roster: Roster, linked_chat
) -> None:
    chat = await linked_chat("ngu", roster.sailor)
    actor = await chat.actor()
    await away(app, actor.user_id, roster.sailor, date(2026, 12, 10))
    for day in range(10, 20):
        clock.set(local(f"2026-12-{day} 07:30"))
        await run(app)
    texts = [row["text"] for row in await outbox_rows(app)]
    assert len(texts) == 3
    assert texts[1].startswith("Nhắc lại") and texts[2].startswith("Nhắc lại")
    rows = await reminder_rows(app, person_id=roster.sailor)
    assert [(r["status"], r["sent_at"]) for r in rows] == [
        ("sent", local("2026-12-10 07:30")),
        ("sent", local("2026-12-12 07:30")),
        ("sent", local("2026-12-15 07:30")),
    ]


async def test_a_booking_stops_the_follow_ups(
    app: App, clock: FixedClock, roster: Roster, linked_chat
) -> None:
    chat = await linked_chat("ngu", roster.sailor)
    actor = await chat.actor()
    await away(app, actor.user_id, roster.sailor, date(2026, 12, 10))
    clock.set(local("2026-12-10 07:00"))
    await run(app)
    clock.set(local("2026-12-11 09:00"))
    await book(app, actor.user_id, "2026-12-14 08:00")
    for day in range(11, 20):
        clock.set(local(f"2026-12-{day} 07:30"))
        await run(app)
    texts = [row["text"] for row in await outbox_rows(app)]
    assert not any(text.startswith("Nhắc lại") for text in texts)
    statuses = [r["status"] for r in await reminder_rows(app, person_id=roster.sailor)]
    assert statuses == ["sent", "cancelled", "cancelled"]


async def test_booking_reminders_evening_before_and_two_hours_before(
    app: App, clock: FixedClock, chat, roster: Roster
) -> None:
    actor = await chat.actor()
    booking = await book(app, actor.user_id, "2026-12-05 09:00")
    rows = await reminder_rows(app, booking_id=booking)
    assert [(r["kind"], r["due_at"]) for r in rows] == [
        ("booking_eve", local("2026-12-04 19:00")),
        ("booking_soon", local("2026-12-05 07:00")),
    ]
    clock.set(local("2026-12-04 19:00"))
    await run(app)
    clock.set(local("2026-12-05 07:00"))
    await run(app)
    texts = [row["text"] for row in await outbox_rows(app)]
    assert len(texts) == 2
    assert "ngày mai, thứ Bảy, 5 tháng 12 năm 2026, lúc 09:00" in texts[0]
    assert "hôm nay lúc 09:00" in texts[1]


async def test_a_cancelled_booking_cancels_its_reminders(
    app: App, clock: FixedClock, chat, roster: Roster
) -> None:
    actor = await chat.actor()
    booking = await book(app, actor.user_id, "2026-12-05 09:00")
    async with app.db.write() as tx:
        await tx.execute(
            update(bookings).where(bookings.c.id == booking).values(status="cancelled")
        )
        await booking_changed(tx, booking, clock.now())
    assert {r["status"] for r in await reminder_rows(app, booking_id=booking)} == {"cancelled"}
    clock.set(local("2026-12-05 08:00"))
    await run(app)
    assert await count_outbox(app) == 0


def test_quiet_hours_move_the_send_time() -> None:
    assert POLICY.out_of_quiet(local("2026-12-04 22:30")) == local("2026-12-05 05:00")
    assert POLICY.out_of_quiet(local("2026-12-05 03:10")) == local("2026-12-05 05:00")
    assert POLICY.out_of_quiet(local("2026-12-05 05:00")) == local("2026-12-05 05:00")
    assert POLICY.out_of_quiet(local("2026-12-05 20:59")) == local("2026-12-05 20:59")
    assert POLICY.is_quiet(local("2026-12-05 21:00"))


async def test_an_early_slot_reminder_waits_for_the_quiet_hours_to_end(
    app: App, chat, roster: Roster
) -> None:
    actor = await chat.actor()
    booking = await book(app, actor.user_id, "2026-12-05 06:30")
    soon = [r for r in await reminder_rows(app, booking_id=booking) if r["kind"] == "booking_soon"]
    assert soon[0]["due_at"] == local("2026-12-05 05:00")  # 04:30 is in the quiet hours


async def test_nothing_is_sent_in_quiet_hours_even_when_due(
    app: App, clock: FixedClock, chat
) -> None:
    actor = await chat.actor()
    clock.set(local("2026-12-10 18:00"))
    await away(app, actor.user_id, None, date(2026, 12, 10))  # due now: 18:00
    clock.set(local("2026-12-10 22:00"))  # the bot was down until the quiet hours
    fired = await run(app)
    assert fired.sent == [] and fired.deferred == 1
    assert await count_outbox(app) == 0
    clock.set(local("2026-12-11 05:00"))
    assert len((await run(app)).sent) == 1


async def test_restart_sends_what_fell_due_once_and_marks_too_late_missed(
    app: App, clock: FixedClock, chat, make_chat, settings, roster: Roster
) -> None:
    from bot.app import build_app

    actor = await chat.actor()
    fisher = await make_chat("fisher").actor()
    await away(app, fisher.user_id, None, date(2026, 12, 3))
    booking = await book(app, actor.user_id, "2026-12-03 17:00")  # eve 19:00, soon 15:00
    await app.close()
    clock.set(local("2026-12-03 16:00"))  # down from 2 Dec 08:00 to 3 Dec 16:00
    restarted = await build_app(settings, clock)
    try:
        fired = await run(restarted)
        rows = {r["kind"]: r for r in await reminder_rows(restarted)}
        assert rows["booking_eve"]["status"] == "missed"  # 21 hours late: beyond the grace
        assert rows["booking_soon"]["status"] == "sent"  # one hour late: within it
        assert rows["return_day"]["status"] == "sent"  # 9 hours late
        assert len(fired.sent) == 2 and len(fired.missed) == 1
        assert await run(restarted) == reminders.Fired()
        keys = [row["key"] for row in await outbox_rows(restarted)]
        assert sorted(keys) == sorted(f"rem:{i}" for i in fired.sent)
        assert rows["booking_soon"]["booking_id"] == booking
    finally:
        await restarted.close()


async def test_return_day_offers_the_next_open_slots(
    app: App, clock: FixedClock, roster: Roster, linked_chat
) -> None:
    from bot.storage import conversations

    chat = await linked_chat("ngu", roster.sailor)
    actor = await chat.actor()
    await away(app, actor.user_id, roster.sailor, date(2026, 12, 10))
    await book(app, actor.user_id, "2026-12-12 08:00", status="cancelled")  # a session, open
    clock.set(local("2026-12-10 07:00"))
    fired = await run(app)
    assert len(fired.sent) == 1
    queued = (await outbox_rows(app))[0]
    labels = [label for label, _key in queued["payload"]["choices"]]
    assert labels and "Nhà văn hóa 2026-12-12 08:00" in labels[0]
    async with app.db.read() as tx:
        stored = await conversations.find_choice(tx, queued["payload"]["choices"][0][1])
    assert stored is not None and stored.action == "booking.offer_slot"
