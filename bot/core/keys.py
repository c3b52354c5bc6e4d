"""Opaque keys for stored choices: the core keys a reply's options, services key the options
of the messages they queue, all with this one function."""

from __future__ import annotations

import secrets


def new_choice_key() -> str:
    return secrets.token_urlsafe(6)
