"""A fast duplicate-delivery hint; the inbox table's unique key stays the real guarantee."""

from __future__ import annotations

import uuid
from typing import Any

from adapters.cache.health import RedisHealth, key

DEFAULT_DEDUPE_TTL = 24 * 3600
"""Providers retry within hours; after a day the inbox table alone answers."""


class Dedupe:
    """SET NX EX on (tenant, channel, provider message id)."""

    def __init__(self, client: Any, health: RedisHealth, *, ttl: int = DEFAULT_DEDUPE_TTL) -> None:
        self._client = client
        self._health = health
        self.ttl = ttl

    async def seen_before(self, tenant_id: uuid.UUID | str, channel: str, provider_message_id: str) -> bool:
        """True when this delivery was marked before; False means new *or unknown*: ask the database."""
        name = key(tenant_id, "dedupe", channel, provider_message_id)

        async def call() -> bool:
            created = await self._client.set(name, "1", nx=True, ex=self.ttl)
            return not created

        return await self._health.run("dedupe", call, False, tenant_id=tenant_id)
