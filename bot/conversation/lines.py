"""Reply lines shared by handlers and alert pushes: what was written, budget standing, alerts."""

from __future__ import annotations

from decimal import Decimal

from bot.conversation.reply import CategoryName, Line, Written
from domain.events import BudgetThresholdCrossed, LowBalance
from domain.model import Account, Transaction, TransactionKind
from domain.money import Money
from domain.results import BudgetStatus


def recorded(txn: Transaction) -> tuple[Line, Written]:
    """The line stating a new transaction (kind, amount, merchant or category, day) and its Written."""
    income = txn.kind == TransactionKind.INCOME
    category = CategoryName(txn.category or ("other_income" if income else "other"))
    values = {"amount": txn.amount, "category": category, "day": txn.occurred_on}
    if income and txn.merchant:
        key, values = "income_recorded_from", {**values, "merchant": txn.merchant}  # the payer said back
    elif income:
        key = "income_recorded"
    elif txn.merchant:
        key, values = "expense_recorded", {**values, "merchant": txn.merchant}
    else:
        key = "expense_recorded_no_merchant"
    written = Written("recorded", txn.id, txn.amount, txn.occurred_on, txn.merchant or category.key, income)
    return Line(key, values), written


def account(accounts: list[Account], txn: Transaction) -> list[Line]:
    """The account a write went to, said only when the user has several (one account goes without saying)."""
    if len(accounts) < 2:
        return []
    names = {a.id: a.name for a in accounts}
    return [Line("on_account", {"account": names.get(txn.account_id, "?")})]


def described(txn: Transaction) -> dict[str, object]:
    """Values naming an existing transaction in a question or a change: amount, label, day."""
    label: object = txn.merchant or CategoryName(txn.category or "other")
    return {"amount": txn.amount, "label": label, "day": txn.occurred_on}


def budget(status: BudgetStatus) -> Line:
    category = CategoryName(status.budget.category)
    # A household's shared budget says so ("House groceries budget"): members share it.
    house = "house_" if status.budget.household_id is not None else ""
    if status.left.amount < 0:
        over = Money(-status.left.amount, status.left.currency)
        return Line(
            f"{house}budget_over",
            {"category": category, "spent": status.spent, "budget": status.budget.amount, "over": over},
        )
    return Line(
        f"{house}budget_line",
        {"category": category, "spent": status.spent, "budget": status.budget.amount, "left": status.left},
    )


def alert(crossing: BudgetThresholdCrossed) -> Line:
    """alert_over once spending is past the budget, else alert_threshold with the percentage (a 100% crossing
    that lands exactly on the budget is "100%")."""
    values: dict[str, object] = {
        "category": CategoryName(crossing.category),
        "spent": crossing.spent,
        "budget": crossing.budget,
    }
    house = "house_" if crossing.shared else ""
    if crossing.threshold >= 100 and crossing.spent > crossing.budget:
        return Line(f"{house}alert_over", {**values, "over": crossing.spent - crossing.budget})
    return Line(f"{house}alert_threshold", {**values, "percent": Decimal(crossing.threshold) / 100})


def low_balance_line(event: LowBalance) -> Line:
    """ "⚠️ Main is at R$ 80,00, under the R$ 100,00 you set": in the reply of the write, or pushed."""
    return Line(
        "low_balance", {"account": event.account, "balance": event.balance, "threshold": event.threshold}
    )
