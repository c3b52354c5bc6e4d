"""A synthetic roster: six villages (five on islands), about 7,700 people, boats, statuses.

Names are made up from common Vietnamese family, middle and given names; phones are random
mobiles with prefixes in use; nobody under 6 has a level 2 account of their own.
The mix of statuses looks like a campaign half done: most have a chip ID card, about half
an activated level 2 account, some men at sea, a few objective (exempt) cases.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.tables.core import boats, communes, households, persons, villages

PROVINCE = "Khánh Hòa"
COMMUNE = "Vạn Thạnh"
# name, is_island, people, share of households with a boat: 7,725 people in all, as the
# press reported for the commune in 2023. Khải Lương is reached by boat across the bay.
VILLAGES = (
    ("Đầm Môn", False, 2410, 0.3),
    ("Khải Lương", True, 1705, 0.3),
    ("Điệp Sơn", True, 1290, 0.6),
    ("Hòn Ông", True, 610, 0.6),
    ("Bãi Giếng", True, 935, 0.6),
    ("Ninh Tịnh", True, 775, 0.6),
)
# Second digits of the Vietnamese mobile prefixes in use after 0 and the first digit:
# 032-039 (Viettel), 070, 076-079 (MobiFone), 081-088 (VinaPhone, iTel), 090-098 but 095
# (089 and 099 left out: the phonenumbers library knows only part of their ranges).
MOBILE_SECOND = {"3": "23456789", "7": "06789", "8": "12345678", "9": "01234678"}
# Level 2 for a child under 6 is done through a parent's account, not the child's own.
LEVEL2_MIN_AGE = 6
FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lương",
    "Mai",
    "Đoàn",
]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân", "Ngọc"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Kim", "Thu", "Mỹ", "Bích"]
GIVEN_M = [
    "Hùng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Hải",
    "Long",
    "Sơn",
    "Tâm",
    "Phúc",
    "Lộc",
    "Thắng",
    "Tài",
    "Hiếu",
    "Nghĩa",
    "Trung",
    "Bình",
]
GIVEN_F = [
    "Lan",
    "Hoa",
    "Hương",
    "Mai",
    "Linh",
    "Nga",
    "Thảo",
    "Trang",
    "Hạnh",
    "Yến",
    "Tuyết",
    "Loan",
    "Dung",
    "Hằng",
    "Nhung",
    "Vân",
]
EXEMPT_REASONS = ("dead", "abroad", "prison", "army", "other")


def _person(rng: random.Random, family: str, age: int, male: bool, today: date) -> dict[str, Any]:
    middle = rng.choice(MIDDLE_M if male else MIDDLE_F)
    given = rng.choice(GIVEN_M if male else GIVEN_F)
    year = today.year - age
    elderly_year_only = age >= 70 and rng.random() < 0.4
    birth = None if elderly_year_only else date(year, rng.randint(1, 12), rng.randint(1, 28))
    return {
        "full_name": f"{family} {middle} {given}",
        "birth_date": birth,
        "birth_year": year,
        "sex": "M" if male else "F",
    }


def _household(rng: random.Random, size: int, today: date) -> list[dict[str, Any]]:
    family = rng.choice(FAMILY)
    head_age = rng.randint(28, 75)
    members = [_person(rng, family, head_age, True, today)]
    if size > 1:
        members.append(
            _person(rng, rng.choice(FAMILY), head_age - rng.randint(0, 5), False, today)
        )
    for _ in range(size - len(members)):
        age = max(0, head_age - rng.randint(20, 35)) if head_age > 40 else rng.randint(0, 12)
        members.append(_person(rng, family, age, rng.random() < 0.5, today))
    return members


def _mobile(first: str, rest: int) -> str:
    """A number with a mobile prefix in use (the same draws as before, remapped)."""
    digits = str(rest)
    allowed = MOBILE_SECOND[first]
    second = digits[0] if digits[0] in allowed else allowed[int(digits[0]) % len(allowed)]
    return f"0{first}{second}{digits[1:]}"


def _status(rng: random.Random, person: dict[str, Any], today: date, boat_id: int | None) -> None:
    age = today.year - person["birth_year"]
    adult = age >= 14
    person["has_id_card"] = (adult and rng.random() < 0.86) or (not adult and rng.random() < 0.1)
    person["has_eid_level2"] = (
        person["has_id_card"] and rng.random() < 0.62 and age >= LEVEL2_MIN_AGE
    )
    person["phone"] = (
        _mobile(rng.choice("3789"), rng.randint(10_000_000, 99_999_999))
        if (18 <= age < 75 and rng.random() < 0.75)
        else None
    )
    person["boat_id"] = boat_id
    person["status"] = "present"
    person["away_until"] = None
    person["exempt_reason"] = None
    if boat_id is not None and rng.random() < 0.35:
        person["status"] = "away"
        person["away_until"] = today + timedelta(days=rng.randint(1, 25))
    elif rng.random() < 0.015:
        person["status"] = "exempt"
        person["exempt_reason"] = rng.choice(EXEMPT_REASONS)


async def seed_roster(tx: AsyncConnection, now: datetime, seed: int = 6) -> None:
    """Insert the demo commune; deterministic for a given seed."""
    rng = random.Random(seed)
    today = now.date()
    commune_id = (
        await tx.execute(
            insert(communes).values(name=COMMUNE, province=PROVINCE, target_share=950)
        )
    ).inserted_primary_key[0]
    phones: set[str] = set()
    for v_index, (name, is_island, people, boat_share) in enumerate(VILLAGES, start=1):
        village_id = (
            await tx.execute(
                insert(villages).values(commune_id=commune_id, name=name, is_island=is_island)
            )
        ).inserted_primary_key[0]
        rows: list[dict[str, Any]] = []
        h_index = 0
        while len(rows) < people:
            h_index += 1
            size = min(rng.choice((1, 2, 3, 4, 4, 5, 5, 6, 7)), people - len(rows))
            household_id = (
                await tx.execute(
                    insert(households).values(
                        village_id=village_id,
                        code=f"{v_index:02d}-{h_index:04d}",
                        address=f"{h_index} {name}",
                    )
                )
            ).inserted_primary_key[0]
            boat_id = None
            if rng.random() < boat_share:
                boat_id = (
                    await tx.execute(
                        insert(boats).values(
                            registration=f"KH-9{v_index}{h_index:03d}-TS", village_id=village_id
                        )
                    )
                ).inserted_primary_key[0]
            for i, person in enumerate(_household(rng, size, today)):
                crew = boat_id if i == 0 or (person["sex"] == "M" and i >= 2) else None
                age = today.year - person["birth_year"]
                _status(rng, person, today, crew if 16 <= age < 65 else None)
                if person["phone"] in phones:
                    person["phone"] = None
                phones.add(person["phone"] or "")
                rows.append({**person, "household_id": household_id, "updated_at": now})
        await tx.execute(insert(persons), rows)
