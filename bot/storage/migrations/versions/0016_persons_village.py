"""Persons carry their village: per-village lists and counts read one index range.

The village is a copy of the household's, kept by the database itself (a trigger on each
engine), so every writer (import, demo, tests, benches) gets it right without knowing. The
index behind it holds every column a count or a missing list reads: a commune's progress is
one index-only scan of its villages, not one probe per household.

Revision ID: 0016_persons_village
Revises: 0005c_roster_reason
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_persons_village"
down_revision = "0005c_roster_reason"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER tr_persons_village_insert AFTER INSERT ON persons
    WHEN NEW.village_id IS NULL
    BEGIN
        UPDATE persons SET village_id =
            (SELECT village_id FROM households WHERE id = NEW.household_id)
        WHERE id = NEW.id;
    END
    """,
    """
    CREATE TRIGGER tr_persons_village_update AFTER UPDATE OF household_id, village_id ON persons
    WHEN NEW.village_id IS NOT
        (SELECT village_id FROM households WHERE id = NEW.household_id)
    BEGIN
        UPDATE persons SET village_id =
            (SELECT village_id FROM households WHERE id = NEW.household_id)
        WHERE id = NEW.id;
    END
    """,
)

_POSTGRESQL_TRIGGERS = (
    """
    CREATE FUNCTION persons_village() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' OR NEW.village_id IS NULL THEN
            SELECT village_id INTO NEW.village_id FROM households WHERE id = NEW.household_id;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER tr_persons_village BEFORE INSERT OR UPDATE OF household_id, village_id
    ON persons FOR EACH ROW EXECUTE FUNCTION persons_village()
    """,
)


def upgrade() -> None:
    op.add_column("persons", sa.Column("village_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE persons SET village_id ="
        " (SELECT village_id FROM households WHERE households.id = persons.household_id)"
    )
    op.create_index(
        "ix_persons_village",
        "persons",
        ["village_id", "status", "has_id_card", "has_eid_level2", "birth_year", "household_id"],
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    for sql in _POSTGRESQL_TRIGGERS if postgres else _SQLITE_TRIGGERS:
        op.execute(sql)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER tr_persons_village ON persons")
        op.execute("DROP FUNCTION persons_village()")
    else:
        op.execute("DROP TRIGGER tr_persons_village_insert")
        op.execute("DROP TRIGGER tr_persons_village_update")
    op.drop_index("ix_persons_village", table_name="persons")
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("village_id")
