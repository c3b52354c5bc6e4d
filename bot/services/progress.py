"""Progress: counts and shares per status, per village and per commune, against the target.

The share measured against the commune's target is level 2 accounts among the counted
people (present or away, old enough: see bot.services.missing); moved and exempt people
("trường hợp khách quan") leave the denominator. The chart is a PNG drawn in memory with
matplotlib's Agg renderer, without pyplot, so it can run in a worker thread.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.i18n import gettext as _
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.services.missing import born_by
from bot.storage import roster_queries as store
from bot.storage.roster_queries import CountRow, VillageInfo

CHART_MAX_BARS = 24  # beyond this many villages, the chart shows one bar pair per commune


@dataclass
class Tally:
    """How many people, by status, and how far the counted ones are."""

    total: int = 0
    present: int = 0
    away: int = 0
    moved: int = 0
    exempt: int = 0
    too_young: int = 0
    counted: int = 0
    with_card: int = 0
    with_level2: int = 0

    def add(self, row: CountRow) -> None:
        self.total += row.people
        if row.status in ("present", "away", "moved", "exempt"):
            setattr(self, row.status, getattr(self, row.status) + row.people)
        if row.status not in store.COUNTED:
            return
        if not row.of_age:
            self.too_young += row.people
            return
        self.counted += row.people
        self.with_card += row.people if row.has_id_card else 0
        self.with_level2 += row.people if row.has_eid_level2 else 0

    def merge(self, other: Tally) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def card_share(self) -> float:
        return self.with_card / self.counted if self.counted else 0.0

    @property
    def level2_share(self) -> float:
        return self.with_level2 / self.counted if self.counted else 0.0


@dataclass
class VillageProgress:
    info: VillageInfo
    tally: Tally = field(default_factory=Tally)


@dataclass
class CommuneProgress:
    commune_id: int
    name: str
    target_share: float | None  # 0.95 for 95%
    villages: list[VillageProgress] = field(default_factory=list)
    tally: Tally = field(default_factory=Tally)

    @property
    def still_needed(self) -> int:
        """Level 2 accounts still needed to reach the target (0 when reached or no target)."""
        if self.target_share is None:
            return 0
        needed = math.ceil(self.target_share * self.tally.counted - 1e-9)
        return max(0, needed - self.tally.with_level2)


async def progress(tx: AsyncConnection, actor: Actor, today: date) -> list[CommuneProgress]:
    """Progress of every commune and village the actor covers (empty for plain residents)."""
    ids = await visible_villages(tx, actor)
    infos = await store.village_info(tx, ids)
    by_village = {info.village_id: VillageProgress(info) for info in infos}
    for row in await store.counts(tx, ids, born_by(today)):
        by_village[row.village_id].tally.add(row)
    communes: dict[int, CommuneProgress] = {}
    for village in by_village.values():
        info = village.info
        commune = communes.get(info.commune_id)
        if commune is None:
            target = info.target_share / 1000 if info.target_share is not None else None
            commune = communes[info.commune_id] = CommuneProgress(
                info.commune_id, info.commune, target
            )
        commune.villages.append(village)
        commune.tally.merge(village.tally)
    return list(communes.values())


def render_chart(communes: list[CommuneProgress]) -> bytes:
    """A PNG bar chart: card and level 2 shares per village (or per commune), and the target."""
    from matplotlib.figure import Figure

    bars = _bars(communes)
    names = [name for name, _tally in bars][::-1]
    cards = [100 * tally.card_share for _name, tally in bars][::-1]
    level2 = [100 * tally.level2_share for _name, tally in bars][::-1]
    height = 1.2 + 0.45 * len(bars)
    figure = Figure(figsize=(7, height), dpi=90)
    axes = figure.add_subplot()
    positions = range(len(names))
    axes.barh([y + 0.2 for y in positions], cards, 0.4, label=_("Chip ID card"), color="#4e79a7")
    axes.barh(
        [y - 0.2 for y in positions], level2, 0.4, label=_("Level 2 account"), color="#f28e2b"
    )
    targets = {c.target_share for c in communes if c.target_share is not None}
    if len(targets) == 1:
        axes.axvline(100 * targets.pop(), color="#e15759", linestyle="--", label=_("Target"))
    axes.set_yticks(list(positions), names)
    axes.set_xlim(0, 100)
    axes.set_xlabel("%")
    by_village = sum(len(c.villages) for c in communes) <= CHART_MAX_BARS
    axes.set_title(_("Progress by village") if by_village else _("Progress by commune"))
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(communes: list[CommuneProgress]) -> list[tuple[str, Tally]]:
    villages = [(v.info.name, v.tally) for c in communes for v in c.villages]
    if len(villages) <= CHART_MAX_BARS:
        return villages
    return [(c.name, c.tally) for c in communes][:CHART_MAX_BARS]
