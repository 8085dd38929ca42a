"""A unit of work's connection: transactions begin lazily and, on PostgreSQL, carry the tenant setting."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Result
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Executable

from adapters.db.tenant_begin import TenantBeginConnection
from adapters.db.urls import Dialect
from domain.ports import Clock

# is_local=true: the setting ends with the transaction, so a pooled connection can never carry one
# tenant's identity into the next checkout (or into the next transaction of the same unit of work).
_SET_TENANT = text("SELECT set_config('app.tenant_id', :tenant, true)")
_SET_MEMBER = text("SELECT set_config('app.user_id', :member, true)")


class TenantConnection:
    """Wraps one pooled AsyncConnection for the life of a unit of work.

    A transaction is begun on the first statement rather than on entry, so a unit of work that has
    committed holds no lock (SQLite's BEGIN IMMEDIATE takes the write lock) until it writes again."""

    def __init__(
        self,
        conn: AsyncConnection,
        dialect: Dialect,
        tenant_id: uuid.UUID | None,
        clock: Clock,
        member_id: uuid.UUID | None = None,
    ) -> None:
        self.conn = conn
        self.dialect: Dialect = dialect
        self.tenant_id = tenant_id
        self.clock = clock
        self.member_id = member_id
        """The household member a chat message is answered for: PostgreSQL then hides other members'
        personal rows (migration 0013). None: the whole tenant (workers, the admin API)."""

    async def begin(self) -> None:
        """Start a transaction unless one is open; on PostgreSQL, bind it to the tenant for RLS."""
        if self.conn.in_transaction():
            return
        await self.conn.begin()
        if self.dialect != "postgresql":
            return
        driver = (await self.conn.get_raw_connection()).driver_connection
        if isinstance(driver, TenantBeginConnection):
            if not driver.is_in_transaction():
                # The driver sends BEGIN lazily, with the first statement: the setting rides on it.
                driver.bind_tenant(self.tenant_id, self.member_id)
                return
            # Something left a transaction open on this connection (no BEGIN will be sent): set it inside.
            driver.bind_tenant(None)
        if self.tenant_id is not None:
            await self.conn.execute(_SET_TENANT, {"tenant": str(self.tenant_id)})
        if self.member_id is not None:
            await self.conn.execute(_SET_MEMBER, {"member": str(self.member_id)})

    async def execute(
        self, statement: Executable, params: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    ) -> Result[Any]:
        await self.begin()
        return await self.conn.execute(statement, params)

    async def commit(self) -> None:
        if self.conn.in_transaction():
            await self.conn.commit()

    async def rollback(self) -> None:
        if self.conn.in_transaction():
            await self.conn.rollback()

    def now(self) -> datetime:
        """For rows stored without a timestamp of their own (created_at left None by the caller)."""
        return self.clock.now()
