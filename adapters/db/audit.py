"""Tenant-bound repository for the audit trail of changes to transactions."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from adapters.db.jsonable import to_jsonable
from adapters.db.sql import TenantBound
from adapters.db.tables import audit_log
from domain.model import AuditRecord


class SqlAuditRepository(TenantBound):
    """domain.ports.AuditRepository. before/after are stored as JSON: Money, dates and ids come back as
    their JSON forms ({"amount", "currency"}, ISO strings), so callers should pass JSON-ready snapshots."""

    async def add(self, record: AuditRecord) -> None:
        self._check_tenant("audit record", record.tenant_id)
        values = {
            "id": record.id,
            "tenant_id": self.tenant_id,
            "user_id": record.user_id,
            "transaction_id": record.transaction_id,
            "action": record.action,
            "before": to_jsonable(record.before),
            "after": to_jsonable(record.after),
            "at": record.at,
        }
        await self._db.execute(sa.insert(audit_log).values(**values))

    async def list_for(self, transaction_id: uuid.UUID) -> list[AuditRecord]:
        query = (
            sa.select(audit_log)
            .where(self._mine(audit_log), audit_log.c.transaction_id == transaction_id)
            .order_by(audit_log.c.at, audit_log.c.id)
        )
        return [audit_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def latest_for_user(self, user_id: uuid.UUID) -> AuditRecord | None:
        query = (
            sa.select(audit_log)
            .where(self._mine(audit_log), audit_log.c.user_id == user_id)
            .order_by(audit_log.c.at.desc())
            .limit(1)
        )
        row = (await self._db.execute(query)).mappings().first()
        return None if row is None else audit_from_row(row)


def audit_from_row(row: Any) -> AuditRecord:
    return AuditRecord(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        transaction_id=row["transaction_id"],
        action=row["action"],
        before=dict(row["before"]),
        after=dict(row["after"]),
        at=row["at"],
    )
