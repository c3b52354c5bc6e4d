"""The outbox drained by several workers: who claimed a row, and a row's chat found fast.

Revision ID: 0016_outbox_workers
Revises: 0008_delivery
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_outbox_workers"
down_revision = "0008_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_by", sa.String(length=160), nullable=True))
    op.create_index("ix_outbox_chat", "outbox", ["channel", "chat_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_chat", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_by")
