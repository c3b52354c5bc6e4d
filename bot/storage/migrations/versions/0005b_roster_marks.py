"""Roster: the personal ID number (số định danh cá nhân), who last marked a person and when,
and roster files waiting for their preview to be confirmed.

Revision ID: 0005b_roster_marks
Revises: 0005_roster
"""

import sqlalchemy as sa
from alembic import op

revision = "0005b_roster_marks"
down_revision = "0005_roster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("persons", sa.Column("id_number", sa.String(length=12), nullable=True))
    op.add_column("persons", sa.Column("marked_by", sa.Integer(), nullable=True))
    op.add_column("persons", sa.Column("marked_at", sa.DateTime(), nullable=True))
    op.create_index("ix_persons_id_number", "persons", ["id_number"], unique=True)
    op.create_table(
        "roster_uploads",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("user_id"),
    )


def downgrade() -> None:
    op.drop_table("roster_uploads")
    op.drop_index("ix_persons_id_number", table_name="persons")
    op.drop_column("persons", "marked_at")
    op.drop_column("persons", "marked_by")
    op.drop_column("persons", "id_number")
