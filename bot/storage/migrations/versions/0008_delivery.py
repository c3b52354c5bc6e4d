"""The outbox sender's lease.

Revision ID: 0008_delivery
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_delivery"
down_revision = "0001_core"
branch_labels = ("delivery",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox_leases",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=160), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("outbox_leases")
