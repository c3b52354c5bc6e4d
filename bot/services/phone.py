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
    digits = re.sub(r"\D", "", raw or "")
    if digits.startswith("84") and (raw.lstrip().startswith("+") or len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    elif digits and not digits.startswith("0"):
        digits = "0" + digits  # a number cell in Excel loses the leading zero
    if not 9 <= len(digits) <= 12:
        return None
    key = (digits[:_PREFIX_DIGITS], len(digits))
    kind = _KINDS.get(key)
    if kind is None:
        kind = _kind(digits)
        if len(_KINDS) < 100_000:
            _KINDS[key] = kind
    return (digits, kind == "mobile") if kind else None


# phonenumbers' patterns for Vietnam tell valid from not, mobile from landline, by at most
# the first four digits after the 0 and the length (e.g. mobile "9(?:[0-8]\d|9[013-9])\d{6}"),
# so its verdict is kept per (first 5 digits, length): parsing takes tens of microseconds
# and a roster has a phone on most of its 200,000 rows.
_PREFIX_DIGITS = 5
_KINDS: dict[tuple[str, int], str] = {}


def _kind(digits: str) -> str:
    """ "mobile", "landline", or "" (not a valid Vietnamese number)."""
    try:
        number = phonenumbers.parse(digits, "VN")
    except phonenumbers.NumberParseException:
        return ""
    if number.country_code != 84 or not phonenumbers.is_valid_number(number):
        return ""
    mobile = phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    return "mobile" if mobile else "landline"


def find_phone(text: str) -> str | None:
    """A Vietnamese mobile typed in a message: "số tui 0905.123.456", "+84 905 123 456"."""
    for found in phonenumbers.PhoneNumberMatcher(text or "", "VN", leniency=0):
        normalized = normalize_phone(found.raw_string)
        if normalized:
            return normalized
    return normalize_phone(text)
