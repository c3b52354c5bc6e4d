"""The outbox sender: exactly once, under the limits, across restarts."""
