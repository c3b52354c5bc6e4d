"""Roles: a team lead or admin granted without a place holds the only commune.

Grants and unused invites made before this rule (no village, no commune) had no scope and
let their holder do nothing; with exactly one commune on file they now cover it.

Revision ID: 0001b_roles_commune
Revises: 0001_core
"""

from alembic import op

revision = "0001b_roles_commune"
down_revision = "0001_core"
branch_labels = None
depends_on = None

_ONE_COMMUNE = "(SELECT count(*) FROM communes) = 1"
_UNSCOPED = "commune_id IS NULL AND village_id IS NULL AND role IN ('team_lead', 'admin')"


def upgrade() -> None:
    # A user who already holds the same role for that commune keeps that grant only.
    op.execute(
        f"""
        DELETE FROM roles WHERE {_UNSCOPED} AND {_ONE_COMMUNE} AND EXISTS (
            SELECT 1 FROM roles AS other
            WHERE other.user_id = roles.user_id AND other.role = roles.role
              AND other.village_id IS NULL
              AND other.commune_id = (SELECT min(id) FROM communes)
        )
        """
    )
    op.execute(
        f"UPDATE roles SET commune_id = (SELECT min(id) FROM communes) "
        f"WHERE {_UNSCOPED} AND {_ONE_COMMUNE}"
    )
    op.execute(
        f"UPDATE invites SET commune_id = (SELECT min(id) FROM communes) "
        f"WHERE {_UNSCOPED} AND used_at IS NULL AND {_ONE_COMMUNE}"
    )


def downgrade() -> None:
    """Nothing to undo: a scope filled in is what the grant always meant."""
