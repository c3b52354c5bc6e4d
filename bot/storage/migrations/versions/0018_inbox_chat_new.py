"""An index of each chat's rows still new: a message's turn is checked without a scan.

Under the chat's lock the dispatcher asks whether an earlier row of the chat is still new;
without this index that read every new row of every chat (a backlog of 2,000 rows cost
PostgreSQL milliseconds per message).

Revision ID: 0018_inbox_chat_new
Revises: 0017_inbox_worker
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_inbox_chat_new"
down_revision = "0017_inbox_worker"
branch_labels = None
depends_on = None

NEW = sa.text("status = 'new'")


def upgrade() -> None:
    op.create_index(
        "ix_inbox_chat_new",
        "inbox",
        ["channel", "chat_key", "id"],
        postgresql_where=NEW,
        sqlite_where=NEW,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_chat_new", table_name="inbox")
