"""Privacy fixtures: the small known commune of the roster tests, and a group chat."""

from __future__ import annotations

from tests.roster.conftest import Small, admin, head, lead, small  # noqa: F401

__all__ = ["Small"]
