"""A small test world: fake database, pinned clock, one tenant and one user, shortcuts to run use cases."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from domain import services
from domain.commands import AddUser, CreateTenant, RecordTransaction, SetBudget
from domain.events import BudgetThresholdCrossed, Event
from domain.model import Tenant, TransactionKind, User
from domain.results import BudgetStatus, RecordResult
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork, FixedClock

# Friday 15 March 2024, 09:00 in São Paulo (UTC-3): March has 31 days, the ISO week runs 11..17 March.
NOON_UTC = datetime(2024, 3, 15, 12, 0, tzinfo=UTC)


class World:
    """Everything a use-case test needs; build with `await World.create()`."""

    db: FakeDatabase
    clock: FixedClock
    tenant: Tenant
    user: User

    @classmethod
    async def create(
        cls,
        now: datetime = NOON_UTC,
        *,
        currency: str = "BRL",
        timezone: str = "America/Sao_Paulo",
        locale: str = "pt_BR",
        slug: str = "casa",
    ) -> World:
        world = cls()
        world.db = FakeDatabase()
        world.clock = FixedClock(now)
        async with world.db.directory() as directory:
            world.tenant = await services.create_tenant(
                CreateTenant(slug=slug, name="Casa", currency=currency, locale=locale, timezone=timezone),
                directory,
                world.clock,
            )
        world.user = await world.add_user("+5511987654321")
        return world

    def uow(self, tenant_id: uuid.UUID | None = None) -> FakeUnitOfWork:
        return self.db.uow(tenant_id or self.tenant.id)

    async def add_user(self, phone: str, **kwargs: Any) -> User:
        async with self.uow() as uow:
            return await services.add_user(AddUser(phone=phone, **kwargs), self.tenant, uow, self.clock)

    async def run(self, use_case: Callable[..., Awaitable[Any]], cmd: object) -> Any:
        """Run a use case that takes (cmd, uow, clock) in a fresh unit of work."""
        async with self.uow() as uow:
            return await use_case(cmd, uow, self.clock)

    async def read(self, use_case: Callable[..., Awaitable[Any]], query: object) -> Any:
        """Run a query that takes (query, uow) in a fresh unit of work."""
        async with self.uow() as uow:
            return await use_case(query, uow)

    async def expense(
        self, amount: str, category: str | None = "groceries", *, on: date | None = None, **kwargs: Any
    ) -> RecordResult:
        kwargs.setdefault("user_id", self.user.id)
        cmd = RecordTransaction(
            kind=TransactionKind.EXPENSE, amount=amount, category=category, occurred_on=on, **kwargs
        )
        result: RecordResult = await self.run(services.record_transaction, cmd)
        return result

    async def income(self, amount: str, *, on: date | None = None, **kwargs: Any) -> RecordResult:
        kwargs.setdefault("user_id", self.user.id)
        cmd = RecordTransaction(kind=TransactionKind.INCOME, amount=amount, occurred_on=on, **kwargs)
        result: RecordResult = await self.run(services.record_transaction, cmd)
        return result

    async def budget(self, amount: str, category: str | None = "groceries", **kwargs: Any) -> BudgetStatus:
        cmd = SetBudget(user_id=self.user.id, amount=amount, category=category, **kwargs)
        status: BudgetStatus = await self.run(services.set_budget, cmd)
        return status

    def alerts(self) -> list[BudgetThresholdCrossed]:
        """Threshold events committed to the outbox so far."""
        return [e for e in self.db.outbox if isinstance(e, BudgetThresholdCrossed)]

    def events(self) -> list[Event]:
        return list(self.db.outbox)

    def snapshot(self) -> tuple[int, int, int, int, int]:
        """Counts that any write would change: commits, outbox, transactions, budgets, audit records."""
        s = self.db.store
        return (self.db.commits, len(self.db.outbox), len(s.transactions), len(s.budgets), len(s.audit))
