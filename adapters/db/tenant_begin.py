"""PostgreSQL: an asyncpg connection that sends a transaction's tenant setting in the BEGIN round trip."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


class TenantBeginConnection(asyncpg.Connection):
    """Row-Level Security needs `app.tenant_id` set at the start of every transaction. Sent as a statement
    of its own, that setting cost a round trip per transaction (four of the twenty a chat message took).
    Bound here first, it rides on the BEGIN that SQLAlchemy's driver sends before the transaction's first
    statement: one simple-protocol query, "BEGIN ...; SELECT set_config(...)". The binding is used once, by
    the next BEGIN, so it can never outlive the transaction it was made for."""

    __slots__ = ("_centavo_member", "_centavo_tenant")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._centavo_tenant: str | None = None
        self._centavo_member: str | None = None

    def bind_tenant(self, tenant_id: uuid.UUID | None, member_id: uuid.UUID | None = None) -> None:
        """The tenant (and the member, for the member privacy policies of migration 0013) of the next
        transaction's BEGIN; None: the next BEGIN sets none."""
        # str() of a UUID is hex digits and dashes only: safe to write into the query text.
        self._centavo_tenant = None if tenant_id is None else str(uuid.UUID(str(tenant_id)))
        self._centavo_member = None if member_id is None else str(uuid.UUID(str(member_id)))

    async def execute(self, query: str, *args: Any, timeout: float | None = None) -> str:  # noqa: ASYNC109 (asyncpg's signature)
        tenant, member = self._centavo_tenant, self._centavo_member
        if tenant is not None and not args and query.startswith("BEGIN"):
            self._centavo_tenant = self._centavo_member = None
            settings = f"set_config('app.tenant_id', '{tenant}', true)"
            if member is not None:
                settings += f", set_config('app.user_id', '{member}', true)"
            query = f"{query.rstrip().rstrip(';')}; SELECT {settings};"
        return await super().execute(query, *args, timeout=timeout)
