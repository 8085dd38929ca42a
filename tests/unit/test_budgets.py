"""Budgets: setting and replacing them, and where they stand (spent, left, per day, projection)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain import services
from domain.commands import GetBudgetStatus, SetBudget
from domain.errors import NotFound, ValidationError
from domain.model import DEFAULT_THRESHOLDS, Period, Recurrence
from domain.money import Money
from tests.unit.world import World


def brl(text: str) -> Money:
    return Money.of(text, "BRL")


async def test_set_budget_creates_then_replaces_the_same_budget() -> None:
    world = await World.create()
    status = await world.budget("1000")
    budget = status.budget
    assert (budget.amount, budget.category) == (brl("1000"), "groceries")
    assert budget.recurrence is Recurrence.MONTHLY
    assert budget.thresholds == DEFAULT_THRESHOLDS

    world.clock.advance(hours=1)
    replaced = await world.budget("1200.50", thresholds=(100, 50, 50, 90))
    assert replaced.budget.id == budget.id
    assert replaced.budget.amount == brl("1200.50")
    assert replaced.budget.thresholds == (50, 90, 100)
    assert replaced.budget.updated_at == world.clock.now()
    assert len(world.db.store.budgets) == 1

    # Another recurrence or category is another budget.
    await world.budget("300", recurrence="weekly")
    await world.budget("3000", category=None)
    assert len(world.db.store.budgets) == 3
    assert not world.alerts()  # setting budgets never alerts


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount": None}, "amount"),
        ({"amount": ""}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-100"}, "amount"),
        ({"amount": "100.001"}, "amount"),
        ({"amount": 100.0}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"category": "beer"}, "category"),
        ({"recurrence": "daily"}, "recurrence"),
        ({"thresholds": (0,)}, "thresholds"),
        ({"thresholds": (501,)}, "thresholds"),
        ({"thresholds": (80.5,)}, "thresholds"),
        ({"thresholds": (True,)}, "thresholds"),
        ({"thresholds": "80"}, "thresholds"),
    ],
)
async def test_bad_budgets_are_refused_naming_the_field_and_nothing_is_written(
    overrides: dict[str, Any], field: str
) -> None:
    world = await World.create()
    before = world.snapshot()
    fields: dict[str, Any] = {"user_id": world.user.id, "amount": "1000", "category": "groceries"}
    fields.update(overrides)
    with pytest.raises(ValidationError) as err:
        await world.run(services.set_budget, SetBudget(**fields))
    assert err.value.field == field
    assert world.snapshot() == before


async def test_monthly_status_numbers_on_a_pinned_clock() -> None:
    world = await World.create()  # Friday 15 March 2024, 09:00 in São Paulo
    await world.budget("1000")
    await world.expense("300.00", on=date(2024, 3, 2))
    await world.expense("150.00")
    await world.expense("70.00", "dining")  # another category
    await world.expense("500.00", on=date(2024, 2, 29))  # last month

    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id, category="groceries"))
    assert status.period == Period(date(2024, 3, 1), date(2024, 3, 31))
    assert status.spent == brl("450.00")
    assert status.left == brl("550.00")
    assert status.share_used == Decimal("0.45")
    assert status.days_left == 17  # 15..31, today included
    assert status.left_per_day == brl("32.35")  # 550 / 17 = 32.3529..., rounded down
    assert status.projected == brl("930.00")  # 450 / 15 days * 31 days
    assert status.uncounted == {}


async def test_weekly_budget_runs_monday_to_sunday() -> None:
    world = await World.create()
    await world.budget("500", recurrence="weekly")
    await world.expense("100.00", on=date(2024, 3, 10))  # Sunday: the week before
    await world.expense("120.00", on=date(2024, 3, 11))  # Monday: this week
    await world.expense("180.00")  # Friday

    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert status.period == Period(date(2024, 3, 11), date(2024, 3, 17))
    assert status.spent == brl("300.00")
    assert status.left == brl("200.00")
    assert status.share_used == Decimal("0.6")
    assert status.days_left == 3
    assert status.left_per_day == brl("66.66")  # rounded down, so following it never overspends
    assert status.projected == brl("420.00")  # 300 / 5 days * 7 days


async def test_over_budget_leaves_nothing_per_day() -> None:
    world = await World.create()
    await world.budget("100")
    await world.expense("130.00")
    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert status.left == brl("-30.00")
    assert status.share_used == Decimal("1.3")
    assert status.left_per_day == brl("0")


async def test_overall_budget_counts_every_category_and_uncategorised() -> None:
    world = await World.create()
    await world.budget("2000", category=None)
    await world.expense("100.00", "groceries")
    await world.expense("50.00", "dining")
    await world.expense("25.00", None)
    await world.income("5000.00")
    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id, all_budgets=False))
    assert status.budget.category is None
    assert status.spent == brl("175.00")


async def test_a_usd_expense_is_not_counted_in_a_brl_budget_but_reported_as_uncounted() -> None:
    world = await World.create()
    await world.budget("1000")
    await world.expense("100.00")
    usd = await world.expense("30.00", currency="USD")
    assert usd.budgets == ()  # it counts against no budget
    [status] = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert status.spent == brl("100.00")
    assert status.uncounted == {"USD": Money.of("30.00", "USD")}


async def test_status_of_all_budgets_or_one_category() -> None:
    world = await World.create()
    await world.budget("1000", "groceries")
    await world.budget("300", "groceries", recurrence="weekly")
    await world.budget("400", "dining")
    await world.budget("3000", None)

    every = await world.run(services.budget_status, GetBudgetStatus(world.user.id))
    assert [(s.budget.category, s.budget.recurrence) for s in every] == [
        (None, Recurrence.MONTHLY),
        ("dining", Recurrence.MONTHLY),
        ("groceries", Recurrence.WEEKLY),
        ("groceries", Recurrence.MONTHLY),
    ]
    groceries = await world.run(services.budget_status, GetBudgetStatus(world.user.id, category="groceries"))
    assert len(groceries) == 2
    none = await world.run(services.budget_status, GetBudgetStatus(world.user.id, category="travel"))
    assert none == []
    with pytest.raises(ValidationError):
        await world.run(services.budget_status, GetBudgetStatus(world.user.id, category="beer"))
    with pytest.raises(NotFound):
        await world.run(services.budget_status, GetBudgetStatus(world.tenant.id))


async def test_record_result_carries_the_status_of_the_budgets_it_counts_against() -> None:
    world = await World.create()
    await world.budget("1000", "groceries")
    await world.budget("3000", None)
    await world.budget("400", "dining")
    result = await world.expense("100.00", "groceries")
    assert [(s.budget.category, s.spent) for s in result.budgets] == [
        (None, brl("100.00")),
        ("groceries", brl("100.00")),
    ]
