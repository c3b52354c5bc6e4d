"""Link codes: one person on two chat apps.

Revision ID: 0007_zalo
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_zalo"
down_revision = "0001_core"
branch_labels = ("zalo",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "link_codes",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("used_by_identity", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["used_by_identity"], ["chat_identities.id"]),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_index("ix_link_codes_user", "link_codes", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_link_codes_user", table_name="link_codes")
    op.drop_table("link_codes")
