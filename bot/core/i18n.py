"""Language: gettext catalogs under locales/, the current locale per message, Babel formatting.

Each area of the bot keeps its own catalog domain (locales/<lang>/LC_MESSAGES/<area>.po),
so flows can be translated independently; at start all compiled domains of a language are
merged into one table. The locale of the message being handled lives in a ContextVar.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import LazyProxy, NullTranslations, Translations

from bot.config import ROOT, TIMEZONE

LOCALES_DIR = ROOT / "locales"
SUPPORTED = ("vi", "en")
DEFAULT = "vi"
BABEL_LOCALES = {"vi": "vi_VN", "en": "en_GB"}
LOCAL_TZ = ZoneInfo(TIMEZONE)

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT)


class CatalogNotCompiled(RuntimeError):
    """A .po catalog has no .mo beside it, or an older one: run `troly06 i18n compile`."""


def _check_compiled(po: Path) -> None:
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        raise CatalogNotCompiled(f"{po} is not compiled; run: troly06 i18n compile")


@cache
def translations(lang: str) -> NullTranslations:
    """All compiled domains of one language, merged; raises if a catalog is not compiled."""
    folder = LOCALES_DIR / lang / "LC_MESSAGES"
    merged: NullTranslations | None = None
    for po in sorted(folder.glob("*.po")):
        _check_compiled(po)
        with po.with_suffix(".mo").open("rb") as fp:
            catalog = Translations(fp, domain=po.stem)
        merged = catalog if merged is None else merged.merge(catalog)
    return merged or NullTranslations()


def normalize_locale(code: str | None) -> str:
    """Map a platform language code ("en-US", "vi") to a supported locale, else the default."""
    short = (code or "").split("-")[0].split("_")[0].lower()
    return short if short in SUPPORTED else DEFAULT


def current_locale() -> str:
    return _current.get()


@contextlib.contextmanager
def use_locale(lang: str) -> Iterator[None]:
    """Translate everything inside the block into `lang`."""
    token = _current.set(normalize_locale(lang))
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    return translations(_current.get()).ugettext(message)


def lazy_gettext(message: str) -> LazyProxy:
    """A string translated when it is used, for labels built at import time."""
    return LazyProxy(gettext, message, enable_cache=False)


_ = gettext


def _babel_locale() -> str:
    return BABEL_LOCALES[_current.get()]


def to_local(moment: datetime) -> datetime:
    """A stored UTC time as Asia/Ho_Chi_Minh local time."""
    return moment.astimezone(LOCAL_TZ)


def format_date(day: date, fmt: str = "full") -> str:
    """ "thứ Tư, 12 tháng 7, 2027" in Vietnamese; `fmt` is a Babel format name or pattern."""
    return babel_dates.format_date(day, format=fmt, locale=_babel_locale())


def format_datetime(moment: datetime, fmt: str = "medium") -> str:
    """A UTC time shown in local time."""
    return babel_dates.format_datetime(moment, format=fmt, tzinfo=LOCAL_TZ, locale=_babel_locale())


def format_time(moment: datetime, fmt: str = "HH:mm") -> str:
    return babel_dates.format_time(moment, format=fmt, tzinfo=LOCAL_TZ, locale=_babel_locale())


def format_number(value: int | float | Decimal) -> str:
    return babel_numbers.format_decimal(value, locale=_babel_locale())


def format_percent(share: float, digits: int = 1) -> str:
    """0.566 → "56,6%" in Vietnamese."""
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return babel_numbers.format_percent(share, format=pattern, locale=_babel_locale())
