"""A weekly digest's content, read from the ledger when it is sent: the week's spending against the week
before, top categories, budgets at risk, goals' progress, bills due in the coming week."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from domain.budgets import SHARE_PLACES, budget_status
from domain.commands import GetBudgetStatus, GetSpendingSummary
from domain.goals import GoalStatus, goal_status
from domain.model import Period, TransactionKind, User
from domain.money import Money
from domain.periods import local_today
from domain.ports import Clock, UnitOfWork
from domain.reports import spending_summary
from domain.results import BudgetStatus, CategoryTotal, SpendingSummary

TOP_CATEGORIES = 3
AT_RISK = Decimal("0.8")
"""A budget is at risk from this share used on, or when its pace so far ends the period over it."""
BILLS_AHEAD = timedelta(days=7)
"""Bills due from today to this many days on are listed."""


@dataclass(frozen=True, slots=True)
class BillAhead:
    """A bill due in the coming week."""

    due: date
    amount: Money
    name: str | None
    """Its merchant or note as written; None when only its category names it."""
    category: str | None


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything a weekly digest says, as data; bot/digest_text.py renders it."""

    week: Period
    spending: SpendingSummary
    """The week's expenses in the user's currency against the seven days before."""
    top: tuple[CategoryTotal, ...]
    """The largest categories of the week, at most TOP_CATEGORIES."""
    at_risk: tuple[BudgetStatus, ...]
    """Budgets used AT_RISK or more, or heading over, in their current period."""
    goals: tuple[GoalStatus, ...]
    bills: tuple[BillAhead, ...]
    """Soonest first."""


def at_risk(status: BudgetStatus) -> bool:
    return status.share_used >= AT_RISK or status.projected > status.budget.amount


async def compose(uow: UnitOfWork, user: User, week_start: date, clock: Clock) -> Digest:
    """The digest of the week starting `week_start`, with budgets, goals and bills as they stand now."""
    week = Period(week_start, week_start + timedelta(days=6))
    summary = await spending_summary(
        GetSpendingSummary(user_id=user.id, period=week, top_merchants=0), uow, clock
    )
    statuses = await budget_status(GetBudgetStatus(user_id=user.id, all_budgets=True), uow, clock)
    goals = [await goal_status(goal.id, uow, clock) for goal in await uow.goals.list_for(user.id)]
    today = local_today(clock, user.timezone)
    bills = [
        BillAhead(rule.next_due, rule.amount, rule.merchant or rule.note, rule.category)
        for rule in await uow.recurring.list_for(user.id)
        if rule.bill
        and rule.active
        and rule.kind == TransactionKind.EXPENSE
        and today <= rule.next_due < today + BILLS_AHEAD
    ]
    return Digest(
        week=week,
        spending=summary,
        top=summary.by_category[:TOP_CATEGORIES],
        at_risk=tuple(s for s in statuses if at_risk(s)),
        goals=tuple(goals),
        bills=tuple(sorted(bills, key=lambda b: (b.due, b.name or b.category or ""))),
    )


def goal_share(status: GoalStatus) -> Decimal:
    """Saved / target, at most 1 (a goal passed is done), four decimals."""
    if status.goal.target.amount == 0:
        return Decimal(1)
    return min(status.saved.ratio(status.goal.target), Decimal(1)).quantize(SHARE_PLACES)


__all__ = [
    "AT_RISK",
    "BILLS_AHEAD",
    "TOP_CATEGORIES",
    "BillAhead",
    "Digest",
    "at_risk",
    "compose",
    "goal_share",
]
