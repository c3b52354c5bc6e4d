"""Personal data guarded: who granted a role, revoked roles, audit events, forget requests,
chats joined by a link code.

Revision ID: 0015_privacy
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_privacy"
down_revision = "0001_core"
branch_labels = ("privacy",)
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("roles") as batch:
        batch.add_column(sa.Column("granted_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("chat_identities") as batch:
        batch.add_column(sa.Column("link_only", sa.Boolean(), nullable=False, server_default="0"))
    op.create_table(
        "role_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=True),
        sa.Column("commune_id", sa.Integer(), nullable=True),
        sa.Column("granted_at", sa.DateTime(), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_by", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False, server_default=""),
    )
    op.create_index("ix_role_history_user", "role_history", ["user_id"])
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("detail", sa.String(length=200), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_table(
        "forget_requests",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False, server_default="open"),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.Column("done_by", sa.Integer(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("forget_requests")
    op.drop_index("ix_audit_events_at", "audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_role_history_user", "role_history")
    op.drop_table("role_history")
    with op.batch_alter_table("chat_identities") as batch:
        batch.drop_column("link_only")
    with op.batch_alter_table("roles") as batch:
        batch.drop_column("granted_by")
