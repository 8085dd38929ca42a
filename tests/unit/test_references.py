"""Finding earlier transactions by what is said of them, changing one of them, and taking that change back."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from domain import income, references, search
from domain.errors import NotFound
from domain.model import Period, TransactionKind
from domain.money import Money
from tests.unit.world import World

TODAY = date(2024, 3, 15)


async def test_a_merchant_named_is_its_merchant_or_in_its_note_and_amount_and_day_narrow_it() -> None:
    world = await World.create()
    uber = (await world.expense("23.40", "transport", merchant="Uber")).transaction
    older = (
        await world.expense("12.00", "transport", merchant="Uber", on=TODAY - timedelta(days=1))
    ).transaction
    noted = (await world.expense("9.00", "transport", note="uber pro aeroporto")).transaction
    await world.expense("30.00", "transport", merchant="99")
    async with world.uow() as uow:
        found = await search.find(uow, world.user.id, search.Wanted(merchant="uber"), TODAY)
        assert {t.id for t in found} == {uber.id, older.id, noted.id}
        by_amount = await search.find(
            uow, world.user.id, search.Wanted(merchant="Uber", amount=Decimal("12")), TODAY
        )
        assert [t.id for t in by_amount] == [older.id]
        by_day = await search.find(uow, world.user.id, search.Wanted(merchant="Uber", day=TODAY), TODAY)
        assert {t.id for t in by_day} == {uber.id, noted.id}


async def test_words_match_the_note_or_merchant_and_a_category_alone_matches_the_category() -> None:
    world = await World.create()
    couch = (await world.expense("450", "housing", note="sofá")).transaction
    rent = (await world.expense("1500", "housing", note="aluguel")).transaction
    async with world.uow() as uow:
        assert [
            t.id for t in await search.find(uow, world.user.id, search.Wanted(words=("sofa",)), TODAY)
        ] == [couch.id]
        housing = await search.find(uow, world.user.id, search.Wanted(category="housing"), TODAY)
        assert {t.id for t in housing} == {couch.id, rent.id}
        assert await search.find(uow, world.user.id, search.Wanted(words=("cadeira",)), TODAY) == []


async def test_the_window_is_the_last_60_days_and_deleted_or_other_users_rows_never_match() -> None:
    world = await World.create()
    other = await world.add_user("+5511900000001")
    await world.expense("10", "transport", merchant="Uber", on=TODAY - timedelta(days=60))
    inside = (
        await world.expense("11", "transport", merchant="Uber", on=TODAY - timedelta(days=59))
    ).transaction
    await world.expense("12", "transport", merchant="Uber", user_id=other.id)
    gone = (await world.expense("13", "transport", merchant="Uber")).transaction
    async with world.uow() as uow:
        await references.delete_own(uow, world.clock, world.user.id, gone.id)
    async with world.uow() as uow:
        found = await search.find(uow, world.user.id, search.Wanted(merchant="Uber"), TODAY)
    assert [t.id for t in found] == [inside.id]


async def test_totals_never_add_currencies() -> None:
    world = await World.create()
    await world.expense("10", merchant="Uber", currency="BRL")
    await world.expense("5", merchant="Uber", currency="USD")
    await world.expense("7", merchant="Uber", currency="BRL")
    async with world.uow() as uow:
        rows = await search.find(uow, world.user.id, search.Wanted(merchant="Uber"), TODAY)
    assert search.totals(rows, TransactionKind.EXPENSE) == [Money.of("17", "BRL"), Money.of("5", "USD")]


async def test_another_users_transaction_is_refused_as_missing_and_left_alone() -> None:
    world = await World.create()
    other = await world.add_user("+5511900000001")
    theirs = (await world.expense("10", merchant="Uber", user_id=other.id)).transaction
    async with world.uow() as uow:
        with pytest.raises(NotFound):
            await references.delete_own(uow, world.clock, world.user.id, theirs.id)
        with pytest.raises(NotFound):
            await references.edit_own(uow, world.clock, world.user.id, theirs.id, amount=Decimal("1"))
    assert not world.db.store.transactions[theirs.id].is_deleted


async def test_undo_takes_back_the_latest_change_by_reference_only_while_nothing_was_recorded_since() -> None:
    world = await World.create()
    first = (await world.expense("10", merchant="Netflix")).transaction
    world.clock.advance(minutes=1)
    await world.expense("20", merchant="Uber")
    world.clock.advance(minutes=1)
    async with world.uow() as uow:
        await references.edit_own(uow, world.clock, world.user.id, first.id, amount=Decimal("12"))
    async with world.uow() as uow:
        record = await references.latest_change(uow, world.user.id)
        assert record is not None and record.action == "edit"
        result = await references.revert(uow, world.clock, world.user.id, record)
    assert result.after.amount == Money.of("10", "BRL")
    async with world.uow() as uow:
        assert await references.latest_change(uow, world.user.id) is None  # a revert is not taken back again
        assert [r.action for r in await uow.audit.list_for(first.id)] == ["edit", "revert"]

    async with world.uow() as uow:
        await references.delete_own(uow, world.clock, world.user.id, first.id)
    world.clock.advance(minutes=1)
    await world.expense("5", merchant="Padaria")
    async with world.uow() as uow:
        assert await references.latest_change(uow, world.user.id) is None  # recorded since: undo is as before


async def test_an_edit_of_the_latest_transaction_is_left_to_the_plain_undo() -> None:
    world = await World.create()
    latest = (await world.expense("10", merchant="Uber")).transaction
    world.clock.advance(minutes=1)
    async with world.uow() as uow:
        await references.edit_own(uow, world.clock, world.user.id, latest.id, amount=Decimal("11"))
    async with world.uow() as uow:
        assert await references.latest_change(uow, world.user.id) is None


async def test_income_by_category_and_payer_and_the_month_against_the_one_before() -> None:
    world = await World.create()
    await world.income("3000", category="salary", merchant="ACME")
    await world.income("200", merchant="Uber")
    await world.income("50", currency="USD")
    await world.expense("800", "housing")
    await world.income("2000", category="salary", on=date(2024, 2, 10))
    await world.expense("1500", "housing", on=date(2024, 2, 11))
    march = Period(date(2024, 3, 1), date(2024, 3, 31))
    async with world.uow() as uow:
        got = await income.income(uow, world.user.id, march)
        seen = await income.overview(uow, world.user.id, march)
    assert got.totals == [Money.of("3200", "BRL"), Money.of("50", "USD")]
    assert ("salary", Money.of("3000", "BRL")) in got.by_category
    assert got.by_payer == [("ACME", Money.of("3000", "BRL")), ("Uber", Money.of("200", "BRL"))]
    brl = next(n for n in seen.current if n.currency == "BRL")
    assert (brl.income, brl.spent, brl.net) == (
        Money.of("3200", "BRL"),
        Money.of("800", "BRL"),
        Money.of("2400", "BRL"),
    )
    assert brl.rate == Decimal("0.75")
    assert seen.previous_period == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert [(n.currency, n.net, n.rate) for n in seen.previous] == [
        ("BRL", Money.of("500", "BRL"), Decimal("0.25"))
    ]
    usd = next(n for n in seen.current if n.currency == "USD")
    assert usd.spent == Money.zero("USD") and usd.rate == Decimal(1)
