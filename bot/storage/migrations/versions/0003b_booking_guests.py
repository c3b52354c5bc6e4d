"""Booking: the names typed for people not on the roster (a head-count booking).

Revision ID: 0003b_booking_guests
Revises: 0003_booking
"""

import sqlalchemy as sa
from alembic import op

revision = "0003b_booking_guests"
down_revision = "0003_booking"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "bookings",
        sa.Column("guest_names", sa.String(length=500), nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("bookings", "guest_names")
