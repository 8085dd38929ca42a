"""The use cases on the real databases: concurrent writers, one alert per threshold, refusals."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from adapters.db import Database, tables
from domain import services
from domain.commands import GetBalance, GetBudgetStatus, RecordTransaction, SetBudget
from domain.errors import ValidationError
from domain.events import BudgetThresholdCrossed
from domain.model import Recurrence, TransactionKind
from domain.money import Money

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


class PinnedClock:
    def now(self) -> datetime:
        return NOW


async def _expense(db: Database, seeded, amount: str, **fields) -> object:
    cmd = RecordTransaction(user_id=seeded.user.id, kind=TransactionKind.EXPENSE, amount=amount, **fields)
    async with db.unit_of_work(seeded.tenant.id) as uow:
        return await services.record_transaction(cmd, uow, PinnedClock())


async def _count(db: Database, seeded, table: str) -> int:
    rows = getattr(tables, table)
    async with db.unit_of_work(seeded.tenant.id) as uow:
        result = await uow.execute(
            sa.select(sa.func.count()).select_from(rows).where(rows.c.tenant_id == seeded.tenant.id)
        )
        return int(result.scalar_one())


async def test_200_concurrent_expenses_are_all_recorded_and_the_balance_is_exact(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    # Amounts with cents in every position: a float anywhere on the way would show in the total.
    amounts = [f"{i}.{i % 100:02d}" for i in range(1, 201)]
    results = await asyncio.gather(
        *(_expense(database, seeded, a, merchant=f"m{i}") for i, a in enumerate(amounts))
    )
    assert all(r.created for r in results)
    assert await _count(database, seeded, "transactions") == 200

    async with database.unit_of_work(seeded.tenant.id) as uow:
        balance = await services.get_balance(GetBalance(user_id=seeded.user.id), uow)
    spent = sum((Decimal(a) for a in amounts), Decimal(0))
    assert balance.totals["BRL"] == Money.of("100.00", "BRL") - Money(spent, "BRL")
    assert balance.totals["BRL"].amount == Decimal("100.00") - Decimal("20199.00")


async def test_50_concurrent_expenses_crossing_a_threshold_raise_it_exactly_once(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    async with database.unit_of_work(seeded.tenant.id) as uow:
        await services.set_budget(
            SetBudget(
                user_id=seeded.user.id, amount="1000", recurrence=Recurrence.MONTHLY, category="dining"
            ),
            uow,
            PinnedClock(),
        )
    # 50 x 17 = 850: crosses 80% (800) once, never reaches 100%.
    results = await asyncio.gather(*(_expense(database, seeded, "17", category="dining") for _ in range(50)))

    crossings = [c for r in results for c in r.crossings]
    assert len(crossings) == 1
    assert isinstance(crossings[0], BudgetThresholdCrossed) and crossings[0].threshold == 80
    # The event that crossed saw exactly the spending that crossed it: serialized writers, no lost updates.
    assert Money.of("800", "BRL") <= crossings[0].spent < Money.of("817", "BRL")
    assert await _count(database, seeded, "budget_crossings") == 1
    async with database.unit_of_work(seeded.tenant.id) as uow:
        rows = await uow.execute(
            sa.select(tables.outbox.c.event_type).where(tables.outbox.c.tenant_id == seeded.tenant.id)
        )
        kinds = [row.event_type for row in rows]
        status = await services.budget_status(GetBudgetStatus(user_id=seeded.user.id), uow, PinnedClock())
    assert kinds.count("BudgetThresholdCrossed") == 1
    assert kinds.count("TransactionRecorded") == 50
    assert status[0].spent == Money.of("850", "BRL")


async def test_the_same_message_recorded_concurrently_is_one_transaction(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    results = await asyncio.gather(
        *(_expense(database, seeded, "45.90", merchant="Mercado", source_ref="SM123") for _ in range(20))
    )
    assert sum(r.created for r in results) == 1
    assert len({r.transaction.id for r in results}) == 1
    assert await _count(database, seeded, "transactions") == 1


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (dict(amount="-5"), "amount"),
        (dict(amount="0"), "amount"),
        (dict(amount="10", currency="XYZ"), "currency"),
        (dict(amount="10.123"), "amount"),
        (dict(amount="10", category="bananas"), "category"),
    ],
)
async def test_refused_expenses_write_nothing(
    database: Database, make_tenant, command: dict, field: str
) -> None:
    seeded = await make_tenant(database)
    with pytest.raises(ValidationError) as refused:
        await _expense(database, seeded, **command)
    assert refused.value.field == field
    for table in ("transactions", "outbox", "budget_crossings", "audit_log"):
        assert await _count(database, seeded, table) == 0


async def test_a_budget_with_no_amount_is_refused_and_not_stored(database: Database, make_tenant) -> None:
    seeded = await make_tenant(database)
    with pytest.raises(ValidationError) as refused:
        async with database.unit_of_work(seeded.tenant.id) as uow:
            await services.set_budget(SetBudget(user_id=seeded.user.id, amount=None), uow, PinnedClock())
    assert refused.value.field == "amount"
    assert await _count(database, seeded, "budgets") == 0
