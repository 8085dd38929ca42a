"""Budgets: setting them, where each stands in its current period, and raising threshold crossings once."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal

from domain import validation as v
from domain.commands import GetBudgetStatus, SetBudget
from domain.errors import ValidationError
from domain.events import BudgetThresholdCrossed
from domain.lookup import require_user
from domain.model import (
    Budget,
    BudgetCrossing,
    Period,
    Recurrence,
    Source,
    Transaction,
    TransactionKind,
    User,
    new_id,
    share,
)
from domain.money import Money, minor_units
from domain.periods import current_period, local_today, user_week_start
from domain.ports import Clock, TransactionFilter, UnitOfWork
from domain.results import BudgetStatus

SHARE_PLACES = Decimal("0.0001")
"""share_used and ratios keep four decimals: enough for a percentage with two decimals."""

Spending = dict[str, Money]
"""Currency -> expenses in one budget's scope and period."""


async def set_budget(cmd: SetBudget, uow: UnitOfWork, clock: Clock) -> BudgetStatus:
    """Create the user's budget for a category and recurrence, or replace its amount, currency and thresholds.

    The budget keeps its id when replaced, so thresholds already crossed this period are not alerted again.
    """
    await uow.users.lock(cmd.user_id)
    user = await require_user(uow, cmd.user_id)
    recurrence = v.recurrence(cmd.recurrence)
    category = v.category(cmd.category)
    code = v.currency(user.currency if cmd.currency is None else cmd.currency)
    amount = v.positive_money(cmd.amount, code)
    thresholds = v.thresholds(cmd.thresholds)
    now = clock.now()
    household_id = None
    if cmd.shared:
        mine = await uow.households.membership(user.id)
        if mine is None:
            raise ValidationError("shared", "the user is in no household")
        household_id = mine.household_id
        await uow.households.lock(household_id)

    budget = await uow.budgets.find(user.id, category, recurrence, household_id)
    if budget is None:
        budget = Budget(
            id=new_id(),
            tenant_id=user.tenant_id,
            user_id=user.id,
            category=category,
            amount=amount,
            recurrence=recurrence,
            thresholds=thresholds,
            created_at=now,
            updated_at=now,
            household_id=household_id,
        )
        await uow.budgets.add(budget)
    else:
        budget.amount = amount
        budget.thresholds = thresholds
        budget.updated_at = now
        await uow.budgets.update(budget)

    today = local_today(clock, user.timezone)
    period = current_period(budget.recurrence, today, user_week_start(user))
    status = build_status(budget, period, today, await scope_spending(uow, budget, period))
    await uow.commit()
    return status


async def budget_status(query: GetBudgetStatus, uow: UnitOfWork, clock: Clock) -> list[BudgetStatus]:
    """Status of the user's budgets for one category (every recurrence), or of all of them.

    With no category: every budget when `all_budgets`, otherwise only the overall (category None) ones.
    """
    user = await require_user(uow, query.user_id)
    category = v.category(query.category)
    budgets = await budgets_of(uow, user)
    if category is not None or not query.all_budgets:
        budgets = [b for b in budgets if b.category == category]
    today = local_today(clock, user.timezone)
    statuses = []
    for budget in sorted(budgets, key=_budget_order):
        period = current_period(budget.recurrence, today, user_week_start(user))
        statuses.append(build_status(budget, period, today, await scope_spending(uow, budget, period)))
    return statuses


def _budget_order(budget: Budget) -> tuple[bool, str, bool, bool]:
    # The overall budget first, then categories alphabetically, weekly before monthly, the user's own
    # before the household's.
    shared = budget.household_id is not None
    return (
        budget.category is not None,
        budget.category or "",
        budget.recurrence != Recurrence.WEEKLY,
        shared,
    )


async def budgets_of(uow: UnitOfWork, user: User) -> list[Budget]:
    """The user's own budgets and their household's shared ones."""
    own = await uow.budgets.list_for(user.id)
    mine = await uow.households.membership(user.id)
    return own if mine is None else own + await uow.budgets.shared_by(mine.household_id)


async def scope_spending(uow: UnitOfWork, budget: Budget, period: Period) -> Spending:
    """Expenses per currency in the budget's scope: its category (or all, for None) within `period`."""
    flt = TransactionFilter(
        user_id=budget.user_id,
        household_id=budget.household_id,
        kind=TransactionKind.EXPENSE,
        period=period,
        category=budget.category,
    )
    rows = await uow.transactions.aggregate(flt, by=("currency",))
    return {row.total.currency: row.total for row in rows}


def build_status(budget: Budget, period: Period, today: date, spending: Spending) -> BudgetStatus:
    """The read model for one budget, from its scope's spending per currency."""
    code = budget.amount.currency
    zero = Money.zero(code)
    spent = spending.get(code, zero).quantized()
    left = (budget.amount - spent).quantized()
    # Both counts include today, and stay at least 1 so a clock outside the period cannot divide by zero.
    days_left = max((period.end - today).days + 1, 1)
    elapsed = min(max((today - period.start).days + 1, 1), period.days)
    per_day = max(left, zero) / days_left
    return BudgetStatus(
        budget=budget,
        period=period,
        spent=spent,
        left=left,
        share_used=share(spent, budget.amount).quantize(SHARE_PLACES),
        days_left=days_left,
        left_per_day=_round_down(per_day),
        projected=(spent / elapsed * period.days).quantized(),
        uncounted={c: m.quantized() for c, m in sorted(spending.items()) if c != code and m.amount != 0},
    )


def _round_down(money: Money) -> Money:
    # Rounding the daily allowance down means following it never overspends the budget.
    exp = Decimal(1).scaleb(-minor_units(money.currency))
    return Money(money.amount.quantize(exp, rounding=ROUND_DOWN), money.currency)


# -- threshold crossings ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BudgetEffect:
    """How one change to a transaction moves one budget: spent before, and the status after."""

    before: Money
    """Spent in the budget's currency and current period before the change."""
    status: BudgetStatus
    """The budget's status once the change is applied."""

    def crossed(self) -> tuple[int, ...]:
        """Thresholds t with before < budget * t / 100 <= after: only upward moves cross."""
        budget = self.status.budget
        after = self.status.spent
        return tuple(t for t in budget.thresholds if self.before < budget.amount * t / 100 <= after)


def _in_scope(budget: Budget, period: Period, txn: Transaction | None) -> bool:
    """Whether `txn` is a live expense of the budget's category dated in `period` (in any currency); a
    transfer's outgoing leg is not spending."""
    return (
        txn is not None
        and not txn.is_deleted
        and not txn.is_transfer
        and (budget.category is not None or not txn.is_loan)
        and txn.kind == TransactionKind.EXPENSE
        and (budget.category is None or txn.category == budget.category)
        and (budget.household_id is None or txn.household_id == budget.household_id)
        and txn.occurred_on in period
    )


def _counts(budget: Budget, period: Period, txn: Transaction | None) -> bool:
    same_currency = txn is not None and txn.amount.currency == budget.amount.currency
    return same_currency and _in_scope(budget, period, txn)


def _shift(spending: Spending, budget: Budget, period: Period, txn: Transaction | None, sign: int) -> None:
    if txn is not None and _in_scope(budget, period, txn):
        code = txn.amount.currency
        spending[code] = spending.get(code, Money.zero(code)) + txn.amount * sign


async def assess(
    uow: UnitOfWork, user: User, today: date, old: Transaction | None, new: Transaction | None
) -> list[BudgetEffect]:
    """Effects on the user's budgets of replacing `old` by `new` (None: absent), measured BEFORE writing.

    Measuring first and adding the change ourselves does not depend on the repository reading its own
    unflushed writes. Only budgets the old or new version counts against (scope, currency and the budget's
    current period) are affected; a transaction dated in a past period therefore never alerts.
    """
    effects = []
    for budget in sorted(await budgets_of(uow, user), key=_budget_order):
        period = current_period(budget.recurrence, today, user_week_start(user))
        if not (_counts(budget, period, old) or _counts(budget, period, new)):
            continue
        spending = await scope_spending(uow, budget, period)
        code = budget.amount.currency
        before = spending.get(code, Money.zero(code))
        after = dict(spending)
        _shift(after, budget, period, old, -1)
        _shift(after, budget, period, new, +1)
        effects.append(BudgetEffect(before=before, status=build_status(budget, period, today, after)))
    return effects


async def assess_added(
    uow: UnitOfWork, user: User, today: date, added: Sequence[Transaction]
) -> list[BudgetEffect]:
    """assess() for many new transactions at once (a statement import), measured BEFORE writing them: one
    effect per budget, so a threshold is crossed (and alerted) at most once however many lines cross it.
    Only the budget's current period counts: imported history never alerts about a period that is over."""
    effects = []
    for budget in sorted(await budgets_of(uow, user), key=_budget_order):
        period = current_period(budget.recurrence, today, user_week_start(user))
        counted = [txn for txn in added if _counts(budget, period, txn)]
        if not counted:
            continue
        spending = await scope_spending(uow, budget, period)
        code = budget.amount.currency
        after = dict(spending)
        for txn in counted:
            _shift(after, budget, period, txn, +1)
        effects.append(
            BudgetEffect(
                before=spending.get(code, Money.zero(code)), status=build_status(budget, period, today, after)
            )
        )
    return effects


async def raise_crossings(
    uow: UnitOfWork, user: User, effects: list[BudgetEffect], now: datetime, source: Source | None = None
) -> tuple[BudgetThresholdCrossed, ...]:
    """Record each crossing and emit its event, only when this is the first time for (budget, period, t).

    `source` is where the change came from: the alert worker pushes only what no reply has told the user.
    A shared budget's crossing is one event per active member, each in their own name: the writer's carries
    `source` (told in the reply), the others' are pushed. The user's own events are returned.
    """
    events = []
    for effect in effects:
        status = effect.status
        household = status.budget.household_id
        told = (
            [user.id] if household is None else [m.user_id for m in await uow.households.members(household)]
        )
        for threshold in effect.crossed():
            crossing = BudgetCrossing(
                id=new_id(),
                tenant_id=user.tenant_id,
                budget_id=status.budget.id,
                period_start=status.period.start,
                threshold=threshold,
                at=now,
            )
            if not await uow.crossings.add_if_absent(crossing):
                continue
            for member_id in told:
                writer = member_id == user.id
                event = BudgetThresholdCrossed(
                    tenant_id=user.tenant_id,
                    user_id=member_id,
                    budget_id=status.budget.id,
                    category=status.budget.category,
                    threshold=threshold,
                    period_start=status.period.start,
                    period_end=status.period.end,
                    spent=status.spent,
                    budget=status.budget.amount,
                    source=None if source is None or not writer else source.value,
                    shared=household is not None,
                )
                uow.emit(event)
                if writer:
                    events.append(event)
    return tuple(events)


def statuses(effects: list[BudgetEffect]) -> tuple[BudgetStatus, ...]:
    return tuple(effect.status for effect in effects)


async def alert_at(user_id: uuid.UUID, category: str | None, percent: int, uow: UnitOfWork) -> list[Budget]:
    """ "alert me at 90% of dining": the user's budgets of that category (their own, else the household's)
    alert at `percent` and when they are used up (100%). Returns the budgets changed; none when there is none.
    A threshold already crossed this period is not alerted again (the budget keeps its id)."""
    user = await require_user(uow, user_id)
    percent = v.thresholds([percent])[0]
    found = [b for b in await budgets_of(uow, user) if b.category == category]
    own = [b for b in found if b.household_id is None]
    changed = own or found
    for budget in changed:
        budget.thresholds = v.thresholds([percent, 100] if percent < 100 else [percent])
        await uow.budgets.update(budget)
    if changed:
        await uow.commit()
    return changed
