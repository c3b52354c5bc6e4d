"""Vietnamese phone numbers: normalising and masking."""

from __future__ import annotations

import re

import phonenumbers

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


def parse_phone(raw: str) -> tuple[str, bool] | None:
    """A Vietnamese number, mobile or landline, as national digits, and whether it is mobile.

    "0258 3840 123" → ("02583840123", False); "+84 912 345 678" → ("0912345678", True);
    None when the phonenumbers library does not know it as a valid Vietnamese number.
    Only mobiles are used to link a chat by its shared contact.
    """
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    mobile = kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return "0" + phonenumbers.national_significant_number(number), mobile
