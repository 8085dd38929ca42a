"""Income and net: what came in by category and payer; a month's income, spending, net and savings rate."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from domain.model import Period, TransactionKind
from domain.money import Money
from domain.periods import month_of, previous_period
from domain.ports import TransactionFilter, UnitOfWork


@dataclass(frozen=True, slots=True)
class IncomeTotals:
    """Income in a period: per currency, and per (category or payer, currency)."""

    period: Period
    totals: list[Money]
    by_category: list[tuple[str, Money]]
    by_payer: list[tuple[str, Money]]


@dataclass(frozen=True, slots=True)
class Net:
    """One currency's month: income, spending, what is left, and the share of income kept."""

    currency: str
    income: Money
    spent: Money
    net: Money
    rate: Decimal | None
    """net / income; None when nothing came in (a rate of nothing is not a number)."""


@dataclass(frozen=True, slots=True)
class Overview:
    period: Period
    current: list[Net]
    previous_period: Period
    previous: list[Net]


async def income(uow: UnitOfWork, user_id: uuid.UUID, period: Period) -> IncomeTotals:
    flt = TransactionFilter(user_id=user_id, kind=TransactionKind.INCOME, period=period)
    by_category = await uow.transactions.aggregate(flt, ("category", "currency"))
    by_payer = await uow.transactions.aggregate(flt, ("merchant", "currency"))
    totals: dict[str, Money] = {}
    for row in by_category:
        code = row.total.currency
        totals[code] = totals[code] + row.total if code in totals else row.total
    biggest = sorted(by_category, key=lambda r: (r.total.currency, -r.total.amount))
    payers = sorted((r for r in by_payer if r.key[0]), key=lambda r: (r.total.currency, -r.total.amount))
    return IncomeTotals(
        period=period,
        totals=[totals[c] for c in sorted(totals)],
        by_category=[(str(r.key[0] or "other_income"), r.total) for r in biggest],
        by_payer=[(str(r.key[0]), r.total) for r in payers],
    )


async def _net(uow: UnitOfWork, user_id: uuid.UUID, period: Period) -> list[Net]:
    rows = await uow.transactions.aggregate(
        TransactionFilter(user_id=user_id, period=period), ("kind", "currency")
    )
    sums: dict[tuple[str, str], Money] = {(str(r.key[0]), r.total.currency): r.total for r in rows}
    out = []
    for code in sorted({currency for _, currency in sums}):
        got = sums.get((str(TransactionKind.INCOME), code), Money.zero(code))
        spent = sums.get((str(TransactionKind.EXPENSE), code), Money.zero(code))
        net = got - spent
        rate = None if got.amount == 0 else net.amount / got.amount
        out.append(Net(code, got, spent, net, rate))
    return out


async def overview(uow: UnitOfWork, user_id: uuid.UUID, period: Period) -> Overview:
    """`period` (a month, usually) against the period before it; each currency on its own."""
    if period == month_of(period.start):
        before = month_of(period.start - timedelta(days=1))  # the calendar month before, whatever its length
    else:
        before = previous_period(period)
    return Overview(period, await _net(uow, user_id, period), before, await _net(uow, user_id, before))


__all__ = ["IncomeTotals", "Net", "Overview", "income", "overview"]
