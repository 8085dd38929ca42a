"""The result of understanding one message: Parse and its parts, as the NLU contract defines them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nlu.reference import Change, Reference

LANGUAGES: tuple[str, ...] = ("en", "es", "pt")

INTENTS: tuple[str, ...] = (
    "add_expense",
    "add_income",
    "balance",
    "list_transactions",
    "spending_summary",
    "set_budget",
    "budget_status",
    "undo",
    "edit_last",
    "help",
    "greeting",
    "affirm",
    "deny",
    "search",
    "income_summary",
    "overview",
    "change_setting",
    "list_categories",
    "delete_budget",
    "convert_currency",
    "transfer",
    "debt",
    "unknown",
    "add_recurring",
    "list_recurring",
    "cancel_recurring",
    "set_goal",
    "goal_contribution",
    "goal_withdrawal",
    "goal_status",
    "household_invite",
    "household_join",
    "household_leave",
    "household_remove",
    "household_members",
    "split_expense",
    "owe_balance",
    "settle_up",
    "chart",
)
RULE_INTENTS: frozenset[str] = frozenset({"chart"})
"""Intents read by a rule on the message's words (nlu/charts.py), never by the classifier: their examples in
intents.yaml document them, but neither the classifier nor the language model is trained on them, so adding
one leaves every other reading exactly as it was."""
CLASSIFIED_INTENTS: tuple[str, ...] = tuple(i for i in INTENTS if i not in RULE_INTENTS)
"""The classifier's labels."""

CATEGORIES: tuple[str, ...] = (
    "groceries",
    "dining",
    "transport",
    "housing",
    "utilities",
    "health",
    "entertainment",
    "shopping",
    "travel",
    "education",
    "subscriptions",
    "personal_care",
    "salary",
    "other_income",
    "other",
    "loans",
)


@dataclass(frozen=True, slots=True)
class MoneyMention:
    """An amount found in the message."""

    amount: Decimal
    """Positive, exact: "1.234,56" -> Decimal("1234.56"), "2k" -> Decimal("2000")."""
    currency: str | None
    """ISO 4217 when the message says it (symbol, code or word) or resolved from the default, else None."""
    text: str
    """The original text of the mention, as typed ("R$ 45,90", "15 dólares e 15 centavos")."""
    start: int
    """Span in the normalized text (Normalized.text)."""
    end: int
    explicit: bool
    """True when a currency was written (symbol, ISO code or currency word); bare numbers are False."""


@dataclass(frozen=True, slots=True)
class DateRange:
    """An inclusive range of days."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class Unresolved:
    """A phrase read as a date or an amount that cannot be resolved with certainty ("Tuesday 19th" when the
    19th is no Tuesday, "the other day", "20 or 30 bucks"): the conversation asks instead of guessing."""

    field: str
    """ "date" (a transaction's day), "period" (a question's dates) or "amount"."""
    text: str
    """The phrase as typed."""
    start: int
    end: int
    within: DateRange | None = None
    """For a date said as a whole period ("semana passada"): that period, which the answer to "which day?"
    narrows ("na terça" is the Tuesday of that week). Not part of the `centavo nlu` output."""

    def to_json(self) -> dict[str, str]:
        return {"field": self.field, "text": self.text}


@dataclass(frozen=True, slots=True)
class NoticeRef:
    """Which notice format read a message, and the card it names."""

    source: str
    """ "<country>/<bank>/<format>" or "generic"."""
    card: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"source": self.source, "card": self.card}


@dataclass(frozen=True, slots=True)
class Parse:
    """Everything understood from one message."""

    lang: str
    intent: str
    confidence: float
    """0..1; below `LOW_CONFIDENCE` the conversation should ask instead of acting."""
    amount: Decimal | None = None
    currency: str | None = None
    date: date | None = None
    period: DateRange | None = None
    recurrence: str | None = None
    count: int | None = None
    merchant: str | None = None
    category: str | None = None
    amounts: tuple[MoneyMention, ...] = ()
    mentions: tuple[MoneyMention, ...] = ()
    """Every amount of money in the message, bare numbers included, counts of things ("2 coffees") left out:
    more than one means several items or an ambiguity. Not part of the `centavo nlu` output."""
    alternatives: tuple[tuple[str, float], ...] = field(default=())
    """Other intents with their scores, best first: what a clarifying question can offer."""
    note: str | None = None
    """An entry's own words besides amount, day and merchant ("bought a couch 450" -> "couch")."""
    reference: Reference | None = None
    """undo / edit_last naming an earlier transaction ("delete the netflix one"); None: the last one."""
    change: Change | None = None
    """edit_last: the new value, read apart from the words naming the transaction ("... to dining")."""
    setting: str | None = None
    """change_setting: "currency", "timezone", "week_start" or "language"; None when none is named."""
    value: str | None = None
    """change_setting: the new value (ISO 4217 code, IANA zone, English weekday name, language code);
    convert_currency: the currency to convert to. None when unknown or ambiguous."""
    choices: tuple[str, ...] = ()
    """change_setting: the values an ambiguous name could mean ("pesos", "San José"), none chosen."""
    name: str | None = None
    """The goal or recurring payment the message names ("viagem", "Netflix"), as typed; goal and recurring
    intents only."""
    anchor: int | None = None
    """add_recurring: the day it falls on, ISO weekday 1..7 (weekly) or day of the month 1..31 (monthly)."""
    account: str | None = None
    """The account named as paying or receiving (a transfer's source), as typed ("cartão do inter")."""
    to_account: str | None = None
    """A transfer's destination as typed ("poupança"); a cash withdrawal's is the language's cash word."""
    person: str | None = None
    """For debt: who money was lent to, paid back to, got back from or borrowed from ("Sarah", "João"). For
    household_invite, household_remove, owe_balance and settle_up: the one person named; a name capitalised
    ("Tom", "João"), a relation in lower case as written ("wife", "roomie": "add my wife")."""
    direction: str | None = None
    """For debt: "out" (lent, paid back: money leaves) or "in" (got back, borrowed: money comes in)."""
    notice: NoticeRef | None = None
    """A forwarded bank or wallet notice the message is ("Compra aprovada no cartão final 1234 ..."): the
    format that read it and the card's last digits. Its amount, day and payee are the fields above."""
    unresolved: tuple[Unresolved, ...] = ()
    """Dates and amounts the message names but that cannot be resolved with certainty: the matching field
    (date, amount) is None and the conversation asks."""
    phone: str | None = None
    """household_invite: the phone number written, "+" and digits ("+5511912345678"); written without "+",
    the digits ("11987654321"): the conversation reads them in the user's own country."""
    people: tuple[str, ...] = ()
    """split_expense: who the expense is split with, in order, written like `person` ("Ana", "roomie")."""
    shares: int | None = None
    """split_expense: how many ways when said ("en 3" -> 3, "a medias" -> 2), else None."""
    shared: bool = False
    """The budget, expense or question is the household's ("for the house", "da casa", "compartido")."""
    chart: str | None = None
    """chart: "months" (one bar per month: "last 6 months", "por mes") or "categories"; None otherwise."""

    def to_json(self) -> dict[str, object]:
        """The result line of `centavo nlu` (NLU_CONTRACT.md)."""
        return {
            "lang": self.lang,
            "intent": self.intent,
            "amount": None if self.amount is None else format_decimal(self.amount),
            "currency": self.currency,
            "date": None if self.date is None else self.date.isoformat(),
            "period": None
            if self.period is None
            else {"start": self.period.start.isoformat(), "end": self.period.end.isoformat()},
            "recurrence": self.recurrence,
            "count": self.count,
            "merchant": self.merchant,
            "category": self.category,
            "account": self.account,
            "to_account": self.to_account,
            "person": self.person,
            "direction": self.direction,
            "confidence": round(self.confidence, 4),
            "amounts": [
                {"amount": format_decimal(m.amount), "currency": m.currency, "text": m.text}
                for m in self.amounts
                if m.explicit
            ],
            "note": self.note,
            "reference": None if self.reference is None else self.reference.to_json(),
            "change": None if self.change is None else self.change.to_json(),
            "setting": self.setting,
            "value": self.value,
            "choices": list(self.choices),
            "name": self.name,
            "anchor": self.anchor,
            "notice": None if self.notice is None else self.notice.to_json(),
            "unresolved": [u.to_json() for u in self.unresolved],
            "phone": self.phone,
            "people": list(self.people),
            "shares": self.shares,
            "shared": self.shared,
            "chart": self.chart,
        }


LOW_CONFIDENCE = 0.5
"""Intent confidence under which a caller should ask a clarifying question."""


def format_decimal(value: Decimal) -> str:
    """Positional notation, no exponent, cents kept: Decimal("2000") -> "2000", Decimal("45.9") -> "45.90"."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    text = format(value.normalize(), "f")
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"
