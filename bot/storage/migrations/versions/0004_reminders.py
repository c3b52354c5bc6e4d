"""Reminders table (the scheduler's source of truth) and return dates of unlinked users.

Revision ID: 0004_reminders
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_reminders"
down_revision = "0001_core"
branch_labels = ("reminders",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("booking_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), server_default="scheduled", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key"),
    )
    with op.batch_alter_table("reminders") as batch:
        batch.create_index("ix_reminders_due", ["status", "due_at"])
        batch.create_index("ix_reminders_person", ["person_id", "status"])
        batch.create_index("ix_reminders_user", ["user_id", "status"])
        batch.create_index("ix_reminders_booking", ["booking_id", "status"])
    op.create_table(
        "away_users",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("return_on", sa.Date(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("away_users")
    op.drop_table("reminders")
