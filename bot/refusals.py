"""The reply to input the domain refused (a ValidationError): what was wrong, in the user's language."""

from __future__ import annotations

from bot.handlers import Context
from domain.errors import ValidationError
from domain.money import Money, minor_units
from domain.validation import MAX_AMOUNT

_FIELD_NAMES = {
    "amount": "field_amount",
    "currency": "field_currency",
    "occurred_on": "field_date",
    "category": "field_category",
    "period": "field_period",
}
"""Domain field -> the reply key naming it for a user; any other field is "some information"."""


def refusal_text(exc: ValidationError, ctx: Context) -> str:
    """The reply telling the user what was wrong with their message, and what would work."""
    key, values = _refusal(exc, ctx)
    return ctx.render(key, **values)


def _refusal(exc: ValidationError, ctx: Context) -> tuple[str, dict[str, object]]:
    field, reason, parse = exc.field, exc.reason, ctx.parse
    # Limits are quoted in the currency the amount was given in: the message's, else the user's.
    currency = parse.currency or ctx.user.currency
    if field == "amount" and reason in ("not_positive", "too_large"):
        return "invalid_amount", {"max": Money(MAX_AMOUNT, currency)}
    if reason == "too_precise":
        return "invalid_decimals", {"currency": currency, "decimals": minor_units(currency)}
    if reason == "unknown_currency":
        return "invalid_currency", {}
    if field == "occurred_on" and reason == "future" and parse.date is not None:
        return "invalid_future_date", {"day": parse.date}
    if field == "occurred_on" and reason == "too_old":
        return "invalid_old_date", {}
    if field == "edit":
        return "invalid_nothing_changed", {}
    return "invalid_input", {"field": ctx.render(_FIELD_NAMES.get(field, "field_other"))}
