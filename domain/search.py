"""Finding a user's earlier transactions by what they say of them: merchant, category, amount, day, words."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.model import Period, Transaction, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter, UnitOfWork

RECENT_DAYS = 60
"""How far back a reference ("delete the netflix one") looks: the last 60 days, today included."""
MAX_SCANNED = 500
"""Transactions read per lookup; a window holding more than this is looked through newest first."""


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the user said of the transactions meant; each field given is a condition every match meets."""

    merchant: str | None = None
    category: str | None = None
    amount: Decimal | None = None
    day: date | None = None
    words: tuple[str, ...] = ()
    """Folded words found in the note or the merchant ("couch")."""
    kind: TransactionKind | None = None

    @property
    def empty(self) -> bool:
        return not (self.merchant or self.category or self.amount is not None or self.day or self.words)


def folded(text: str | None) -> str:
    """Lower case without accents, for comparing what people type with what was stored."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _names(txn: Transaction) -> str:
    return f"{folded(txn.merchant)} {folded(txn.note)}"


def matches(txn: Transaction, wanted: Wanted) -> bool:
    """Whether `txn` is one the user could mean. A merchant named must be its merchant (or in its note);
    else a category or a word must fit it; an amount and a day, when said, must be equal."""
    if wanted.kind is not None and txn.kind != wanted.kind:
        return False
    if wanted.amount is not None and txn.amount.amount != wanted.amount:
        return False
    if wanted.day is not None and txn.occurred_on != wanted.day:
        return False
    names = _names(txn)
    if wanted.merchant:
        return folded(wanted.merchant) in names
    if wanted.category or wanted.words:
        by_category = wanted.category is not None and txn.category == wanted.category
        return by_category or any(word in names for word in wanted.words)
    return True


def window(today: date, days: int = RECENT_DAYS) -> Period:
    return Period(today - timedelta(days=days - 1), today)


async def recent(uow: UnitOfWork, user_id: uuid.UUID, period: Period) -> list[Transaction]:
    """The user's live expenses and incomes in `period`, newest first (transfer legs left out)."""
    return await uow.transactions.list(TransactionFilter(user_id=user_id, period=period), limit=MAX_SCANNED)


def select(rows: Iterable[Transaction], wanted: Wanted) -> list[Transaction]:
    """The rows `wanted` fits, in their order."""
    return [t for t in rows if matches(t, wanted)]


async def find(
    uow: UnitOfWork, user_id: uuid.UUID, wanted: Wanted, today: date, *, days: int = RECENT_DAYS
) -> list[Transaction]:
    """The user's transactions of the last `days` days the description fits, newest first."""
    return select(await recent(uow, user_id, window(today, days)), wanted)


def totals(rows: Iterable[Transaction], kind: TransactionKind) -> list[Money]:
    """The sum of `kind` among `rows`, one Money per currency (never added across currencies), by currency.
    Transfer legs and loans (money lent or paid back) are neither spent nor received, and are left out."""
    sums: dict[str, Money] = {}
    for txn in rows:
        if txn.kind == kind and not txn.is_transfer and not txn.is_loan:
            code = txn.amount.currency
            sums[code] = sums[code] + txn.amount if code in sums else txn.amount
    return [sums[code] for code in sorted(sums)]


async def sums(uow: UnitOfWork, flt: TransactionFilter) -> dict[TransactionKind, list[Money]]:
    """Everything `flt` covers summed per kind and currency (a listing shows some rows; its total is all)."""
    found: dict[TransactionKind, list[Money]] = {}
    for row in await uow.transactions.aggregate(flt, ("kind", "currency")):
        found.setdefault(TransactionKind(str(row.key[0])), []).append(row.total)
    return {kind: sorted(money, key=lambda m: m.currency) for kind, money in found.items()}


__all__ = [
    "MAX_SCANNED",
    "RECENT_DAYS",
    "Wanted",
    "find",
    "folded",
    "matches",
    "recent",
    "select",
    "sums",
    "totals",
    "window",
]
