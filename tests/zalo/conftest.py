"""Fixtures for the Zalo channel tests: the harness (fake Zalo + webhook + media) and a user."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App
from tests.zalo.harness import ZaloHarness, ZaloUser, zalo_harness


@pytest.fixture
async def zalo(app: App) -> AsyncIterator[ZaloHarness]:
    async with zalo_harness(app) as harness:
        yield harness


@pytest.fixture
def zalo_user(zalo: ZaloHarness) -> ZaloUser:
    return ZaloUser(zalo)
