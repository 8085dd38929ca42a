"""Phone numbers as people write them in a chat, made international with the writer's own country."""

from __future__ import annotations

import re

import phonenumbers

# A run of digits with the separators people type; at least 8 digits so amounts and days never qualify.
_CANDIDATE = re.compile(r"\+?\(?\d[\d\s().-]{6,}\d")


def region_of(phone: str) -> str | None:
    """The country (ISO 3166 alpha-2) of an E.164 number, or None."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse(phone))
    except phonenumbers.NumberParseException:
        return None


def find_phone(text: str, home: str) -> str | None:
    """The first valid phone number in `text`, in E.164. A number without "+" is read in the country of
    `home` (the writer's own E.164 number): "11 91234-5678" from a Brazilian number is +5511912345678."""
    region = region_of(home)
    for match in _CANDIDATE.finditer(text):
        written = match.group().strip()
        if sum(c.isdigit() for c in written) < 8:
            continue
        try:
            number = phonenumbers.parse(written, None if written.startswith("+") else region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
