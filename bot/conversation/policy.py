"""The write policy: when a reading is sure enough to write, which amounts are refused, several items."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import nlu
from bot.conversation.context import Context
from bot.conversation.control import INTENT_LABELS
from domain.money import Money
from nlu.normalize import normalize

WRITE_CONFIDENCE = 0.7
"""A write read with a confidence under this is confirmed (yes / no) before anything is written. Tuned on the
test tables with `python bench/write_policy.py`: of 352 right expense, income and budget readings, 45 (12.8%)
ask first; of 6 wrong ones, 1 (read at 0.90) gets through. At 0.6 only 5.4% ask but 3 wrong ones get through;
the rule above all is never to write a guess, and every write says what it wrote, so one "yes" is cheaper."""
BILL_OR_BUDGET = 0.2
"""A budget and a recurring payment both read this likely (with the first unsure): the user is asked which."""
CLARIFY_MARGIN = 0.15
"""Two readings whose scores are this close, with the first unsure, are offered as a choice."""

WRITE_INTENTS = frozenset(
    {
        "add_expense",
        "add_income",
        "set_budget",
        "transfer",
        "debt",
        "add_recurring",
        "set_goal",
        "goal_contribution",
        "goal_withdrawal",
    }
)
RECORD_INTENTS = frozenset({"add_expense", "add_income"})
CONFIRM_WHEN_UNSURE = WRITE_INTENTS | {"change_setting", "household_invite"}
"""Intents that change something and so ask yes / no first when the reading was unsure."""
QUESTION_INTENTS = frozenset(
    {
        "balance",
        "spending_summary",
        "list_transactions",
        "budget_status",
        "help",
        "greeting",
        "search",
        "income_summary",
        "overview",
        "list_categories",
        "convert_currency",
        "list_recurring",
        "goal_status",
        "chart",
    }
)
"""Intents answered in the middle of a form without dropping it (a digression)."""
SHORT_ANSWER_INTENTS = frozenset({"unknown", "affirm", "deny", "add_expense"})
"""How a short answer to "what was it for?" is often read ("mercado" -> unknown, "uber" -> expense)."""

DEFAULT_LIMIT = Decimal(1_000_000)
"""Largest amount one chat message records, in the currency's major unit; more reads as a typo."""
LIMITS: dict[str, Decimal] = {
    # Currencies whose unit is worth much less than a dollar get a proportionally higher ceiling.
    "ARS": Decimal(10**9),
    "CLP": Decimal(10**9),
    "COP": Decimal(4 * 10**9),
    "PYG": Decimal(10**10),
    "VES": Decimal(10**8),
    "JPY": Decimal(2 * 10**8),
    "KRW": Decimal(2 * 10**9),
    "IDR": Decimal(2 * 10**10),
    "VND": Decimal(3 * 10**10),
    "HUF": Decimal(5 * 10**8),
    "INR": Decimal(10**8),
    "MXN": Decimal(2 * 10**7),
    "UYU": Decimal(5 * 10**7),
    "DOP": Decimal(6 * 10**7),
    "CRC": Decimal(6 * 10**8),
}

# A minus glued to a number, or to a currency sign before one: "-5", "R$ -5", "$-25", "−20".
_NEGATIVE = re.compile(r"(?:^|[\s(:])[-−](?:[A-Z]{3}\s?|[A-Z]?\$\s?|[€£]\s?)?\d|(?:\$|€|£|R\$)\s?[-−]\d")
# A zero amount standing alone: "0", "0.00", "R$ 0,00" (not inside 105, 0800, 7.0 or 0%).
_ZERO = re.compile(r"(?<![\d.,])0+(?:[.,]0+)?(?![\d.,]*\d)(?!\s*%)")
# A long run of digits the NLU leaves out as an id or a phone number: as an amount it is absurd.
_LONG_NUMBER = re.compile(r"(?<![\d.,])\d[\d.,]{6,}\d(?![\d.,]*\d)")
# Between items: a comma that is not a decimal comma ("11,99"), a semicolon, a line, "+", "and" / "e" / "y".
_ITEM_SEPARATORS = re.compile(
    r"\s*(?:,(?!\d)|(?<!\d),|[;\n+]|\s(?:and|e|y|plus|mais|más)\s)\s*", re.IGNORECASE
)


def limit(currency: str) -> Decimal:
    return LIMITS.get(currency.upper(), DEFAULT_LIMIT)


def limit_money(currency: str) -> Money:
    return Money(limit(currency), currency)


def unsure(parse: nlu.Parse) -> bool:
    return parse.confidence < WRITE_CONFIDENCE


def refused_amount(ctx: Context) -> tuple[str, Money] | None:
    """(reason, amount as written) when the message names an amount no one records: zero, negative, or over
    the currency's limit; None when its amounts are fine."""
    text, parse = ctx.message.text, ctx.understood
    currency = parse.currency or ctx.user.currency
    if _NEGATIVE.search(text):
        number = parse.amount if parse.amount is not None else Decimal(0)
        return "negative", Money(-number, currency)
    if parse.amount is None and _ZERO.search(text):
        return "zero", Money(Decimal(0), currency)
    if parse.amount is not None and parse.amount > limit(currency):
        return "too_large", Money(parse.amount, currency)
    if parse.amount is None and (long := _LONG_NUMBER.search(text)):
        digits = Decimal(re.sub(r"\D", "", long.group()))
        if digits > limit(currency):
            return "too_large", Money(digits, currency)
    return None


def several_amounts(parse: nlu.Parse) -> bool:
    return len(parse.mentions) > 1


@dataclass(frozen=True, slots=True)
class Item:
    """One of several expenses (or incomes) in one message, read from its own part of the text."""

    amount: Decimal
    currency: str | None
    merchant: str | None
    category: str | None
    note: str | None = None
    """The item's own words ("lunch"), kept as the transaction's note."""


def split_items(ctx: Context) -> list[Item] | None:
    """The message as several items, each read from its own part of the text: parts separated by a comma,
    a line or "and"/"e"/"y" ("uber 18, lunch 11.99, coffee 4.25 at dunkin"), else parts ending at each
    amount ("uber 18 almoço 32 e café 6"). None when no split gives one amount per part."""
    parse = ctx.understood
    if not several_amounts(parse):
        return None
    text = normalize(ctx.message.text).text
    separated = [p for p in _ITEM_SEPARATORS.split(text) if p.strip()]
    ends = [m.end for m in parse.mentions[:-1]]
    at_amounts = [text[a:b] for a, b in zip([0, *ends], [*ends, len(text)], strict=True)]
    for parts in (separated, at_amounts):
        items = _read_items(ctx, parts)
        if items is not None and len(items) == len(parse.mentions):
            return items
    return None


def _read_items(ctx: Context, parts: list[str]) -> list[Item] | None:
    parse = ctx.understood
    items: list[Item] = []
    for part in parts:
        part = _ITEM_SEPARATORS.sub(" ", part).strip()
        if not part:
            continue
        reading = ctx.read(part, parse.intent, lang=parse.lang)
        if not reading.mentions:
            if not items:
                return None
            continue  # words with no amount ("yesterday") belong to the item before them
        if len(reading.mentions) > 1 or reading.amount is None:
            return None
        items.append(Item(reading.amount, reading.currency, reading.merchant, reading.category, reading.note))
    return items


def choices(parse: nlu.Parse) -> tuple[str, str] | None:
    """The two readings to offer ("an expense or income?") when the best is unsure and the next is close."""
    if not parse.alternatives or not unsure(parse):
        return None
    second, score = parse.alternatives[0]
    labels = INTENT_LABELS.get(parse.lang, INTENT_LABELS["en"])
    if (
        {parse.intent, second} == {"set_budget", "add_recurring"}
        and score >= BILL_OR_BUDGET
        and not parse.merchant
    ):
        # "gym 300 a month": a health budget or the gym's bill are both fair readings, whatever the margin
        # (a merchant named, "spotify 21,90 por mês", is a bill: budgets are kept per category).
        return parse.intent, second
    if parse.intent not in labels or second not in labels or parse.confidence - score > CLARIFY_MARGIN:
        return None
    if parse.intent not in WRITE_INTENTS and parse.confidence >= nlu.LOW_CONFIDENCE:
        return None  # a question read fairly well is simply answered: reading never changes the ledger
    if {parse.intent, second} == {"undo", "cancel_recurring"}:
        # Both confirm before writing, and a stop that names no recurring payment is read as the undo
        # (handlers/recurring.py): asking "undo or stop a payment?" first would be one question too many.
        return None
    return parse.intent, second


def starts_anew(ctx: Context, awaiting: str) -> bool:
    """Whether a message sent while a form waits is something new rather than the answer it waits for."""
    parse = ctx.understood
    if awaiting == "payee":
        # A short answer names a place or a category; an amount (even 0 or -5) means a new entry.
        has_number = any(ch.isdigit() for ch in ctx.message.text)
        moves_on = parse.confidence >= nlu.LOW_CONFIDENCE and parse.intent not in SHORT_ANSWER_INTENTS
        return has_number or moves_on
    confident = parse.confidence >= nlu.LOW_CONFIDENCE
    if awaiting in ("account", "from_account", "to_account", "person", "direction"):
        # "2" or "nubank" answers the question; a new entry has an amount and says what it was for.
        said = parse.merchant or parse.category or parse.person or parse.account or parse.to_account
        own = parse.amount is not None and bool(said)
        return confident and parse.intent in WRITE_INTENTS and own
    if awaiting == "amount":
        own_content = parse.amount is not None and bool(parse.merchant or parse.category)
        new_intent = parse.intent in WRITE_INTENTS | {"undo", "edit_last"} and parse.amount is None
        return confident and (own_content or (new_intent and bool(parse.merchant or parse.category)))
    # Waiting for yes / no or a choice: a new entry carries an amount of its own.
    return confident and parse.intent in WRITE_INTENTS and parse.amount is not None
