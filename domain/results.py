"""What the use cases return: read models for replies and the admin API."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.events import BudgetThresholdCrossed, LowBalance
from domain.model import Account, Budget, Period, Transaction, TransactionPosition
from domain.money import Money


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """Where one budget stands in its current period."""

    budget: Budget
    period: Period
    spent: Money
    left: Money
    """Budget minus spent; negative when over."""
    share_used: Decimal
    """spent / budget, e.g. Decimal("0.85")."""
    days_left: int
    """Days remaining in the period, today included."""
    left_per_day: Money
    """What can be spent per remaining day (zero when nothing is left)."""
    projected: Money
    """Spend at the end of the period if the pace so far continues."""
    uncounted: dict[str, Money] = field(default_factory=dict)
    """Spending in the same category and period in other currencies, which the budget does not count."""


@dataclass(frozen=True, slots=True)
class RecordResult:
    transaction: Transaction
    created: bool
    """False when the source id had been recorded before and the stored transaction is returned."""
    budgets: tuple[BudgetStatus, ...] = ()
    """Status of the budgets this transaction counts against."""
    crossings: tuple[BudgetThresholdCrossed, ...] = ()
    low_balance: LowBalance | None = None
    """The account went under the warning its user set with this write (told once until it recovers)."""


@dataclass(frozen=True, slots=True)
class ChangeResult:
    """Outcome of undo, restore or edit."""

    before: Transaction
    after: Transaction
    budgets: tuple[BudgetStatus, ...] = ()
    crossings: tuple[BudgetThresholdCrossed, ...] = ()
    paired: tuple[Transaction, Transaction] | None = None
    """When `after` is a leg of a transfer: the other leg (before, after) the same change."""
    low_balance: LowBalance | None = None
    """An account the change took under the warning its user set (told once until it recovers)."""

    @property
    def changed(self) -> bool:
        """False when the change asked for left everything as it was (and nothing was written)."""
        return self.before != self.after


@dataclass(frozen=True, slots=True)
class TransferResult:
    """The two legs of a transfer between one user's accounts."""

    outgoing: Transaction
    """The expense out of the source account."""
    incoming: Transaction
    """The income into the destination account."""
    created: bool
    """False when (source, source_ref) had been recorded before and the stored legs are returned."""


@dataclass(frozen=True, slots=True)
class TransactionPage:
    """One page of an operator's listing, newest first."""

    items: tuple[Transaction, ...]
    next: TransactionPosition | None
    """Where the next page starts; None when this one is the last."""


@dataclass(frozen=True, slots=True)
class AccountBalance:
    account: Account
    balances: dict[str, Money]
    """Currency -> opening balance + income - expenses in that currency."""


@dataclass(frozen=True, slots=True)
class Balance:
    accounts: tuple[AccountBalance, ...]
    totals: dict[str, Money]
    """Currency -> sum over all accounts."""


@dataclass(frozen=True, slots=True)
class CategoryTotal:
    category: str | None
    total: Money
    count: int


@dataclass(frozen=True, slots=True)
class MerchantTotal:
    merchant: str
    total: Money
    count: int


@dataclass(frozen=True, slots=True)
class SpendingSummary:
    """Expenses in a period, in the user's currency, compared with the previous period of the same length."""

    period: Period
    previous_period: Period
    currency: str
    total: Money
    count: int
    by_category: tuple[CategoryTotal, ...]
    """Largest first."""
    top_merchants: tuple[MerchantTotal, ...]
    previous_total: Money
    change: Decimal | None
    """(total - previous) / previous; None when the previous period had no spending."""
    other_currencies: dict[str, Money] = field(default_factory=dict)
    """Spending in the period in other currencies, reported apart, never converted."""
    other_by_category: dict[str, tuple[CategoryTotal, ...]] = field(default_factory=dict)
    """Currency -> that currency's spending per category, largest first (other_currencies by category)."""


@dataclass(frozen=True, slots=True)
class MonthTotal:
    """Expenses of one calendar month in the user's currency (zero when none)."""

    month: Period
    total: Money


@dataclass(frozen=True, slots=True)
class MonthlySpending:
    """Expenses per month, oldest first, with the monthly budget they are measured against."""

    currency: str
    months: tuple[MonthTotal, ...]
    budget: Money | None
    """The monthly budget of the same scope in the user's currency; None when there is none."""
    other_currencies: dict[str, Money]
    """Expenses over all the months in each other currency: reported apart, never added in."""

    @property
    def total(self) -> Money:
        return sum((m.total for m in self.months), Money.zero(self.currency))


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One group of a repository aggregation: key values in the order asked, plus total and count."""

    key: tuple[object, ...]
    total: Money
    count: int


__all__ = [
    "AccountBalance",
    "Aggregate",
    "Balance",
    "BudgetStatus",
    "CategoryTotal",
    "ChangeResult",
    "MerchantTotal",
    "MonthTotal",
    "MonthlySpending",
    "RecordResult",
    "SpendingSummary",
    "TransactionPage",
    "TransferResult",
]
