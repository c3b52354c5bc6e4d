"""Channels: the only code that knows a platform (Telegram, Zalo, the console)."""
