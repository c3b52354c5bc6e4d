"""Inbox rows say which worker holds them, so a starting worker leaves a live one's rows alone.

Revision ID: 0017_inbox_worker
Revises: 0009_inbox
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_inbox_worker"
down_revision = "0009_inbox"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("worker", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("worker")
