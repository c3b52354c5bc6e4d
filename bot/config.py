"""Settings read from TROLY06_* environment variables and an optional .env file."""

from __future__ import annotations

from datetime import time
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
TIMEZONE = "Asia/Ho_Chi_Minh"


class Settings(BaseSettings):
    """Every setting the bot reads; the README lists them with their defaults."""

    model_config = SettingsConfigDict(env_prefix="TROLY06_", env_file=".env", extra="ignore")

    db_url: str = "sqlite+aiosqlite:///./data/troly06.db"
    default_locale: str = "vi"
    max_text_length: int = 1000

    telegram_token: str = ""
    telegram_api_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    zalo_token: str = ""
    zalo_api_url: str = "https://bot-api.zaloplatforms.com"
    zalo_webhook_url: str = ""
    zalo_webhook_secret: str = ""
    zalo_poll_journal: str = ""  # polled answers until stored; default: beside the database

    public_url: str = ""
    web_listen: str = "127.0.0.1"
    web_port: int = 8080

    inbox_slots: int = 4  # messages handled at once (each from a different chat)
    flood_messages: int = 20  # more than this many from one user within flood_window_s...
    flood_window_s: float = 10.0  # ...gets one "slow down" answer; the rest are not handled

    outbox_rate_per_s: float = 25.0
    outbox_per_chat_interval_s: float = 1.0
    outbox_max_attempts: int = 5
    outbox_journal_dir: str = ""  # sent journals; default beside the SQLite file; "off": none
    outbox_journal_fsync: bool = False  # fsync each line: survives a machine crash, not just kill

    quiet_start: time = time(21, 0)
    quiet_end: time = time(5, 0)
    remind_at: time = time(7, 0)  # return-day reminders and the team leads' digest
    remind_followup_days: list[int] = [2, 5]
    booking_eve_at: time = time(19, 0)
    booking_before_h: float = 2.0
    reminder_grace_s: int = 12 * 3600  # later than this after its time: marked missed
    reminder_poll_s: int = 60
    scheduler_db_url: str = ""  # APScheduler job store; default: a file beside the database
    hotline: str = "1900 0368"
    roster_max_rows: int = 200_000  # data rows in one roster file (split bigger files)
    faq_file: str = ""  # another FAQ knowledge base; default locales/vi/faq.yaml
