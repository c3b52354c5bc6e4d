"""Vietnamese phone numbers: normalising and masking."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"0[35789]\d{8}")


def normalize_phone(raw: str) -> str | None:
    """Return "0912345678" for "+84 912 345 678" or "0912.345.678"; None if not a VN mobile."""
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    elif len(digits) == 9 and digits[0] in "35789":
        digits = "0" + digits
    return digits if _MOBILE.fullmatch(digits) else None


def mask_phone(phone: str | None) -> str:
    """ "0912345678" → "091****678"; lists never show a whole number."""
    if not phone:
        return ""
    return phone[:3] + "*" * (len(phone) - 6) + phone[-3:] if len(phone) > 6 else "***"
