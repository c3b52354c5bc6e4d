"""Typed answers: what an option means, the question a flow last asked, wrong tries per chat.

Revision ID: 0009_understand
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_understand"
down_revision = "0001_core"
branch_labels = ("understand",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("choices") as batch:
        batch.add_column(
            sa.Column("meaning", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("prompt", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "throttles",
        sa.Column("chat", sa.String(length=96), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("window_start", sa.DateTime(), nullable=False),
        sa.Column("blocked_until", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("chat", "purpose"),
    )


def downgrade() -> None:
    op.drop_table("throttles")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("prompt")
    with op.batch_alter_table("choices") as batch:
        batch.drop_column("meaning")
