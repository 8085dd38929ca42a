"""Expenses per calendar month with the monthly budget of the same scope (the monthly chart's numbers)."""

from __future__ import annotations

from datetime import date

import pytest

from domain import services
from domain.commands import GetMonthlySpending, UndoLast
from domain.errors import ValidationError
from domain.money import Money
from tests.unit.world import World


def brl(text: str) -> Money:
    return Money.of(text, "BRL")


async def test_each_month_of_the_range_oldest_first_with_zero_for_a_month_without_spending() -> None:
    world = await World.create()  # 15 March 2024, São Paulo
    await world.expense("100.00", on=date(2024, 1, 31))
    await world.expense("20.50", "dining", on=date(2024, 3, 1))
    await world.expense("9.50", on=date(2024, 3, 14))
    await world.expense("7.00", on=date(2023, 12, 31))  # before the range
    await world.expense("30.00", currency="USD", on=date(2024, 3, 2))  # another currency: apart
    await world.expense("999.99", on=date(2024, 3, 5))
    await world.run(services.undo_last, UndoLast(world.user.id))  # undone: not counted

    result = await world.run(services.monthly_spending, GetMonthlySpending(world.user.id, months=3))

    assert [(m.month.start, m.month.end, m.total) for m in result.months] == [
        (date(2024, 1, 1), date(2024, 1, 31), brl("100.00")),
        (date(2024, 2, 1), date(2024, 2, 29), brl("0.00")),
        (date(2024, 3, 1), date(2024, 3, 31), brl("30.00")),
    ]
    assert result.total == brl("130.00")
    assert result.other_currencies == {"USD": Money.of("30.00", "USD")}
    assert result.budget is None


async def test_the_budget_is_the_monthly_one_of_the_same_scope_in_the_users_currency() -> None:
    world = await World.create()
    await world.budget("1500.00", category=None)  # monthly, all spending
    await world.budget("400.00", category="groceries")
    await world.budget("100.00", category=None, recurrence="weekly")  # weekly: no monthly line
    await world.expense("50.00", "groceries", on=date(2024, 3, 3))
    await world.expense("25.00", "dining", on=date(2024, 3, 3))

    overall = await world.run(services.monthly_spending, GetMonthlySpending(world.user.id, months=1))
    groceries = await world.run(
        services.monthly_spending, GetMonthlySpending(world.user.id, months=1, category="groceries")
    )

    assert (overall.months[0].total, overall.budget) == (brl("75.00"), brl("1500.00"))
    assert (groceries.months[0].total, groceries.budget) == (brl("50.00"), brl("400.00"))


async def test_the_range_ends_with_the_month_asked_and_crosses_years() -> None:
    world = await World.create()
    query = GetMonthlySpending(world.user.id, months=3, until=date(2024, 2, 10))
    result = await world.run(services.monthly_spending, query)
    assert [m.month.start for m in result.months] == [date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]


@pytest.mark.parametrize("months", [0, 25])
async def test_a_count_of_months_out_of_range_is_refused(months: int) -> None:
    world = await World.create()
    with pytest.raises(ValidationError):
        await world.run(services.monthly_spending, GetMonthlySpending(world.user.id, months=months))
