"""Protocols the adapters implement: clock, tenant-bound repositories and the unit of work."""

from __future__ import annotations

import builtins
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Literal, Protocol, Self

from domain.events import Event
from domain.model import (
    Account,
    AuditRecord,
    Budget,
    BudgetCrossing,
    Period,
    Recurrence,
    Tenant,
    Transaction,
    TransactionKind,
    User,
)
from domain.results import Aggregate


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...


GroupKey = Literal["currency", "category", "merchant", "account_id", "kind"]


@dataclass(frozen=True, slots=True)
class TransactionFilter:
    """Which of one user's transactions a query covers. Deleted (undone) rows are left out unless asked."""

    user_id: uuid.UUID
    kind: TransactionKind | None = None
    period: Period | None = None
    category: str | None = None
    merchant: str | None = None
    """Case-insensitive equality on the merchant name."""
    account_id: uuid.UUID | None = None
    currency: str | None = None
    include_deleted: bool = False


class TenantRepository(Protocol):
    """The tenant directory. Not tenant-bound: it is how a tenant is found in the first place."""

    async def add(self, tenant: Tenant) -> None: ...
    async def get(self, tenant_id: uuid.UUID) -> Tenant | None: ...
    async def get_by_slug(self, slug: str) -> Tenant | None: ...
    async def list(self) -> list[Tenant]: ...


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: uuid.UUID) -> User | None: ...
    async def get_by_phone(self, phone: str) -> User | None: ...
    async def list(self) -> list[User]: ...
    async def update(self, user: User) -> None: ...
    async def lock(self, user_id: uuid.UUID) -> None:
        """Serialize writers for one user until the unit of work ends (SELECT ... FOR UPDATE)."""
        ...


class AccountRepository(Protocol):
    async def add(self, account: Account) -> None: ...
    async def get(self, account_id: uuid.UUID) -> Account | None: ...
    async def list_for(self, user_id: uuid.UUID) -> list[Account]: ...
    async def default_for(self, user_id: uuid.UUID) -> Account | None: ...


class TransactionRepository(Protocol):
    async def add(self, transaction: Transaction) -> None: ...
    async def get(self, transaction_id: uuid.UUID) -> Transaction | None: ...
    async def get_by_source(self, source: str, source_ref: str) -> Transaction | None: ...
    async def update(self, transaction: Transaction) -> None:
        """Store every field of the transaction (amount, day, merchant, category, account, deleted_at)."""
        ...

    async def latest(self, user_id: uuid.UUID, *, deleted: bool = False) -> Transaction | None:
        """The most recently created live transaction (with deleted=True: the most recently undone one)."""
        ...

    async def list(self, flt: TransactionFilter, limit: int | None = None) -> list[Transaction]:
        """Newest first: by occurred_on, then created_at, descending."""
        ...

    # builtins.list: inside this class body the name `list` is the method above.
    async def aggregate(self, flt: TransactionFilter, by: tuple[GroupKey, ...]) -> builtins.list[Aggregate]:
        """Sum and count per group. Money is never summed across currencies: the currency is always part of
        the grouping (when `by` does not name it, it is appended last)."""
        ...


class BudgetRepository(Protocol):
    async def add(self, budget: Budget) -> None: ...
    async def update(self, budget: Budget) -> None: ...
    async def get(self, budget_id: uuid.UUID) -> Budget | None: ...
    async def find(
        self, user_id: uuid.UUID, category: str | None, recurrence: Recurrence
    ) -> Budget | None: ...
    async def list_for(self, user_id: uuid.UUID) -> list[Budget]: ...


class CrossingRepository(Protocol):
    async def add_if_absent(self, crossing: BudgetCrossing) -> bool:
        """Insert unless (budget, period_start, threshold) exists; True when this call inserted it."""
        ...


class AuditRepository(Protocol):
    async def add(self, record: AuditRecord) -> None: ...
    async def list_for(self, transaction_id: uuid.UUID) -> list[AuditRecord]: ...


class UnitOfWork(Protocol):
    """One database transaction bound to one tenant. Events emitted are stored in the outbox on commit."""

    tenant_id: uuid.UUID
    users: UserRepository
    accounts: AccountRepository
    transactions: TransactionRepository
    budgets: BudgetRepository
    crossings: CrossingRepository
    audit: AuditRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    async def commit(self) -> None: ...
    async def rollback(self) -> None: ...
    def emit(self, event: Event) -> None: ...


class DirectoryUnitOfWork(Protocol):
    """A transaction over the tenant directory (creating and finding tenants)."""

    tenants: TenantRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...
    async def commit(self) -> None: ...
