"""Tenant-bound repository for imported statement files, and the lines earlier imports recorded."""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound, add_or_skip
from adapters.db.tables import imports as i
from adapters.db.tables import transactions as t
from adapters.db.transactions import transaction_from_row
from domain.model import Period, Source, StatementImport, Transaction


class SqlImportRepository(TenantBound):
    """domain.ports.ImportRepository."""

    async def add_if_absent(self, record: StatementImport) -> bool:
        self._check_tenant("import", record.tenant_id)
        values = {
            "id": record.id,
            "tenant_id": self.tenant_id,
            "account_id": record.account_id,
            "user_id": record.user_id,
            "file_hash": record.file_hash,
            "lines": record.lines,
            "recorded": record.recorded,
            "created_at": record.created_at or self._db.now(),
        }
        # (tenant, account, file_hash) is unique: of two concurrent imports of one file, one inserts.
        return await add_or_skip(self._db, i, values) == 1

    async def get(self, import_id: uuid.UUID) -> StatementImport | None:
        return await self._first(sa.select(i).where(self._mine(i), i.c.id == import_id))

    async def get_by_hash(self, file_hash: str) -> StatementImport | None:
        query = sa.select(i).where(self._mine(i), i.c.file_hash == file_hash).order_by(i.c.created_at)
        return await self._first(query.limit(1))

    async def list(
        self,
        account_id: uuid.UUID | None = None,
        limit: int | None = None,
        after: tuple[datetime, uuid.UUID] | None = None,
    ) -> list[StatementImport]:
        query = sa.select(i).where(self._mine(i)).order_by(i.c.created_at.desc(), i.c.id.desc())
        if account_id is not None:
            query = query.where(i.c.account_id == account_id)
        if after is not None:
            at, last = after
            query = query.where(sa.or_(i.c.created_at < at, sa.and_(i.c.created_at == at, i.c.id < last)))
        if limit is not None:
            query = query.limit(limit)
        return [import_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def recorded_lines(self, account_id: uuid.UUID, period: Period) -> builtins.list[Transaction]:
        query = sa.select(t).where(
            self._mine(t),
            t.c.account_id == account_id,
            t.c.source == str(Source.IMPORT),
            t.c.occurred_on.between(period.start, period.end),
        )
        return [transaction_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def _first(self, query: sa.Select[Any]) -> StatementImport | None:
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else import_from_row(row)


def import_from_row(row: Any) -> StatementImport:
    return StatementImport(
        id=row["id"],
        tenant_id=row["tenant_id"],
        account_id=row["account_id"],
        user_id=row["user_id"],
        file_hash=row["file_hash"],
        lines=int(row["lines"]),
        recorded=int(row["recorded"]),
        created_at=row["created_at"],
    )
