"""Fixtures for the inbox tests: the Zalo harness (fake Zalo, webhook, media)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from tests.zalo.harness import ZaloHarness, zalo_harness


@pytest.fixture
async def zalo(app: App) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app) as harness:
        yield harness
