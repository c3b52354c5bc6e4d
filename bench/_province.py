"""A province of generated people, grown inside the database (INSERT ... SELECT), for benches.

`grow(tx, communes=100, people=2_000_000)` adds communes of 10 villages of households of four
until about `people` are on file (100 communes of 20,000 by default: Khánh Hòa's size since
the 2025 merger). One SQL per table, written for each engine (a recursive CTE on SQLite,
generate_series on PostgreSQL); statuses, cards and phones are drawn at random in SQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

PROVINCE = "Khánh Hòa"
VILLAGES_PER_COMMUNE = 10
PEOPLE_PER_HOUSEHOLD = 4

_SQLITE = (
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :communes)
    INSERT INTO communes (name, province, target_share)
    SELECT 'Xã Tỉnh ' || i, :province, 950 FROM n
    """,
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10)
    INSERT INTO villages (commune_id, name, is_island)
    SELECT c.id, 'Thôn ' || n.i, n.i % 4 = 0 FROM communes c, n
    WHERE c.province = :province
    """,
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :households)
    INSERT INTO households (village_id, code, address)
    SELECT v.id, printf('%05d', n.i), '' FROM villages v
    JOIN communes c ON c.id = v.commune_id AND c.province = :province, n
    """,
    """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4)
    INSERT INTO persons (household_id, village_id, full_name, birth_year, sex, phone,
                         has_id_card, has_eid_level2, status, note, updated_at)
    SELECT h.id, v.id, 'Người ' || h.id || '-' || n.i, 1935 + abs(random()) % 90,
           CASE n.i % 2 WHEN 0 THEN 'F' ELSE 'M' END,
           CASE WHEN abs(random()) % 10 < 6 THEN '09' || (10000000 + h.id * 4 + n.i) END,
           abs(random()) % 100 < 85, abs(random()) % 100 < 52,
           CASE abs(random()) % 100 WHEN 0 THEN 'exempt' WHEN 1 THEN 'moved'
                WHEN 2 THEN 'away' WHEN 3 THEN 'away' ELSE 'present' END,
           '', :now
    FROM households h
    JOIN villages v ON v.id = h.village_id
    JOIN communes c ON c.id = v.commune_id AND c.province = :province, n
    """,
)

_POSTGRESQL = (
    """
    INSERT INTO communes (name, province, target_share)
    SELECT 'Xã Tỉnh ' || i, :province, 950 FROM generate_series(1, :communes) AS i
    """,
    """
    INSERT INTO villages (commune_id, name, is_island)
    SELECT c.id, 'Thôn ' || n, n % 4 = 0 FROM communes c, generate_series(1, 10) AS n
    WHERE c.province = :province
    """,
    """
    INSERT INTO households (village_id, code, address)
    SELECT v.id, lpad(n::text, 5, '0'), '' FROM villages v
    JOIN communes c ON c.id = v.commune_id AND c.province = :province,
    generate_series(1, :households) AS n
    """,
    """
    INSERT INTO persons (household_id, village_id, full_name, birth_year, sex, phone,
                         has_id_card, has_eid_level2, status, note, updated_at)
    SELECT h.id, v.id, 'Người ' || h.id || '-' || n, 1935 + floor(random() * 90)::int,
           CASE n % 2 WHEN 0 THEN 'F' ELSE 'M' END,
           CASE WHEN random() < 0.6 THEN '09' || (10000000 + h.id * 4 + n) END,
           random() < 0.85, random() < 0.52,
           CASE floor(random() * 100)::int WHEN 0 THEN 'exempt' WHEN 1 THEN 'moved'
                WHEN 2 THEN 'away' WHEN 3 THEN 'away' ELSE 'present' END,
           '', :now
    FROM households h
    JOIN villages v ON v.id = h.village_id
    JOIN communes c ON c.id = v.commune_id AND c.province = :province,
    generate_series(1, 4) AS n
    """,
)


async def grow(
    tx: AsyncConnection, *, communes: int, households_per_village: int, now: datetime
) -> None:
    """Add `communes` communes of 10 villages of households of four generated people."""
    postgres = tx.dialect.name == "postgresql"
    params = {
        "communes": communes,
        "households": households_per_village,
        "province": PROVINCE,
        # SQLite compares the text SQLAlchemy stores; asyncpg wants the value itself.
        "now": now.replace(tzinfo=None) if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f"),
    }
    for sql in _POSTGRESQL if postgres else _SQLITE:
        await tx.execute(text(sql), params)
    await tx.execute(text("ANALYZE"))


def households_per_village(people: int, communes: int) -> int:
    return max(1, people // (communes * VILLAGES_PER_COMMUNE * PEOPLE_PER_HOUSEHOLD))
