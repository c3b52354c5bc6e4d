"""bench scale's ceiling: what two cores could carry at a round's CPU per update."""

from __future__ import annotations

import pytest

from bench.scale import _two_cores_at_best


def test_the_ceiling_is_two_cores_over_the_whole_cpu_per_update() -> None:
    # 5 + 2 + 1 ms of CPU per update, workers, PostgreSQL and the fake: 2,000 ms a second / 8 ms
    round_detail = {"cpu_ms_per_update": {"workers": 5.0, "postgresql": 2.0, "fake": 1.0}}
    assert _two_cores_at_best(round_detail) == pytest.approx(250.0)
