"""Money lent and paid back (category "loans"): balances count it, spending, earning and budgets do not."""

from __future__ import annotations

from domain import services
from domain.commands import GetBalance, GetBudgetStatus, GetSpendingSummary, ListTransactions, SetBudget
from domain.model import LOANS, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter
from tests.unit.world import World


def brl(text: str) -> Money:
    return Money.of(text, "BRL")


async def test_a_loan_moves_the_balance_but_not_spending_income_or_an_all_spending_budget() -> None:
    world = await World.create()
    await world.run(services.set_budget, SetBudget(user_id=world.user.id, amount="100"))
    await world.expense("40", category="groceries")
    await world.expense("500", category=LOANS, merchant="Juan")  # lent
    await world.income("200", category=LOANS, merchant="Juan")  # got part of it back

    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    assert balance.totals == {"BRL": brl("-340.00")}
    summary = await world.run(services.spending_summary, GetSpendingSummary(world.user.id))
    assert summary.total == brl("40.00")
    assert [row.category for row in summary.by_category] == ["groceries"]
    (status,) = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert status.spent == brl("40.00")
    async with world.uow() as uow:
        earned = await uow.transactions.aggregate(
            TransactionFilter(user_id=world.user.id, kind=TransactionKind.INCOME), by=("currency",)
        )
        lent = await uow.transactions.aggregate(
            TransactionFilter(user_id=world.user.id, kind=TransactionKind.EXPENSE, category=LOANS),
            by=("currency",),
        )
    assert earned == []
    assert [row.total for row in lent] == [brl("500.00")]


async def test_loans_are_listed_with_the_person_as_payee() -> None:
    world = await World.create()
    await world.expense("500", category=LOANS, merchant="Juan")
    rows = await world.read(services.list_transactions, ListTransactions(world.user.id))
    assert [(t.merchant, t.category, t.kind) for t in rows] == [("Juan", LOANS, TransactionKind.EXPENSE)]


async def test_an_other_currency_is_summarised_in_its_own_categories() -> None:
    world = await World.create()
    await world.expense("573.38", category="groceries")
    await world.expense("899", category="travel", currency="EUR")
    await world.expense("20", category="dining", currency="EUR")
    summary = await world.run(services.spending_summary, GetSpendingSummary(world.user.id))
    assert summary.total == brl("573.38")
    assert summary.other_currencies == {"EUR": Money.of("919.00", "EUR")}
    assert [(r.category, r.total) for r in summary.other_by_category["EUR"]] == [
        ("travel", Money.of("899.00", "EUR")),
        ("dining", Money.of("20.00", "EUR")),
    ]
