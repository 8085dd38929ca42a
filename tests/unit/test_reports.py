"""Balances per account and currency, transaction lists, spending summaries against the period before."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain import services
from domain.commands import AddAccount, GetBalance, GetSpendingSummary, ListTransactions, UndoLast
from domain.errors import NotFound, ValidationError
from domain.model import Period
from domain.money import Money
from domain.results import CategoryTotal, MerchantTotal
from tests.unit.world import World


def brl(text: str) -> Money:
    return Money.of(text, "BRL")


async def test_balance_per_account_and_currency_with_opening_balance() -> None:
    world = await World.create()
    checking = await world.run(
        services.add_account,
        AddAccount(user_id=world.user.id, name="Conta", kind="checking", opening_balance="1000.00"),
    )
    await world.income("3500.00", category="salary", account_id=checking.id)
    await world.expense("200.50", account_id=checking.id)
    await world.expense("45.90")  # default cash account
    await world.expense("20.00", currency="USD")  # cash, abroad
    await world.expense("999.99")
    await world.run(services.undo_last, UndoLast(world.user.id))  # undone: not counted

    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    cash, bank = balance.accounts
    assert cash.account.is_default and cash.account.name == "Main"
    assert cash.balances == {"BRL": brl("-45.90"), "USD": Money.of("-20.00", "USD")}
    assert bank.account.id == checking.id
    assert bank.balances == {"BRL": brl("4299.50")}
    assert balance.totals == {"BRL": brl("4253.60"), "USD": Money.of("-20.00", "USD")}


async def test_balance_of_a_new_user_is_zero_in_their_currency() -> None:
    world = await World.create()
    balance = await world.read(services.get_balance, GetBalance(world.user.id))
    assert balance.totals == {"BRL": brl("0")}


async def test_list_is_newest_first_with_filters_and_without_undone() -> None:
    world = await World.create()
    a = (await world.expense("10", merchant="Uber", category="transport", on=date(2024, 3, 14))).transaction
    b = (await world.expense("20", merchant="Mercado", on=date(2024, 3, 15))).transaction
    c = (await world.expense("30", merchant="uber", category="transport", on=date(2024, 3, 14))).transaction
    d = (await world.income("100", category="salary", on=date(2024, 2, 1))).transaction
    await world.expense("40")
    await world.run(services.undo_last, UndoLast(world.user.id))

    async def ids(**kwargs: Any) -> list[Any]:
        txns = await world.read(services.list_transactions, ListTransactions(world.user.id, **kwargs))
        return [t.id for t in txns]

    assert await ids() == [b.id, c.id, a.id, d.id]
    assert await ids(limit=2) == [b.id, c.id]
    assert await ids(merchant="UBER") == [c.id, a.id]
    assert await ids(category="transport", limit=1) == [c.id]
    assert await ids(kind="income") == [d.id]
    assert await ids(period=Period(date(2024, 3, 1), date(2024, 3, 14))) == [c.id, a.id]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"kind": "gift"}, "kind"),
        ({"category": "beer"}, "category"),
        ({"period": "this month"}, "period"),
    ],
)
async def test_list_refuses_bad_filters(overrides: dict[str, Any], field: str) -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as err:
        await world.read(services.list_transactions, ListTransactions(world.user.id, **overrides))
    assert err.value.field == field


async def test_summary_of_this_month_against_the_same_number_of_days_before() -> None:
    world = await World.create()
    # March 2024 is 31 days; the previous period is the 31 days before: 30 Jan .. 29 Feb.
    await world.expense("100.00", "groceries", merchant="Mercado", on=date(2024, 3, 2))
    await world.expense("50.00", "groceries", merchant="mercado", on=date(2024, 3, 10))
    await world.expense("80.00", "dining", merchant="Restaurante", on=date(2024, 3, 12))
    await world.expense("20.00", "transport", merchant="Uber", on=date(2024, 3, 15))
    await world.expense("5.00", None, on=date(2024, 3, 15))
    await world.expense("30.00", "dining", currency="USD", on=date(2024, 3, 5))  # reported apart
    await world.expense("170.00", "groceries", on=date(2024, 1, 30))  # previous period
    await world.expense("30.00", "dining", on=date(2024, 2, 29))
    await world.expense("999.00", "dining", on=date(2024, 1, 29))  # before the previous period
    await world.income("5000.00", category="salary")  # not spending

    summary = await world.run(services.spending_summary, GetSpendingSummary(world.user.id, top_merchants=2))
    assert summary.period == Period(date(2024, 3, 1), date(2024, 3, 31))
    assert summary.previous_period == Period(date(2024, 1, 30), date(2024, 2, 29))
    assert summary.currency == "BRL"
    assert (summary.total, summary.count) == (brl("255.00"), 5)
    assert summary.by_category == (
        CategoryTotal("groceries", brl("150.00"), 2),
        CategoryTotal("dining", brl("80.00"), 1),
        CategoryTotal("transport", brl("20.00"), 1),
        CategoryTotal(None, brl("5.00"), 1),
    )
    assert summary.top_merchants == (
        MerchantTotal("Mercado", brl("150.00"), 2),
        MerchantTotal("Restaurante", brl("80.00"), 1),
    )
    assert summary.previous_total == brl("200.00")
    assert summary.change == Decimal("0.275")
    assert summary.other_currencies == {"USD": Money.of("30.00", "USD")}


async def test_summary_change_is_none_without_previous_spending_and_filters_apply() -> None:
    world = await World.create()
    await world.expense("20.00", "transport", merchant="Uber")
    await world.expense("80.00", "dining")
    query = GetSpendingSummary(world.user.id, category="transport")
    summary = await world.run(services.spending_summary, query)
    assert summary.total == brl("20.00")
    assert summary.change is None

    week = Period(date(2024, 3, 11), date(2024, 3, 17))
    summary = await world.run(
        services.spending_summary, GetSpendingSummary(world.user.id, period=week, merchant="uber")
    )
    assert summary.previous_period == Period(date(2024, 3, 4), date(2024, 3, 10))
    assert summary.count == 1


async def test_summary_refusals() -> None:
    world = await World.create()
    with pytest.raises(ValidationError) as err:
        await world.run(services.spending_summary, GetSpendingSummary(world.user.id, top_merchants=-1))
    assert err.value.field == "top_merchants"
    with pytest.raises(NotFound):
        await world.run(services.spending_summary, GetSpendingSummary(world.tenant.id))
