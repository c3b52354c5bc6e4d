"""Roster: the export log and a covering index on persons for counts and missing lists.

Revision ID: 0005_roster
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_roster"
down_revision = "0001_core"
branch_labels = ("roster",)
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_persons_progress",
        "persons",
        ["household_id", "status", "has_id_card", "has_eid_level2", "birth_year"],
    )
    op.create_table(
        "roster_exports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("village_ids", sa.JSON(), nullable=False),
        sa.Column("subset", sa.String(length=10), nullable=False),
        sa.Column("format", sa.String(length=5), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_roster_exports_created", "roster_exports", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_roster_exports_created", table_name="roster_exports")
    op.drop_table("roster_exports")
    op.drop_index("ix_persons_progress", table_name="persons")
