"""The outbox sender (runner.py), its per-channel lanes, outcome marker and lease."""

from bot.services.sender.outcomes import backoff
from bot.services.sender.runner import Sender

__all__ = ["Sender", "backoff"]
