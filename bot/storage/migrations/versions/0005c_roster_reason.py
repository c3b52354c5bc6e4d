"""Roster: the reason typed for an exempt person whose reason is "other".

Revision ID: 0005c_roster_reason
Revises: 0005b_roster_marks
"""

import sqlalchemy as sa
from alembic import op

revision = "0005c_roster_reason"
down_revision = "0005b_roster_marks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("persons", sa.Column("exempt_detail", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("persons", "exempt_detail")
