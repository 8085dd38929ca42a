"""The tenant's own merchants for the NLU: read through the unit of work, kept a minute per tenant."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import nlu
from bot.conversation.context import UnitOfWorkFactory
from domain.ports import Clock

TTL = timedelta(seconds=60)
"""How long a tenant's list is reused: a merchant the operator adds is matched in the chat within a minute,
and most messages cost no query for it."""
MAX_TENANTS = 1024
"""Tenants kept at once; the least recently loaded one goes first."""


class TenantMerchants:
    """tenant id -> the NLU overlay of its merchants (None when it has none), cached in this process."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, clock: Clock, ttl: timedelta = TTL) -> None:
        self._uow = unit_of_work
        self._clock = clock
        self._ttl = ttl
        self._cache: dict[uuid.UUID, tuple[datetime, nlu.MerchantOverlay | None]] = {}

    async def overlay(self, tenant_id: uuid.UUID) -> nlu.MerchantOverlay | None:
        now = self._clock.now()
        cached = self._cache.get(tenant_id)
        if cached is not None and now < cached[0]:
            return cached[1]
        async with self._uow(tenant_id) as uow:
            merchants = await uow.merchants.list()
        # merchant_overlay keeps the index of an unchanged list, so a refresh rebuilds nothing.
        overlay = nlu.merchant_overlay(nlu.TenantMerchant(m.name, m.aliases, m.category) for m in merchants)
        self._cache.pop(tenant_id, None)
        while len(self._cache) >= MAX_TENANTS:
            del self._cache[next(iter(self._cache))]
        self._cache[tenant_id] = (now + self._ttl, overlay)
        return overlay

    def forget(self, tenant_id: uuid.UUID) -> None:
        """Read the tenant's merchants again on its next message (after a change made in this process)."""
        self._cache.pop(tenant_id, None)
