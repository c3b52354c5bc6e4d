"""End-to-end tests of the Telegram channel against the fake Bot API."""
