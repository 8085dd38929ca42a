"""Tenant-bound repositories of card digits linked to accounts and of notice formats recorded unasked."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from adapters.db.sql import TenantBound, add_or_skip, rowcount
from adapters.db.tables import card_links as c
from adapters.db.tables import notice_trust as t


class SqlCardLinkRepository(TenantBound):
    """domain.ports.CardLinkRepository."""

    async def link(self, user_id: uuid.UUID, digits: str, account_id: uuid.UUID) -> None:
        insert = pg_insert if self._db.dialect == "postgresql" else sqlite_insert
        values = {
            "id": uuid.uuid4(),
            "tenant_id": self.tenant_id,
            "user_id": user_id,
            "last_digits": digits,
            "account_id": account_id,
            "created_at": self._db.now(),
        }
        # Said again with another account, the card moves: the last thing the user said is what holds.
        statement = (
            insert(c)
            .values(**values)
            .on_conflict_do_update(
                index_elements=[c.c.tenant_id, c.c.user_id, c.c.last_digits],
                set_={"account_id": account_id},
            )
        )
        await self._db.execute(statement)

    async def account_for(self, user_id: uuid.UUID, digits: str) -> uuid.UUID | None:
        query = sa.select(c.c.account_id).where(
            self._mine(c), c.c.user_id == user_id, c.c.last_digits == digits
        )
        found = (await self._db.execute(query)).scalar_one_or_none()
        return None if found is None else uuid.UUID(str(found))


class SqlNoticeTrustRepository(TenantBound):
    """domain.ports.NoticeTrustRepository."""

    async def trust(self, user_id: uuid.UUID, source: str) -> None:
        values = {
            "id": uuid.uuid4(),
            "tenant_id": self.tenant_id,
            "user_id": user_id,
            "source": source,
            "created_at": self._db.now(),
        }
        await add_or_skip(self._db, t, values)  # trusted already: nothing to change

    async def is_trusted(self, user_id: uuid.UUID, source: str) -> bool:
        query = sa.select(t.c.id).where(self._mine(t), t.c.user_id == user_id, t.c.source == source)
        return (await self._db.execute(query)).first() is not None

    async def forget(self, user_id: uuid.UUID, source: str) -> bool:
        statement = sa.delete(t).where(self._mine(t), t.c.user_id == user_id, t.c.source == source)
        return rowcount(await self._db.execute(statement)) > 0

    async def trusted(self, user_id: uuid.UUID) -> list[str]:
        query = sa.select(t.c.source).where(self._mine(t), t.c.user_id == user_id).order_by(t.c.source)
        return [str(source) for source in (await self._db.execute(query)).scalars()]
