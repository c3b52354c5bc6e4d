"""Roster import: the communes an admin may import rows for, and the rows outside them."""

from __future__ import annotations

from bot.core.i18n import gettext as _
from bot.services.identity import Actor
from bot.services.roster_import.model import Rejected, RosterRow
from bot.storage import roster as store

Placed = list[tuple[int, RosterRow]]  # each row with its village id


def import_communes(actor: Actor) -> frozenset[int] | None:
    """The communes the actor may import rows for; None for the whole province."""
    return actor.admin_communes() if actor.is_admin else frozenset()


def outside(
    placed: Placed, villages: list[store.PlaceRow], communes: frozenset[int]
) -> tuple[Placed, list[Rejected]]:
    """The rows in `communes`, and the rows refused as outside them (with their place).

    A village not among `villages` (created by this import) is outside: only the command
    line creates places, and it has no scope.
    """
    where = {v.village_id: v for v in villages}
    kept: Placed = []
    refused: list[Rejected] = []
    for village_id, row in placed:
        place = where.get(village_id)
        if place is not None and place.commune_id in communes:
            kept.append((village_id, row))
            continue
        refused.append(
            Rejected(
                row.line,
                _(
                    "village {village} is in commune {commune}, outside the commune you manage"
                ).format(
                    village=place.village if place else row.village,
                    commune=place.commune if place else row.commune,
                ),
            )
        )
    return kept, refused
