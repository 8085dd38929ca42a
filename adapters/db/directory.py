"""Tenants: the directory repository (not tenant-bound, no RLS; on PostgreSQL read-only to the app role)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from adapters.db.connection import TenantConnection
from adapters.db.jsonable import to_jsonable
from adapters.db.sql import insert_or_skip, write_directory
from adapters.db.tables import tenants
from domain.errors import Conflict, NotFound
from domain.model import EnrolmentPolicy, Language, Tenant


class SqlTenantRepository:
    """domain.ports.TenantRepository."""

    def __init__(self, db: TenantConnection) -> None:
        self._db = db

    async def add(self, tenant: Tenant) -> None:
        if tenant.created_at is None:
            tenant.created_at = self._db.now()
        values = {
            "id": tenant.id,
            "slug": tenant.slug,
            "name": tenant.name,
            "language": str(tenant.language),
            "locale": tenant.locale,
            "currency": tenant.currency,
            "timezone": tenant.timezone,
            "policy": str(tenant.policy),
            "settings": to_jsonable(tenant.settings),
            "created_at": tenant.created_at,
        }
        insert = insert_or_skip(self._db.dialect, tenants, values)
        if await write_directory(self._db, "centavo_add_tenant", tenants, values, insert) == 0:
            raise Conflict("slug", f"a tenant with slug {tenant.slug!r} (or id {tenant.id}) exists")

    async def get(self, tenant_id: uuid.UUID) -> Tenant | None:
        return await self._one(tenants.c.id == tenant_id)

    async def get_by_slug(self, slug: str) -> Tenant | None:
        return await self._one(tenants.c.slug == slug)

    async def update(self, tenant: Tenant) -> None:
        values = {
            "name": tenant.name,
            "language": str(tenant.language),
            "locale": tenant.locale,
            "currency": tenant.currency,
            "timezone": tenant.timezone,
            "policy": str(tenant.policy),
            "settings": to_jsonable(tenant.settings),
        }
        statement = sa.update(tenants).where(tenants.c.id == tenant.id).values(**values)
        arguments = {"id": tenant.id, **values}
        if await write_directory(self._db, "centavo_update_tenant", tenants, arguments, statement) == 0:
            raise NotFound("tenant", tenant.id)

    async def list(self) -> list[Tenant]:
        result = await self._db.execute(sa.select(tenants).order_by(tenants.c.slug))
        return [tenant_from_row(row) for row in result.mappings()]

    async def _one(self, condition: sa.ColumnElement[bool]) -> Tenant | None:
        row = (await self._db.execute(sa.select(tenants).where(condition))).mappings().first()
        return None if row is None else tenant_from_row(row)


def tenant_from_row(row: Any) -> Tenant:
    return Tenant(
        id=row["id"],
        slug=row["slug"],
        name=row["name"],
        language=Language(row["language"]),
        locale=row["locale"],
        currency=row["currency"],
        timezone=row["timezone"],
        policy=EnrolmentPolicy(row["policy"]),
        settings=dict(row["settings"] or {}),
        created_at=row["created_at"],
    )
