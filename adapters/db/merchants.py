"""Tenant-bound repository for the tenant's own merchants (names, aliases, categories)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import merchants as m
from domain.errors import Conflict, NotFound
from domain.merchants import merchant_key
from domain.model import Merchant


class SqlMerchantRepository(TenantBound):
    """domain.ports.MerchantRepository. name_key (the name's merchant_key) is unique per tenant: the last
    lock against two merchants with one name when two operators create them at once."""

    async def add(self, merchant: Merchant) -> None:
        self._check_tenant("merchant", merchant.tenant_id)
        if merchant.created_at is None:
            merchant.created_at = self._db.now()
        values = {"id": merchant.id, "tenant_id": self.tenant_id, "created_at": merchant.created_at}
        if await add_or_skip(self._db, m, {**values, **_fields(merchant)}) == 0:
            raise Conflict("name", f"a merchant called {merchant.name!r} exists")

    async def get(self, merchant_id: uuid.UUID) -> Merchant | None:
        row = (await self._db.execute(sa.select(m).where(self._mine(m), m.c.id == merchant_id))).mappings()
        found = row.first()
        return None if found is None else merchant_from_row(found)

    async def list(self) -> list[Merchant]:
        query = sa.select(m).where(self._mine(m)).order_by(m.c.name_key, m.c.id)
        return [merchant_from_row(row) for row in (await self._db.execute(query)).mappings()]

    async def update(self, merchant: Merchant) -> None:
        self._check_tenant("merchant", merchant.tenant_id)
        statement = sa.update(m).where(self._mine(m), m.c.id == merchant.id).values(**_fields(merchant))
        try:
            result = await self._db.execute(statement)
        except sa.exc.IntegrityError as exc:
            raise Conflict("name", f"a merchant called {merchant.name!r} exists") from exc
        if rowcount(result) == 0:
            raise NotFound("merchant", merchant.id)

    async def delete(self, merchant_id: uuid.UUID) -> bool:
        result = await self._db.execute(sa.delete(m).where(self._mine(m), m.c.id == merchant_id))
        return rowcount(result) > 0

    async def find(self, key: str) -> Merchant | None:
        by_name = (await self._db.execute(sa.select(m).where(self._mine(m), m.c.name_key == key))).mappings()
        row = by_name.first()
        if row is not None:
            return merchant_from_row(row)
        # Aliases are a JSON list (no portable index into it); a tenant's merchants are few enough to scan.
        return next((x for x in await self.list() if key in {merchant_key(a) for a in x.aliases}), None)


def _fields(merchant: Merchant) -> dict[str, Any]:
    return {
        "name": merchant.name,
        "name_key": merchant_key(merchant.name),
        "aliases": list(merchant.aliases),
        "category": merchant.category,
        "updated_at": merchant.updated_at,
    }


def merchant_from_row(row: Any) -> Merchant:
    return Merchant(
        id=row["id"],
        tenant_id=row["tenant_id"],
        name=row["name"],
        aliases=tuple(str(alias) for alias in row["aliases"] or ()),
        category=row["category"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
