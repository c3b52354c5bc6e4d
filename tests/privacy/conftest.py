"""Privacy fixtures: the small known commune of the roster tests, the booking tests' place."""

from __future__ import annotations

from tests.booking.conftest import Place, place  # noqa: F401
from tests.roster.conftest import Small, admin, head, lead, small  # noqa: F401
from tests.zalo.conftest import zalo  # noqa: F401

__all__ = ["Place", "Small"]
