"""Roster import: which stored person a row stands for, and whether it changes anything."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.core.text import fold
from bot.storage import roster as store

PersonKey = tuple[int, str, str, int | None]  # village id, household code, folded name, year


class Matcher:
    """Finds the stored person a row stands for (see the module docstring)."""

    def __init__(self, stored: list[store.StoredPerson]) -> None:
        self.by_name: dict[tuple[int, str, str], list[store.StoredPerson]] = {}
        self.by_id: dict[str, store.StoredPerson] = {}
        seen: set[int] = set()
        for p in stored:
            if p.person_id in seen:
                continue
            seen.add(p.person_id)
            key = (p.village_id, p.household_code.upper(), fold(p.full_name))
            self.by_name.setdefault(key, []).append(p)
            if p.id_number:
                self.by_id[p.id_number] = p

    def find(self, key: PersonKey, id_number: str | None = None) -> store.StoredPerson | None:
        """The stored person: by ID number when the row has one (then a stored person with
        another ID number is someone else), else by household, name and birth year."""
        candidates: Sequence[store.StoredPerson] = self.by_name.get(key[:3], ())
        if id_number:
            if id_number in self.by_id:
                return self.by_id[id_number]
            candidates = [p for p in candidates if not p.id_number]
        for person in candidates:
            if person.birth_year == key[3]:
                return person
        if len(candidates) == 1 and (key[3] is None or candidates[0].birth_year is None):
            return candidates[0]
        return None


def unchanged(stored: store.StoredPerson, new: dict[str, Any]) -> bool:
    """True when updating `stored` with `new` would change nothing (see store.update_people)."""
    return (
        stored.household_id == new["household_id"]
        and stored.full_name == new["full_name"]
        and new["birth_date"] in (None, stored.birth_date)
        and new["birth_year"] in (None, stored.birth_year)
        and new["sex"] in (None, stored.sex)
        and new["phone"] in (None, stored.phone)
        and new["boat_id"] in (None, stored.boat_id)
        and (stored.has_id_card or not new["has_id_card"])
        and (stored.has_eid_level2 or not new["has_eid_level2"])
        and new["note"] in ("", stored.note)
        and new["id_number"] in (None, stored.id_number)
    )
