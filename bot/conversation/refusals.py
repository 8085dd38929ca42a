"""The reply to input the domain refused (a ValidationError): what was wrong, in the user's language."""

from __future__ import annotations

from bot.conversation.context import Context
from bot.conversation.reply import Phrase, Reply
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


def refusal(exc: ValidationError, ctx: Context) -> Reply:
    """What was wrong with the message and what would work; nothing was written."""
    field, reason, parse = exc.field, exc.reason, ctx.parse
    # Limits are quoted in the currency the amount was given in: the message's, else the user's.
    currency = (parse.currency if parse else None) or ctx.user.currency
    if field == "amount" and reason in ("not_positive", "too_large"):
        return Reply.say("invalid_amount", max=Money(MAX_AMOUNT, currency))
    if reason == "too_precise":
        return Reply.say("invalid_decimals", currency=currency, decimals=minor_units(currency))
    if reason == "unknown_currency":
        return Reply.say("invalid_currency")
    if field == "occurred_on" and reason == "future" and parse is not None and parse.date is not None:
        return Reply.say("invalid_future_date", day=parse.date)
    if field == "occurred_on" and reason == "too_old":
        return Reply.say("invalid_old_date")
    if field == "edit":
        return Reply.say("invalid_nothing_changed")
    return Reply.say("invalid_input", field=Phrase(_FIELD_NAMES.get(field, "field_other")))
