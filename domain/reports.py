"""Reading the ledger: balances per account and currency, transaction lists and spending summaries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from domain import validation as v
from domain.budgets import SHARE_PLACES, budgets_of
from domain.commands import GetBalance, GetMonthlySpending, GetSpendingSummary, ListTransactions
from domain.errors import ValidationError
from domain.lookup import require_user, user_account
from domain.model import Budget, Period, Recurrence, Transaction, TransactionKind
from domain.money import Money
from domain.periods import local_today, month_of, previous_period
from domain.ports import Clock, TransactionFilter, UnitOfWork
from domain.results import (
    AccountBalance,
    Aggregate,
    Balance,
    CategoryTotal,
    MerchantTotal,
    MonthlySpending,
    MonthTotal,
    SpendingSummary,
)


async def get_balance(query: GetBalance, uow: UnitOfWork) -> Balance:
    """Per account and currency: opening balance + income - expenses (live rows only, transfer legs
    included: they move money between accounts); totals per currency."""
    user = await require_user(uow, query.user_id)
    accounts = sorted(await uow.accounts.list_for(user.id), key=lambda a: not a.is_default)
    flt = TransactionFilter(user_id=user.id, include_transfers=True, include_loans=True)
    rows = await uow.transactions.aggregate(flt, by=("account_id", "kind"))
    flows: dict[str, list[Aggregate]] = defaultdict(list)
    for row in rows:
        # Keyed by text so the id matches whether an adapter hands back a UUID or its string.
        flows[str(row.key[0])].append(row)
    for account in accounts:
        if account.household_id is not None:
            # A shared account moves with every member's writes on it, not only this user's.
            house = TransactionFilter(
                user_id=user.id,
                household_id=account.household_id,
                account_id=account.id,
                include_transfers=True,
                include_loans=True,
            )
            flows[str(account.id)] = await uow.transactions.aggregate(house, by=("account_id", "kind"))

    result = []
    totals: dict[str, Money] = {}
    for account in accounts:
        balances = {account.opening_balance.currency: account.opening_balance}
        for row in flows.get(str(account.id), []):
            code = row.total.currency
            signed = row.total if TransactionKind(row.key[1]) == TransactionKind.INCOME else -row.total
            balances[code] = balances.get(code, Money.zero(code)) + signed
        balances = {code: money.quantized() for code, money in sorted(balances.items())}
        for code, money in balances.items():
            totals[code] = totals.get(code, Money.zero(code)) + money
        result.append(AccountBalance(account=account, balances=balances))
    return Balance(accounts=tuple(result), totals={code: totals[code].quantized() for code in sorted(totals)})


async def list_transactions(query: ListTransactions, uow: UnitOfWork) -> list[Transaction]:
    """The user's live transactions matching the filters (transfer legs too), newest first, at most
    `limit` (1..100)."""
    user = await require_user(uow, query.user_id)
    limit = v.bounded_int(query.limit, "limit", 1, v.MAX_LIST_LIMIT)
    kind = None if query.kind is None else v.transaction_kind(query.kind)
    category = v.category(query.category)
    merchant = v.optional_text(query.merchant, "merchant", v.MAX_MERCHANT)
    period = _period(query.period)
    account_id = None
    if query.account_id is not None:
        account_id = (await user_account(uow, user, query.account_id)).id
    flt = TransactionFilter(
        user_id=user.id,
        kind=kind,
        period=period,
        category=category,
        merchant=merchant,
        account_id=account_id,
        include_transfers=True,
        include_loans=True,
    )
    return await uow.transactions.list(flt, limit=limit)


async def spending_summary(query: GetSpendingSummary, uow: UnitOfWork, clock: Clock) -> SpendingSummary:
    """Expenses in a period (default: this calendar month, locally) in the user's currency, against the
    same number of days just before; other currencies are reported apart and never summed in. Transfers
    between the user's accounts are not spending (the filter leaves them out)."""
    user = await require_user(uow, query.user_id)
    category = v.category(query.category)
    merchant = v.optional_text(query.merchant, "merchant", v.MAX_MERCHANT)
    top_n = v.bounded_int(query.top_merchants, "top_merchants", 0, v.MAX_TOP_MERCHANTS)
    period = _period(query.period) or month_of(local_today(clock, user.timezone))
    previous = previous_period(period)
    code = user.currency
    zero = Money.zero(code)

    def expenses(p: Period) -> TransactionFilter:
        return TransactionFilter(
            user_id=user.id, kind=TransactionKind.EXPENSE, period=p, category=category, merchant=merchant
        )

    by_category = await uow.transactions.aggregate(expenses(period), by=("category",))
    total, count = zero, 0
    other: dict[str, Money] = {}
    other_categories: dict[str, list[CategoryTotal]] = defaultdict(list)
    categories = []
    for row in by_category:
        if row.total.currency == code:
            total, count = total + row.total, count + row.count
            categories.append(
                CategoryTotal(
                    category=_text_or_none(row.key[0]), total=row.total.quantized(), count=row.count
                )
            )
        else:
            other_code = row.total.currency
            other[other_code] = other.get(other_code, Money.zero(other_code)) + row.total
            other_categories[other_code].append(
                CategoryTotal(
                    category=_text_or_none(row.key[0]), total=row.total.quantized(), count=row.count
                )
            )
    # Largest first; ties by name so replies are stable, uncategorised last among equals.
    categories.sort(key=_largest_first)

    merchant_rows = await uow.transactions.aggregate(expenses(period), by=("merchant",))
    merchants = _top_merchants(merchant_rows, code, top_n)
    previous_rows = await uow.transactions.aggregate(expenses(previous), by=("currency",))
    previous_total = sum((r.total for r in previous_rows if r.total.currency == code), zero).quantized()
    total = total.quantized()
    change = None
    if previous_total.amount != 0:
        change = ((total - previous_total).ratio(previous_total)).quantize(SHARE_PLACES)
    return SpendingSummary(
        period=period,
        previous_period=previous,
        currency=code,
        total=total,
        count=count,
        by_category=tuple(categories),
        top_merchants=merchants,
        previous_total=previous_total,
        change=change,
        other_currencies={c: m.quantized() for c, m in sorted(other.items())},
        other_by_category={
            c: tuple(sorted(rows, key=_largest_first)) for c, rows in sorted(other_categories.items())
        },
    )


async def monthly_spending(query: GetMonthlySpending, uow: UnitOfWork, clock: Clock) -> MonthlySpending:
    """Expenses per calendar month (oldest first) in the user's currency, a month without any at zero;
    other currencies' totals over the months apart, never summed in; and the monthly budget of the same
    scope (the category asked, or all spending) when it is kept in the user's currency: the user's own
    before the household's."""
    user = await require_user(uow, query.user_id)
    category = v.category(query.category)
    count = v.bounded_int(query.months, "months", 1, MAX_MONTHS)
    last = query.until or local_today(clock, user.timezone)
    months = _months_until(last, count)
    code = user.currency
    totals: list[MonthTotal] = []
    other: dict[str, Money] = {}
    for month in months:
        flt = TransactionFilter(
            user_id=user.id, kind=TransactionKind.EXPENSE, period=month, category=category
        )
        spent = Money.zero(code)
        for row in await uow.transactions.aggregate(flt, by=("currency",)):
            if row.total.currency == code:
                spent = spent + row.total
            else:
                other[row.total.currency] = (
                    other.get(row.total.currency, Money.zero(row.total.currency)) + row.total
                )
        totals.append(MonthTotal(month=month, total=spent.quantized()))
    budget = _monthly_budget(await budgets_of(uow, user), category, code)
    return MonthlySpending(
        currency=code,
        months=tuple(totals),
        budget=budget,
        other_currencies={c: m.quantized() for c, m in sorted(other.items())},
    )


MAX_MONTHS = 24
"""Most months one query covers (a chart of two years is still readable)."""


def _months_until(last: date, count: int) -> list[Period]:
    """The `count` calendar months ending with the month of `last`, oldest first."""
    year, month = last.year, last.month
    found = []
    for _ in range(count):
        found.append(month_of(date(year, month, 1)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return found[::-1]


def _monthly_budget(budgets: list[Budget], category: str | None, code: str) -> Money | None:
    fitting = [
        b
        for b in budgets
        if b.category == category and b.recurrence == Recurrence.MONTHLY and b.amount.currency == code
    ]
    fitting.sort(key=lambda b: b.household_id is not None)
    return fitting[0].amount if fitting else None


def _largest_first(row: CategoryTotal) -> tuple[object, ...]:
    return (-row.total.amount, row.category is None, row.category or "")


def _top_merchants(rows: list[Aggregate], code: str, top_n: int) -> tuple[MerchantTotal, ...]:
    """Merchants in the user's currency, largest first, merged ignoring case ("Uber" and "uber" are one)."""
    merged: dict[str, tuple[Money, int, dict[str, int]]] = {}
    for row in rows:
        name = _text_or_none(row.key[0])
        if name is None or row.total.currency != code:
            continue
        total, count, spellings = merged.get(name.casefold(), (Money.zero(code), 0, {}))
        spellings[name] = spellings.get(name, 0) + row.count
        merged[name.casefold()] = (total + row.total, count + row.count, spellings)
    items = [
        # The spelling used most often names the merchant.
        MerchantTotal(
            merchant=max(sorted(spellings), key=lambda s: spellings[s]), total=total.quantized(), count=count
        )
        for total, count, spellings in merged.values()
    ]
    items.sort(key=lambda m: (-m.total.amount, m.merchant.casefold()))
    return tuple(items[:top_n])


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _period(value: object) -> Period | None:
    if value is None or isinstance(value, Period):
        return value
    raise ValidationError("period", "must be a period of days")


__all__ = ["MAX_MONTHS", "get_balance", "list_transactions", "monthly_spending", "spending_summary"]
