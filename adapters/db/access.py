"""API keys (a directory table, not tenant-bound) and the tenant-bound trail of operator writes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from adapters.db.connection import TenantConnection
from adapters.db.jsonable import to_jsonable
from adapters.db.sql import TenantBound, insert_or_skip, write_directory
from adapters.db.tables import admin_audit, api_keys
from domain.access import ApiKey, OperatorAudit, Role
from domain.errors import Conflict


class SqlApiKeyRepository:
    """domain.ports.ApiKeyRepository. Every method but find_by_hash names the tenant it works in."""

    def __init__(self, db: TenantConnection) -> None:
        self._db = db

    async def add(self, key: ApiKey) -> None:
        values = {
            "id": key.id,
            "tenant_id": key.tenant_id,
            "name": key.name,
            "prefix": key.prefix,
            "key_hash": key.key_hash,
            "role": str(key.role),
            "created_at": key.created_at or self._db.now(),
            "revoked_at": key.revoked_at,
        }
        insert = insert_or_skip(self._db.dialect, api_keys, values)
        if await write_directory(self._db, "centavo_add_api_key", api_keys, values, insert) == 0:
            raise Conflict("key", "a key with this id or prefix exists")

    async def find_by_hash(self, key_hash: str) -> ApiKey | None:
        return await self._one(api_keys.c.key_hash == key_hash)

    async def get(self, tenant_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
        return await self._one(sa.and_(api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id))

    async def list_for(self, tenant_id: uuid.UUID) -> list[ApiKey]:
        query = (
            sa.select(api_keys)
            .where(api_keys.c.tenant_id == tenant_id)
            .order_by(api_keys.c.created_at, api_keys.c.id)
        )
        return [key_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def revoke(self, tenant_id: uuid.UUID, key_id: uuid.UUID, at: datetime) -> bool:
        values = {"tenant_id": tenant_id, "id": key_id, "revoked_at": at}
        statement = (
            sa.update(api_keys)
            .where(
                api_keys.c.tenant_id == tenant_id, api_keys.c.id == key_id, api_keys.c.revoked_at.is_(None)
            )
            .values(revoked_at=at)
        )
        return await write_directory(self._db, "centavo_revoke_api_key", api_keys, values, statement) == 1

    async def _one(self, condition: sa.ColumnElement[bool]) -> ApiKey | None:
        row = (await self._db.execute(sa.select(api_keys).where(condition))).mappings().first()
        return None if row is None else key_from_row(row)


def key_from_row(row: Any) -> ApiKey:
    return ApiKey(
        id=row["id"],
        tenant_id=row["tenant_id"],
        name=row["name"],
        prefix=row["prefix"],
        key_hash=row["key_hash"],
        role=Role(row["role"]),
        created_at=row["created_at"],
        revoked_at=row["revoked_at"],
    )


class SqlOperatorAuditRepository(TenantBound):
    """domain.ports.OperatorAuditRepository."""

    async def add(self, record: OperatorAudit) -> None:
        self._check_tenant("audit record", record.tenant_id)
        values = {
            "id": record.id,
            "tenant_id": self.tenant_id,
            "actor": record.actor,
            "action": record.action,
            "entity": record.entity,
            "entity_id": record.entity_id,
            "before": None if record.before is None else to_jsonable(record.before),
            "after": None if record.after is None else to_jsonable(record.after),
            "at": record.at,
        }
        await self._db.execute(sa.insert(admin_audit).values(**values))

    async def page(
        self,
        *,
        entity: str | None = None,
        entity_id: str | None = None,
        actor: str | None = None,
        after: int | None = None,
        limit: int = 50,
    ) -> list[OperatorAudit]:
        a = admin_audit.c
        query = sa.select(admin_audit).where(self._mine(admin_audit))
        if entity is not None:
            query = query.where(a.entity == entity)
        if entity_id is not None:
            query = query.where(a.entity_id == entity_id)
        if actor is not None:
            query = query.where(a.actor == actor)
        if after is not None:
            query = query.where(a.seq < after)
        query = query.order_by(a.seq.desc()).limit(limit)
        return [operator_audit_from_row(row) for row in (await self._db.execute(query)).mappings()]


def operator_audit_from_row(row: Any) -> OperatorAudit:
    return OperatorAudit(
        id=row["id"],
        tenant_id=row["tenant_id"],
        actor=row["actor"],
        action=row["action"],
        entity=row["entity"],
        entity_id=row["entity_id"],
        before=None if row["before"] is None else dict(row["before"]),
        after=None if row["after"] is None else dict(row["after"]),
        at=row["at"],
        seq=row["seq"],
    )
