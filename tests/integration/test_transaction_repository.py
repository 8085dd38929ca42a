"""The transaction repository on PostgreSQL and SQLite: exact money, idempotency, filters, ordering, sums."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from adapters.db import Database
from domain.errors import Conflict, NotFound
from domain.model import Period, Source, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 10, 15, 30, 45, 123456, tzinfo=UTC)


@pytest.mark.parametrize(
    ("amount", "currency"),
    [("0.01", "BRL"), ("45.90", "BRL"), ("92233720368547758.07", "BRL"), ("1000", "JPY"), ("1.234", "BHD")],
)
async def test_transaction_amounts_are_exact(
    database: Database, make_tenant, amount: str, currency: str
) -> None:
    seed = await make_tenant(database)
    tx = seed.expense(amount, date(2025, 3, 10), currency, merchant="Padaria", category="dining", note="pão")
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.transactions.add(tx)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        stored = await uow.transactions.get(tx.id)
    assert stored == tx
    assert stored is not None and str(stored.amount.amount) == amount and stored.amount.currency == currency
    assert stored.created_at is not None and stored.created_at.tzinfo is UTC


async def test_transaction_update_undo_and_latest(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    first = seed.expense("10.00", date(2025, 3, 1), source_ref="wamid.1", created_at=AT)
    second = seed.expense(
        "20.00", date(2025, 3, 2), source_ref="wamid.2", created_at=AT + timedelta(seconds=1)
    )
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.transactions.add(first)
        await uow.transactions.add(second)
        assert await uow.transactions.latest(seed.user.id) == second
        assert await uow.transactions.latest(seed.user.id, deleted=True) is None
        second.deleted_at = AT + timedelta(minutes=5)
        second.amount = Money.of("21.50", "BRL")
        second.category = "groceries"
        await uow.transactions.update(second)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.transactions.latest(seed.user.id) == first
        assert await uow.transactions.latest(seed.user.id, deleted=True) == second
        assert await uow.transactions.get_by_source(Source.CHAT, "wamid.2") == second
        assert await uow.transactions.get_by_source("chat", "wamid.404") is None
        with pytest.raises(NotFound):
            await uow.transactions.update(seed.expense("1.00", date(2025, 3, 1)))


async def test_a_source_is_recorded_once(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    original = seed.expense("10.00", date(2025, 3, 1), source_ref="SM123")
    replay = seed.expense("10.00", date(2025, 3, 1), source_ref="SM123")
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.transactions.add(original)
        with pytest.raises(Conflict) as error:
            await uow.transactions.add(replay)
        assert error.value.field == "source_ref"
        # The loser of an idempotency race can still read the winner in the same unit of work.
        assert await uow.transactions.get_by_source("chat", "SM123") == original
        await uow.transactions.add(
            seed.expense("10.00", date(2025, 3, 1), source=Source.ADMIN_API, source_ref="SM123")
        )
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert len(await uow.transactions.list(TransactionFilter(seed.user.id))) == 2


async def test_list_filters_and_orders_newest_first(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    mar = Period(date(2025, 3, 1), date(2025, 3, 31))
    rows = [
        a := seed.expense("12.30", date(2025, 3, 5), merchant="Uber", category="transport", created_at=AT),
        b := seed.expense("7.70", date(2025, 3, 5), merchant="UBER", category="transport", created_at=AT),
        c := seed.expense(
            "45.90", date(2025, 3, 20), merchant="São João", category="groceries", created_at=AT
        ),
        d := seed.expense("5.00", date(2025, 2, 28), merchant="Uber", category="transport", created_at=AT),
        e := seed.expense(
            "3.00", date(2025, 3, 6), "USD", merchant="uber", category="transport", created_at=AT
        ),
        f := seed.expense(
            "3000", date(2025, 3, 1), kind=TransactionKind.INCOME, category="salary", created_at=AT
        ),
        g := seed.expense("99.00", date(2025, 3, 7), category="dining", deleted_at=AT, created_at=AT),
    ]
    async with database.unit_of_work(seed.tenant.id) as uow:
        for tx in rows:
            await uow.transactions.add(tx)
        await uow.commit()

    async def ids(limit: int | None = None, **criteria) -> list[uuid.UUID]:
        async with database.unit_of_work(seed.tenant.id) as uow:
            found = await uow.transactions.list(TransactionFilter(seed.user.id, **criteria), limit)
        return [tx.id for tx in found]

    # Same day and same created_at: insertion order breaks the tie, newest first.
    assert await ids() == [c.id, e.id, b.id, a.id, f.id, d.id]
    assert await ids(limit=2) == [c.id, e.id]
    assert await ids(include_deleted=True) == [c.id, g.id, e.id, b.id, a.id, f.id, d.id]
    assert await ids(kind=TransactionKind.INCOME) == [f.id]
    assert await ids(period=mar, category="transport") == [e.id, b.id, a.id]
    assert await ids(merchant="uber", currency="BRL") == [b.id, a.id, d.id]
    assert await ids(merchant="SÃO JOÃO") == [c.id]
    assert await ids(currency="usd") == [e.id]
    assert await ids(account_id=uuid.uuid4()) == []


async def test_aggregate_always_groups_by_currency(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    rows = [
        seed.expense("12.30", date(2025, 3, 5), merchant="Uber", category="transport"),
        seed.expense("7.71", date(2025, 3, 6), merchant="uber", category="transport"),
        seed.expense("3.00", date(2025, 3, 6), "USD", merchant="UBER", category="transport"),
        seed.expense("45.90", date(2025, 3, 20), merchant="Mercado", category="groceries"),
        seed.expense("0.10", date(2025, 3, 21), category=None),
        seed.expense("3000", date(2025, 3, 1), kind=TransactionKind.INCOME, category="salary"),
        seed.expense("99.00", date(2025, 3, 7), category="transport", deleted_at=AT),
    ]
    async with database.unit_of_work(seed.tenant.id) as uow:
        for tx in rows:
            await uow.transactions.add(tx)
        spent = TransactionFilter(seed.user.id, kind=TransactionKind.EXPENSE)
        by_category = {
            agg.key: (agg.total, agg.count) for agg in await uow.transactions.aggregate(spent, ("category",))
        }
        by_currency = await uow.transactions.aggregate(TransactionFilter(seed.user.id), ())
        by_merchant = await uow.transactions.aggregate(spent, ("merchant",))
        by_kind = await uow.transactions.aggregate(TransactionFilter(seed.user.id), ("currency", "kind"))
        with pytest.raises(ValueError):
            await uow.transactions.aggregate(spent, ("note",))  # type: ignore[arg-type]
    assert by_category == {
        ("transport", "BRL"): (Money.of("20.01", "BRL"), 2),
        ("transport", "USD"): (Money.of("3.00", "USD"), 1),
        ("groceries", "BRL"): (Money.of("45.90", "BRL"), 1),
        (None, "BRL"): (Money.of("0.10", "BRL"), 1),
    }
    assert {agg.key: agg.total for agg in by_currency} == {
        ("BRL",): Money.of("3066.01", "BRL"),
        ("USD",): Money.of("3.00", "USD"),
    }
    merchants = {(str(agg.key[0]).casefold(), agg.key[1]): agg.count for agg in by_merchant}
    assert merchants == {("uber", "BRL"): 2, ("uber", "USD"): 1, ("mercado", "BRL"): 1, ("none", "BRL"): 1}
    kinds = {agg.key: agg.total for agg in by_kind}
    assert kinds[("BRL", TransactionKind.INCOME)] == Money.of("3000", "BRL")
    assert all(isinstance(key[1], TransactionKind) for key in kinds)


async def test_naive_timestamps_are_refused(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    tx = seed.expense("10.00", date(2025, 3, 1), created_at=datetime(2025, 3, 1, 12, 0))
    async with database.unit_of_work(seed.tenant.id) as uow:
        with pytest.raises(sa.exc.StatementError, match="timezone-aware"):
            await uow.transactions.add(tx)
