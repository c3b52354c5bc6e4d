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

from bot.core.i18n import format_percent
from bot.core.i18n import gettext as _
from bot.services.access import visible_villages
from bot.services.identity import Actor
from bot.services.missing import born_by
from bot.storage import roster_queries as store
from bot.storage.roster_queries import VillageCount, VillageInfo

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

    @classmethod
    def of(cls, row: VillageCount) -> Tally:
        present = row.total - row.away - row.moved - row.exempt
        return cls(
            total=row.total,
            present=present,
            away=row.away,
            moved=row.moved,
            exempt=row.exempt,
            too_young=present + row.away - row.counted,
            counted=row.counted,
            with_card=row.with_card,
            with_level2=row.with_level2,
        )

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
        by_village[row.village_id].tally = Tally.of(row)
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

    bars = _bars(communes)[::-1]  # the first village on top
    height = 1.6 + 0.4 * len(bars)
    figure = Figure(figsize=(7, height), dpi=80)
    # Fixed margins: tight_layout would measure every label and double the drawing time.
    figure.subplots_adjust(left=0.24, right=0.95, top=1 - 0.8 / height, bottom=0.5 / height)
    axes = figure.add_subplot()
    positions = range(len(bars))
    for offset, label, color, shares in (
        (0.2, _("Chip ID card"), "#4e79a7", [t.card_share for _n, t in bars]),
        (-0.2, _("Level 2 account"), "#f28e2b", [t.level2_share for _n, t in bars]),
    ):
        drawn = axes.barh(
            [y + offset for y in positions],
            [100 * s for s in shares],
            0.4,
            label=label,
            color=color,
        )
        axes.bar_label(drawn, [format_percent(s) for s in shares], padding=2, fontsize=7)
    targets = {c.target_share for c in communes if c.target_share is not None}
    if len(targets) == 1:
        axes.axvline(100 * targets.pop(), color="#e15759", linestyle="--", label=_("Target"))
    axes.set_yticks(list(positions), [name for name, _tally in bars])
    axes.set_xlim(0, 105)
    axes.set_xlabel("%")
    by_village = sum(len(c.villages) for c in communes) <= CHART_MAX_BARS
    figure.suptitle(_("Progress by village") if by_village else _("Progress by commune"))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, frameon=False)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(communes: list[CommuneProgress]) -> list[tuple[str, Tally]]:
    villages = [(v.info.name, v.tally) for c in communes for v in c.villages]
    if len(villages) <= CHART_MAX_BARS:
        return villages
    return [(c.name, c.tally) for c in communes][:CHART_MAX_BARS]
