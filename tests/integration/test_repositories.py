"""Repositories and units of work round-trip every domain type, exactly, on PostgreSQL and on SQLite."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from adapters.db import Database
from adapters.db.tables import outbox
from domain.errors import Conflict, NotFound
from domain.events import BudgetThresholdCrossed, TransactionRecorded
from domain.model import (
    Account,
    AccountKind,
    AuditRecord,
    Budget,
    BudgetCrossing,
    EnrolmentPolicy,
    Language,
    Recurrence,
    Tenant,
    User,
)
from domain.money import Money
from domain.ports import TransactionFilter

pytestmark = pytest.mark.integration

AT = datetime(2025, 3, 10, 15, 30, 45, 123456, tzinfo=UTC)


async def outbox_rows(db: Database, tenant_id: uuid.UUID) -> list[dict]:
    async with db.unit_of_work(tenant_id) as uow:
        query = sa.select(outbox.c.event_type, outbox.c.payload).where(outbox.c.tenant_id == tenant_id)
        return [dict(row) for row in (await uow.execute(query)).mappings()]


async def test_tenant_directory_round_trip(database: Database) -> None:
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=f"acme-{uuid.uuid4().hex[:8]}",
        name="Acme Ltda",
        language=Language.ES,
        locale="es_MX",
        currency="MXN",
        timezone="America/Mexico_City",
        policy=EnrolmentPolicy.CLOSED,
        settings={"inbound_numbers": ["+15550001111"], "alerts": {"digest": True}},
        created_at=AT,
    )
    async with database.directory() as directory:
        await directory.tenants.add(tenant)
        await directory.commit()
    async with database.directory() as directory:
        assert await directory.tenants.get(tenant.id) == tenant
        assert await directory.tenants.get_by_slug(tenant.slug) == tenant
        assert tenant in await directory.tenants.list()
        assert await directory.tenants.get_by_slug("no-such-tenant") is None
        twin = Tenant(uuid.uuid4(), tenant.slug, "Other", Language.EN, "en_US", "USD", "UTC")
        with pytest.raises(Conflict) as error:
            await directory.tenants.add(twin)
        assert error.value.field == "slug"


async def test_user_round_trip_update_and_lock(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    sao_paulo = timezone(timedelta(hours=-3))
    async with database.unit_of_work(seed.tenant.id) as uow:
        user = await uow.users.get(seed.user.id)
        assert user == seed.user
        assert user is not None and user.created_at is not None and user.created_at.tzinfo is UTC
        user.opted_out = {"sms": True}
        user.last_inbound_at = {"whatsapp": datetime(2025, 3, 10, 9, 0, tzinfo=sao_paulo)}
        user.language = Language.EN
        assert user.week_start is None  # a new user's week follows the locale
        user.week_start = "sunday"
        await uow.users.lock(user.id)
        await uow.users.update(user)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        stored = await uow.users.get_by_phone(seed.user.phone)
        assert stored is not None
        assert stored.opted_out == {"sms": True}
        assert stored.language is Language.EN
        assert stored.week_start == "sunday"
        [(channel, moment)] = stored.last_inbound_at.items()
        assert channel == "whatsapp" and moment == datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
        assert moment.utcoffset() == timedelta(0)
        assert await uow.users.list() == [stored]
        ghost = User(uuid.uuid4(), seed.tenant.id, "+1", "x", Language.EN, "en_US", "USD", "UTC")
        with pytest.raises(NotFound):
            await uow.users.update(ghost)


async def test_duplicate_phone_is_a_conflict_and_the_unit_of_work_stays_usable(
    database: Database, make_tenant
) -> None:
    seed = await make_tenant(database)
    twin = User(uuid.uuid4(), seed.tenant.id, seed.user.phone, "Bia", Language.PT, "pt_BR", "BRL", "UTC")
    other = User(uuid.uuid4(), seed.tenant.id, "+5511911112222", "Caio", Language.PT, "pt_BR", "BRL", "UTC")
    async with database.unit_of_work(seed.tenant.id) as uow:
        with pytest.raises(Conflict) as error:
            await uow.users.add(twin)
        assert error.value.field == "phone"
        await uow.users.add(other)  # on PostgreSQL the transaction was not aborted by the conflict
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert {user.phone for user in await uow.users.list()} == {seed.user.phone, other.phone}


async def test_accounts_keep_one_default_per_user(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    savings = Account(
        uuid.uuid4(),
        seed.tenant.id,
        seed.user.id,
        "Poupança",
        AccountKind.SAVINGS,
        "BRL",
        Money.of("1234567.89", "BRL"),
    )
    second_default = Account(
        uuid.uuid4(), seed.tenant.id, seed.user.id, "Outra", AccountKind.CASH, "BRL", Money.zero("BRL"), True
    )
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.accounts.add(savings)
        with pytest.raises(Conflict):
            await uow.accounts.add(second_default)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.accounts.default_for(seed.user.id) == seed.account
        assert await uow.accounts.list_for(seed.user.id) == [seed.account, savings]
        stored = await uow.accounts.get(savings.id)
        assert stored is not None and stored.opening_balance == Money.of("1234567.89", "BRL")


async def test_budgets_for_all_spending_are_unique_too(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)

    def budget(category: str | None, recurrence: Recurrence, amount: str = "500.00") -> Budget:
        return Budget(
            uuid.uuid4(), seed.tenant.id, seed.user.id, category, Money.of(amount, "BRL"), recurrence
        )

    everything = budget(None, Recurrence.MONTHLY)
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.budgets.add(everything)
        with pytest.raises(Conflict):
            await uow.budgets.add(budget(None, Recurrence.MONTHLY, "600.00"))
        weekly = budget(None, Recurrence.WEEKLY)
        food = budget("groceries", Recurrence.MONTHLY)
        await uow.budgets.add(weekly)
        await uow.budgets.add(food)
        with pytest.raises(Conflict):
            await uow.budgets.add(budget("groceries", Recurrence.MONTHLY))
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        found = await uow.budgets.find(seed.user.id, None, Recurrence.MONTHLY)
        assert found == everything and found is not None and found.category is None
        assert await uow.budgets.find(seed.user.id, "groceries", Recurrence.MONTHLY) == food
        assert await uow.budgets.find(seed.user.id, "dining", Recurrence.MONTHLY) is None
        found.amount = Money.of("750.25", "BRL")
        found.thresholds = (50, 90, 100)
        found.updated_at = AT
        await uow.budgets.update(found)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.budgets.get(everything.id) == found
        assert {b.id for b in await uow.budgets.list_for(seed.user.id)} == {everything.id, weekly.id, food.id}


async def test_a_crossing_is_recorded_once(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    budget = Budget(
        uuid.uuid4(), seed.tenant.id, seed.user.id, None, Money.of("100", "BRL"), Recurrence.MONTHLY
    )

    def crossing(threshold: int) -> BudgetCrossing:
        return BudgetCrossing(uuid.uuid4(), seed.tenant.id, budget.id, date(2025, 3, 1), threshold, AT)

    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.budgets.add(budget)
        assert await uow.crossings.add_if_absent(crossing(80)) is True
        assert await uow.crossings.add_if_absent(crossing(80)) is False
        assert await uow.crossings.add_if_absent(crossing(100)) is True
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.crossings.add_if_absent(crossing(80)) is False


async def test_audit_records_round_trip(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    tx = seed.expense("10.00", date(2025, 3, 1))
    before: dict[str, object] = {"amount": {"amount": "10.00", "currency": "BRL"}, "deleted_at": None}
    records = [
        AuditRecord(
            uuid.uuid4(), seed.tenant.id, seed.user.id, tx.id, "undo", before, {"deleted_at": "x"}, AT
        ),
        AuditRecord(
            uuid.uuid4(), seed.tenant.id, seed.user.id, tx.id, "restore", {"n": 1}, before, AT + timedelta(1)
        ),
    ]
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.transactions.add(tx)
        for record in reversed(records):
            await uow.audit.add(record)
        await uow.commit()
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.audit.list_for(tx.id) == records


async def test_events_reach_the_outbox_only_on_commit(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    crossed = BudgetThresholdCrossed(
        tenant_id=seed.tenant.id,
        user_id=seed.user.id,
        budget_id=uuid.uuid4(),
        category="groceries",
        threshold=80,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        spent=Money.of("412.3", "BRL"),
        budget=Money.of("500", "BRL"),
    )
    async with database.unit_of_work(seed.tenant.id) as uow:
        uow.emit(TransactionRecorded(seed.tenant.id, seed.user.id, uuid.uuid4()))
        await uow.rollback()
        uow.emit(TransactionRecorded(seed.tenant.id, seed.user.id, uuid.uuid4()))
    assert await outbox_rows(database, seed.tenant.id) == []

    async with database.unit_of_work(seed.tenant.id) as uow:
        with pytest.raises(ValueError):
            uow.emit(TransactionRecorded(uuid.uuid4(), seed.user.id, uuid.uuid4()))
        uow.emit(crossed)
        await uow.commit()
        await uow.commit()  # events are written once, not again by a later commit
    [row] = await outbox_rows(database, seed.tenant.id)
    assert row["event_type"] == "BudgetThresholdCrossed"
    assert row["payload"] == {
        "tenant_id": str(seed.tenant.id),
        "user_id": str(seed.user.id),
        "budget_id": str(crossed.budget_id),
        "category": "groceries",
        "threshold": 80,
        "period_start": "2025-03-01",
        "period_end": "2025-03-31",
        "spent": {"amount": "412.30", "currency": "BRL"},
        "budget": {"amount": "500.00", "currency": "BRL"},
        "source": None,
        "shared": False,
    }
    async with database.unit_of_work(seed.tenant.id) as uow:
        [message] = await uow.outbox.pending()
        await uow.outbox.mark_processed(message.id, AT)
        await uow.commit()
        assert await uow.outbox.pending() == []


async def test_work_not_committed_is_rolled_back(database: Database, make_tenant) -> None:
    seed = await make_tenant(database)
    tx = seed.expense("10.00", date(2025, 3, 1))
    with pytest.raises(RuntimeError):
        async with database.unit_of_work(seed.tenant.id) as uow:
            await uow.transactions.add(tx)
            uow.emit(TransactionRecorded(seed.tenant.id, seed.user.id, tx.id))
            raise RuntimeError("handler failed")
    async with database.unit_of_work(seed.tenant.id) as uow:
        await uow.transactions.add(seed.expense("1.00", date(2025, 3, 1)))
        # leaving without commit
    async with database.unit_of_work(seed.tenant.id) as uow:
        assert await uow.transactions.list(TransactionFilter(seed.user.id)) == []
    assert await outbox_rows(database, seed.tenant.id) == []


async def test_a_unit_of_work_sees_only_its_tenant(database: Database, make_tenant) -> None:
    a, b = await make_tenant(database), await make_tenant(database)  # same phone in both tenants
    tx_b = b.expense("10.00", date(2025, 3, 1), source_ref="m1")
    async with database.unit_of_work(b.tenant.id) as uow:
        await uow.transactions.add(tx_b)
        await uow.commit()
    async with database.unit_of_work(a.tenant.id) as uow:
        assert await uow.users.get(b.user.id) is None
        assert (await uow.users.get_by_phone(b.user.phone)) == a.user
        assert await uow.accounts.get(b.account.id) is None
        assert await uow.accounts.default_for(b.user.id) is None
        assert await uow.transactions.get(tx_b.id) is None
        assert await uow.transactions.get_by_source("chat", "m1") is None
        assert await uow.transactions.list(TransactionFilter(b.user.id)) == []
        with pytest.raises(ValueError):
            await uow.transactions.update(tx_b)  # another tenant's object is refused outright
        forged = a.expense("1.00", date(2025, 3, 1))
        forged.id = tx_b.id
        with pytest.raises(NotFound):
            await uow.transactions.update(forged)  # and a forged id matches nothing
    async with database.unit_of_work(b.tenant.id) as uow:
        assert await uow.transactions.get(tx_b.id) == tx_b


async def test_ping(database: Database) -> None:
    await database.ping()
    assert database.dialect in ("postgresql", "sqlite")
