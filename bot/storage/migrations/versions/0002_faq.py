"""FAQ: the questions it could not answer (no identity kept).

Revision ID: 0002_faq
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_faq"
down_revision = "0001_core"
branch_labels = ("faq",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "faq_unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("guess", sa.String(length=40), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faq_unanswered_asked", "faq_unanswered", ["asked_at"])


def downgrade() -> None:
    op.drop_index("ix_faq_unanswered_asked", table_name="faq_unanswered")
    op.drop_table("faq_unanswered")
