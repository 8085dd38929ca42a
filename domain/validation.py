"""Input checks shared by the use cases; each failure raises ValidationError naming the offending field."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from functools import lru_cache
from typing import TypeVar
from zoneinfo import ZoneInfo, available_timezones

from babel import Locale, UnknownLocaleError
from babel.core import parse_locale

from domain.errors import ValidationError
from domain.model import (
    CATEGORIES,
    DEFAULT_THRESHOLDS,
    AccountKind,
    EnrolmentPolicy,
    Language,
    Recurrence,
    Source,
    TransactionKind,
)
from domain.money import Money, normalize_currency, to_decimal

MAX_AMOUNT = Decimal("1000000000000")
"""Largest amount accepted (10^12): keeps minor units well inside a 64-bit column, even with 3 decimals."""
EARLIEST_DAY = date(2000, 1, 1)
"""Days before this are typos, not history."""
MAX_DAYS_AHEAD = 1
"""A day ahead is allowed because a sender's clock and zone may be slightly off; more is a typo."""
MAX_NAME = 120
MAX_ACCOUNT_NAME = 60
MAX_MERCHANT = 120
MAX_NOTE = 500
MAX_SOURCE_REF = 200
MAX_LIST_LIMIT = 100
MAX_TOP_MERCHANTS = 50

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_E164 = re.compile(r"\+[1-9][0-9]{7,14}")
_PHONE_NOISE = re.compile(r"[\s\-.()]")
# Present on some systems' zone lists but they mean "whatever this machine uses", not a real zone.
_MACHINE_ZONES = frozenset({"localtime", "posixrules", "Factory"})

E = TypeVar("E", bound=Enum)


def enum_value(enum_type: type[E], value: object, field: str) -> E:
    """Coerce a stored string (or the enum itself) into `enum_type`."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value.strip().lower())
        except ValueError:
            pass
    allowed = ", ".join(str(member.value) for member in enum_type)
    raise ValidationError(field, f"{value!r} is not one of: {allowed}")


def transaction_kind(value: object) -> TransactionKind:
    return enum_value(TransactionKind, value, "kind")


def account_kind(value: object) -> AccountKind:
    return enum_value(AccountKind, value, "kind")


def source(value: object) -> Source:
    return enum_value(Source, value, "source")


def recurrence(value: object) -> Recurrence:
    return enum_value(Recurrence, value, "recurrence")


def policy(value: object) -> EnrolmentPolicy:
    return enum_value(EnrolmentPolicy, value, "policy")


def language(value: object) -> Language:
    return enum_value(Language, value, "language")


def currency(value: object, field: str = "currency") -> str:
    return normalize_currency(value, field)


def slug(value: object) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not _SLUG.fullmatch(text):
        raise ValidationError(
            "slug", "use 2 to 40 lowercase letters, digits or hyphens, starting with a letter or digit"
        )
    return text


def required_text(value: object, field: str, max_len: int) -> str:
    text = optional_text(value, field, max_len)
    if text is None:
        raise ValidationError(field, "must not be empty")
    return text


def optional_text(value: object, field: str, max_len: int) -> str | None:
    """Stripped text, None when empty; refuses non-strings and text longer than `max_len`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(field, "must be text")
    text = value.strip()
    if len(text) > max_len:
        raise ValidationError(field, f"must be at most {max_len} characters")
    return text or None


def phone(value: object) -> str:
    """E.164 after removing the spaces, dashes, dots and parentheses people type."""
    text = _PHONE_NOISE.sub("", value) if isinstance(value, str) else ""
    if not _E164.fullmatch(text):
        raise ValidationError("phone", "use international format: + then 8 to 15 digits, e.g. +5511987654321")
    return text


def locale(value: object) -> str:
    """Canonical Babel identifier (pt_BR); accepts the BCP 47 dash form (pt-BR) too."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError("locale", "a locale such as pt_BR is required")
    ident = value.strip().replace("-", "_")
    try:
        lang, territory, _script, _variant = parse_locale(ident)[:4]
        parsed = Locale.parse(ident)
    except (ValueError, TypeError, UnknownLocaleError):
        raise ValidationError("locale", f"unknown locale {value!r}") from None
    # Babel quietly falls back (en_ZZ -> en_US); storing something other than what was asked would surprise.
    if parsed.language != lang.lower() or (territory and parsed.territory != territory.upper()):
        raise ValidationError("locale", f"unknown locale {value!r}")
    return str(parsed)


def language_for_locale(locale_id: str) -> Language:
    """The locale's language when Centavo speaks it, English otherwise."""
    lang = Locale.parse(locale_id).language
    return Language(lang) if lang in {member.value for member in Language} else Language.EN


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones()) - _MACHINE_ZONES


def timezone(value: object) -> str:
    """An IANA zone name such as America/Sao_Paulo."""
    if not isinstance(value, str) or value.strip() not in _zones():
        raise ValidationError(
            "timezone", f"unknown time zone {value!r}; use an IANA name like America/Sao_Paulo"
        )
    name = value.strip()
    ZoneInfo(name)  # Listed zones load; this only guards against a broken tz database.
    return name


def positive_money(value: object, currency_code: str, field: str = "amount") -> Money:
    """A strictly positive amount with no more decimals than the currency has."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValidationError(field, "an amount is required", reason="required")
    number = to_decimal(value, field)
    if number <= 0:
        raise ValidationError(field, "must be greater than zero", reason="not_positive")
    return bounded_money(number, currency_code, field)


def bounded_money(value: object, currency_code: str, field: str = "amount") -> Money:
    """Any amount (zero and negative allowed) within MAX_AMOUNT and the currency's precision."""
    number = to_decimal(value, field)
    if abs(number) > MAX_AMOUNT:
        raise ValidationError(field, f"must not exceed {MAX_AMOUNT:,}", reason="too_large")
    return Money.of(number, currency_code, field)


def category(value: object) -> str | None:
    """A canonical category key, or None for uncategorised."""
    if value is None:
        return None
    if isinstance(value, str):
        key = value.strip().lower()
        if not key:
            return None
        if key in CATEGORIES:
            return key
    raise ValidationError("category", f"{value!r} is not a known category")


def occurred_on(value: object, today: date) -> date:
    """A local day between 2000-01-01 and tomorrow (relative to the user's today)."""
    if isinstance(value, datetime) or not isinstance(value, date):
        # A datetime's day depends on a zone we would have to guess; callers pass the local day.
        raise ValidationError("occurred_on", "must be a calendar date")
    if value < EARLIEST_DAY:
        raise ValidationError(
            "occurred_on", f"must not be before {EARLIEST_DAY.isoformat()}", reason="too_old"
        )
    if value > today + timedelta(days=MAX_DAYS_AHEAD):
        raise ValidationError("occurred_on", "must not be in the future", reason="future")
    return value


def thresholds(value: Iterable[object] | None) -> tuple[int, ...]:
    """Alert thresholds in percent, each 1..500, sorted and de-duplicated; None gives the defaults."""
    if value is None:
        return DEFAULT_THRESHOLDS
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError("thresholds", "must be a list of whole percentages")
    result: set[int] = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 1 <= item <= 500:
            raise ValidationError("thresholds", f"{item!r} is not a whole percentage between 1 and 500")
        result.add(item)
    return tuple(sorted(result))


def bounded_int(value: object, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(field, f"must be a whole number from {low} to {high}")
    return value
