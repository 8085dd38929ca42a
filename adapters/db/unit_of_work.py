"""Units of work: one database transaction bound to one tenant, and one over the tenant directory."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextlib import suppress
from types import TracebackType
from typing import Any, Self

from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable

from adapters.db.access import SqlApiKeyRepository, SqlOperatorAuditRepository
from adapters.db.alert_history import SqlAlertHistory
from adapters.db.audit import SqlAuditRepository
from adapters.db.budgets import SqlBudgetRepository, SqlCrossingRepository
from adapters.db.connection import TenantConnection
from adapters.db.conversation_log import SqlConversationLog
from adapters.db.dead_letters import SqlDeadLetters
from adapters.db.directory import SqlTenantRepository
from adapters.db.goals import SqlGoalRepository
from adapters.db.households import SqlHouseholdRepository
from adapters.db.imports import SqlImportRepository
from adapters.db.merchants import SqlMerchantRepository
from adapters.db.messaging import SqlChannelEndpointRepository, SqlInboxRepository, SqlOutboundRepository
from adapters.db.notices import SqlCardLinkRepository, SqlNoticeTrustRepository
from adapters.db.outbox import SqlOutbox
from adapters.db.recurring import SqlRecurringRuleRepository
from adapters.db.transactions import SqlTransactionRepository
from adapters.db.urls import Dialect
from adapters.db.users import SqlAccountRepository, SqlUserRepository
from domain.access import OperatorAudit
from domain.events import Event
from domain.history import AlertHistory, ConversationLog
from domain.ports import (
    AccountRepository,
    ApiKeyRepository,
    AuditRepository,
    BudgetRepository,
    CardLinkRepository,
    Clock,
    CrossingRepository,
    GoalRepository,
    HouseholdRepository,
    ImportRepository,
    MerchantRepository,
    NoticeTrustRepository,
    RecurringRuleRepository,
    TenantRepository,
    TransactionRepository,
    UserRepository,
)


class _ConnectionScope:
    """Checks a connection out on entry and returns it on exit, rolling back what was not committed."""

    def __init__(
        self,
        engine: AsyncEngine,
        dialect: Dialect,
        tenant_id: uuid.UUID | None,
        clock: Clock,
        member_id: uuid.UUID | None = None,
    ) -> None:
        self._engine = engine
        self._dialect: Dialect = dialect
        self._tenant_id = tenant_id
        self._member_id = member_id
        self._clock = clock
        self._conn: AsyncConnection | None = None
        self._db: TenantConnection | None = None

    async def _open(self) -> TenantConnection:
        if self._conn is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        self._conn = await self._engine.connect()
        self._db = TenantConnection(self._conn, self._dialect, self._tenant_id, self._clock, self._member_id)
        return self._db

    async def _close(self) -> None:
        conn, db = self._conn, self._db
        self._conn = self._db = None
        if conn is None or db is None:
            return
        try:
            await db.rollback()
        finally:
            await conn.close()

    @property
    def _active(self) -> TenantConnection:
        if self._db is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._db

    async def execute(self, statement: Executable, params: Any = None) -> Result[Any]:
        """Run a statement in this unit of work's transaction (for queries the repositories do not cover)."""
        return await self._active.execute(statement, params)


class SqlUnitOfWork(_ConnectionScope):
    """domain.ports.UnitOfWork over SQLAlchemy. On PostgreSQL each transaction it begins first sets
    app.tenant_id (transaction-local) so Row-Level Security sees only this tenant's rows."""

    # Typed as the ports: protocol attributes are invariant, so the Sql* classes would not match them.
    users: UserRepository
    accounts: AccountRepository
    transactions: TransactionRepository
    budgets: BudgetRepository
    crossings: CrossingRepository
    audit: AuditRepository
    merchants: MerchantRepository
    imports: ImportRepository
    recurring: RecurringRuleRepository
    goals: GoalRepository
    households: HouseholdRepository
    cards: CardLinkRepository
    notice_trust: NoticeTrustRepository
    outbox: SqlOutbox
    """Not part of the domain port: the alert worker's access to this tenant's pending events."""
    inbox: SqlInboxRepository
    """Not part of the domain port: inbound messages, stored before processing and deduplicated."""
    outbound: SqlOutboundRepository
    """Not part of the domain port: messages sent and their delivery status."""
    alert_history: AlertHistory
    """Not part of the domain port: read-only, budget alerts and their deliveries (admin API)."""
    dead_letters: SqlDeadLetters
    """Not part of the domain port: read-only, events whose push gave up on retryable errors (the worker)."""
    conversation_log: ConversationLog
    """Not part of the domain port: read-only, a user's messages in and out (admin API)."""
    operator_audit: SqlOperatorAuditRepository
    """Not part of the domain port: the trail of admin API writes (written by the API layer)."""

    def __init__(
        self,
        engine: AsyncEngine,
        dialect: Dialect,
        tenant_id: uuid.UUID,
        clock: Clock,
        member_id: uuid.UUID | None = None,
    ) -> None:
        super().__init__(engine, dialect, tenant_id, clock, member_id)
        self.tenant_id = tenant_id
        self._events: list[Event] = []

    async def __aenter__(self) -> Self:
        db = await self._open()
        self.users = SqlUserRepository(db, self.tenant_id)
        self.accounts = SqlAccountRepository(db, self.tenant_id)
        self.transactions = SqlTransactionRepository(db, self.tenant_id)
        self.budgets = SqlBudgetRepository(db, self.tenant_id)
        self.crossings = SqlCrossingRepository(db, self.tenant_id)
        self.audit = SqlAuditRepository(db, self.tenant_id)
        self.merchants = SqlMerchantRepository(db, self.tenant_id)
        self.imports = SqlImportRepository(db, self.tenant_id)
        self.recurring = SqlRecurringRuleRepository(db, self.tenant_id)
        self.goals = SqlGoalRepository(db, self.tenant_id)
        self.households = SqlHouseholdRepository(db, self.tenant_id)
        self.cards = SqlCardLinkRepository(db, self.tenant_id)
        self.notice_trust = SqlNoticeTrustRepository(db, self.tenant_id)
        self.outbox = SqlOutbox(db, self.tenant_id)
        self.inbox = SqlInboxRepository(db, self.tenant_id)
        self.outbound = SqlOutboundRepository(db, self.tenant_id)
        self.alert_history = SqlAlertHistory(db, self.tenant_id)
        self.dead_letters = SqlDeadLetters(db, self.tenant_id)
        self.conversation_log = SqlConversationLog(db, self.tenant_id)
        self.operator_audit = SqlOperatorAuditRepository(db, self.tenant_id)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._events.clear()
        await self._close()

    def emit(self, event: Event) -> None:
        if event.tenant_id != self.tenant_id:
            raise ValueError(
                f"event for tenant {event.tenant_id} emitted in tenant {self.tenant_id}'s unit of work"
            )
        self._events.append(event)

    async def commit(self) -> None:
        """Store the emitted events in the outbox, then commit: both happen, or neither."""
        db = self._active
        events, self._events = self._events, []
        try:
            await self.outbox.add_all(events)
            await db.commit()
        except BaseException:
            # Leave the connection usable (a failed PostgreSQL commit keeps an aborted transaction open);
            # the original error is the one worth reporting.
            with suppress(Exception):
                await db.rollback()
            raise

    async def rollback(self) -> None:
        self._events.clear()
        await self._active.rollback()


class AuditedUnitOfWork(SqlUnitOfWork):
    """A unit of work for one admin API write. The use case's commit() only marks the work as done; `finish`
    commits it together with the operator's audit records, so a write never lands without its audit record
    (nor the record without the write). Events stay queued until then, as in a plain commit."""

    def __init__(self, engine: AsyncEngine, dialect: Dialect, tenant_id: uuid.UUID, clock: Clock) -> None:
        super().__init__(engine, dialect, tenant_id, clock)
        self.wrote = False

    async def commit(self) -> None:
        self.wrote = True

    async def finish(self, records: list[OperatorAudit]) -> None:
        """Commit the use case's writes (when it committed) with these audit records."""
        if not self.wrote and not records:
            return
        for record in records:
            await self.operator_audit.add(record)
        await super().commit()


class SqlDirectoryUnitOfWork(_ConnectionScope):
    """domain.ports.DirectoryUnitOfWork: a transaction over the tenants table (which has no RLS), and the
    channel endpoints that route an inbound message to its tenant."""

    tenants: TenantRepository
    keys: ApiKeyRepository
    endpoints: SqlChannelEndpointRepository

    def __init__(
        self,
        engine: AsyncEngine,
        dialect: Dialect,
        clock: Clock,
        on_commit: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(engine, dialect, None, clock)
        self._on_commit = on_commit

    async def __aenter__(self) -> Self:
        db = await self._open()
        self.tenants = SqlTenantRepository(db)
        self.keys = SqlApiKeyRepository(db)
        self.endpoints = SqlChannelEndpointRepository(db)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._close()

    async def commit(self) -> None:
        await self._active.commit()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        await self._active.rollback()
