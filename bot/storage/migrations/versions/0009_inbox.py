"""The durable inbox.

Revision ID: 0009_inbox
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_inbox"
down_revision = "0001_core"
branch_labels = ("inbox",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("update_key", sa.String(length=80), nullable=False),
        sa.Column("chat_key", sa.String(length=64), nullable=False),
        sa.Column("user_key", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("notice", sa.String(length=12), server_default="", nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.Column("handled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "update_key", name="uq_inbox_update"),
    )
    op.create_index("ix_inbox_open", "inbox", ["status", "id"])


def downgrade() -> None:
    op.drop_index("ix_inbox_open", table_name="inbox")
    op.drop_table("inbox")
