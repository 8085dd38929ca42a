"""Understanding chat messages about money in English, Spanish and Portuguese: text in, Parse out."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from nlu import holidays
from nlu.accounts import kind_of as account_kind
from nlu.accounts import kind_words as account_kind_words
from nlu.accounts import lexicon as _account_words
from nlu.accounts import named_in as accounts_named
from nlu.accounts import person_answer
from nlu.answers import weekday_alone
from nlu.country import country_of
from nlu.overlay import MerchantOverlay, TenantMerchant, merchant_overlay
from nlu.pipeline import parse_message
from nlu.pipeline import read_payee as _read_payee
from nlu.receipts import Receipt, read_receipt
from nlu.types import CATEGORIES, INTENTS, LANGUAGES, LOW_CONFIDENCE, DateRange, MoneyMention, Parse

__all__ = [
    "CATEGORIES",
    "INTENTS",
    "LANGUAGES",
    "LOW_CONFIDENCE",
    "WEEK_STARTS",
    "DateRange",
    "MerchantOverlay",
    "Merchants",
    "MoneyMention",
    "Parse",
    "Receipt",
    "TenantMerchant",
    "account_kind",
    "account_kind_words",
    "accounts_named",
    "answer_direction",
    "merchant_overlay",
    "parse",
    "person_answer",
    "read_payee",
    "read_receipt",
    "resolve_zone",
    "warm",
    "weekday_alone",
]

Merchants = MerchantOverlay | Iterable[TenantMerchant] | None
"""A tenant's own merchants: a list of TenantMerchant, or the overlay built from one (merchant_overlay)."""


def resolve_zone(tz: str | None, now: datetime | None) -> tzinfo:
    """The user's zone: the IANA name when given, else the zone of `now`, else UTC. Raises ValueError."""
    if tz:
        try:
            return ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
    if now is not None and now.tzinfo is not None:
        return now.tzinfo
    return UTC


def parse(
    text: str,
    *,
    now: datetime | None = None,
    lang: str | None = None,
    currency: str | None = None,
    tz: str | None = None,
    intent: str | None = None,
    merchants: Merchants = None,
    week_start: str | None = None,
    country: str | None = None,
) -> Parse:
    """Understand one message. `now` is when it arrived (default: the current time); `lang`, `currency` and
    `tz` are the user's stored language, default currency and IANA zone (hints, per NLU_CONTRACT.md).
    `intent` forces the intent when the user has said which one they meant (an answer to "X or Y?").
    `merchants` are the tenant's own, matched ahead of the shipped list: its name and category win.
    `week_start` ("monday", "sunday", "saturday"; default Monday, the ISO week) is the first day of the
    user's week: "this week" and "last week" follow it. `country` (ISO 3166 alpha-2) is the calendar
    holidays are read in; default: the country of `tz`, else of a one-country currency."""
    zone = resolve_zone(tz, now)
    if now is None:
        now = datetime.now(zone)
    elif now.tzinfo is None:
        # A naive moment is taken as local time in the user's zone.
        now = now.replace(tzinfo=zone)
    hint = lang if lang in LANGUAGES else None
    return parse_message(
        text,
        now=now,
        zone=zone,
        lang=hint,
        currency=currency.upper() if currency else None,
        intent=intent,
        overlay=merchant_overlay(merchants),
        week_start=WEEK_STARTS.get(week_start or "monday", 0),
        country=country_of(country, tz, currency),
    )


WEEK_STARTS: dict[str, int] = {"monday": 0, "sunday": 1, "saturday": 2}
"""The first day of a user's week -> days before Monday."""


def read_payee(
    text: str, lang: str, *, merchants: Merchants = None, intent: str = "add_expense"
) -> tuple[str | None, str | None]:
    """(merchant, category) named in a short answer ("mercado", "uber") or a bank statement's description;
    `intent` add_income reads an income's categories. The tenant's `merchants` are matched first."""
    return _read_payee(text, lang, overlay=merchant_overlay(merchants), intent=intent)


def answer_direction(text: str, lang: str) -> str | None:
    """ "out" or "in" when a short answer says which way a loan's money went ("I lent it", "me devolvió"),
    else None."""
    from nlu.normalize import fold

    words = fold(text).split()
    lex = _account_words(lang)
    for phrases, direction in ((lex.debt_in, "in"), (lex.debt_out, "out")):
        if any(tuple(words[i : i + len(p)]) == p for p in phrases for i in range(len(words))):
            return direction
    answers = lex.answers
    for direction in ("out", "in"):
        if any(word in answers[direction] for word in words):
            return direction
    return None


_WARM_UP = {
    "en": "spent 12.50 at starbucks yesterday, how much did I spend this week?",
    "es": "gasté 30 en uber ayer, ¿cuánto gasté la semana pasada?",
    "pt": "gastei R$ 45,90 no mercado ontem, quanto gastei este mês?",
}


def warm() -> None:
    """Load everything parse() loads lazily (the models, every language's tables and date grammar): a few
    seconds a process pays once at start-up rather than in its first messages, which would miss a webhook's
    deadline."""
    now = datetime.now(UTC)
    for lang, text in _WARM_UP.items():
        parse(text, now=now, lang=lang)
        parse(text, now=now)  # language detection's own tables
    holidays.warm()
