"""Booking tables, and when a person's ID card application was taken.

Revision ID: 0003_booking
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_booking"
down_revision = "0001_core"
branch_labels = ("booking",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collection_points",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("commune_id", sa.Integer(), sa.ForeignKey("communes.id"), nullable=False),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("villages.id"), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=200), server_default="", nullable=False),
        sa.Column("is_island", sa.Boolean(), server_default="0", nullable=False),
    )
    op.create_index("ux_points_name", "collection_points", ["commune_id", "name"], unique=True)
    op.create_table(
        "booking_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("point_id", sa.Integer(), sa.ForeignKey("collection_points.id"), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("machines", sa.Integer(), nullable=False),
        sa.Column("minutes_per_person", sa.Integer(), nullable=False),
        sa.Column("slot_minutes", sa.Integer(), nullable=False),
        sa.Column("is_mobile", sa.Boolean(), server_default="0", nullable=False),
        sa.Column("cutoff_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_sessions_start", "booking_sessions", ["status", "starts_at"])
    op.create_table(
        "booking_slots",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("booking_sessions.id"), nullable=False
        ),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), server_default="0", nullable=False),
    )
    op.create_index("ix_slots_session", "booking_slots", ["session_id", "starts_at"])
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("slot_id", sa.Integer(), sa.ForeignKey("booking_slots.id"), nullable=False),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("booking_sessions.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="confirmed", nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("checked_in_by", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
    )
    op.create_index("ix_bookings_user", "bookings", ["user_id", "status"])
    op.create_index("ix_bookings_session", "bookings", ["session_id", "status"])
    op.create_table(
        "booking_members",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("booking_id", sa.Integer(), sa.ForeignKey("bookings.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), server_default="1", nullable=False),
    )
    op.create_index("ix_members_booking", "booking_members", ["booking_id"])
    op.create_index(
        "ux_members_active",
        "booking_members",
        ["person_id", "service"],
        unique=True,
        sqlite_where=sa.text("active = 1"),
        postgresql_where=sa.text("active"),
    )
    op.create_table(
        "waitlist_entries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "session_id", sa.Integer(), sa.ForeignKey("booking_sessions.id"), nullable=False
        ),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("service", sa.String(length=16), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("person_ids", sa.String(length=200), server_default="", nullable=False),
        sa.Column("status", sa.String(length=10), server_default="waiting", nullable=False),
        sa.Column(
            "offered_slot_id", sa.Integer(), sa.ForeignKey("booking_slots.id"), nullable=True
        ),
        sa.Column("offer_expires_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_waitlist_session", "waitlist_entries", ["session_id", "status", "id"])
    op.create_index("ix_waitlist_offers", "waitlist_entries", ["status", "offer_expires_at"])
    op.create_table(
        "home_visits",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), sa.ForeignKey("persons.id"), nullable=True),
        sa.Column("person_name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.String(length=10), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=15), nullable=False),
        sa.Column("preferred_time", sa.String(length=100), server_default="", nullable=False),
        sa.Column("village_id", sa.Integer(), sa.ForeignKey("villages.id"), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="open", nullable=False),
        sa.Column(
            "round_session_id",
            sa.Integer(),
            sa.ForeignKey("booking_sessions.id"),
            nullable=True,
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_home_visits_village", "home_visits", ["village_id", "status"])
    # An application taken is not a card issued: has_id_card stays as it is until the card
    # is handed over; this records that the application is in.
    with op.batch_alter_table("persons") as batch_op:
        batch_op.add_column(sa.Column("id_card_applied_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("persons") as batch_op:
        batch_op.drop_column("id_card_applied_at")
    for table in (
        "home_visits",
        "waitlist_entries",
        "booking_members",
        "bookings",
        "booking_slots",
        "booking_sessions",
        "collection_points",
    ):
        op.drop_table(table)
