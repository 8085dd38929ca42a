"""Which tenant an inbound address belongs to: the lookup every webhook makes, kept a few seconds."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from domain.model import Tenant

TTL_S = 5.0
"""How long a found route (and the tenant's settings with it) is reused. Changes made through this process's
Database are seen at once (forget_all on every directory commit); another process's within TTL_S."""
MAX_ROUTES = 4096
"""Addresses kept at once; the oldest goes first."""

Lookup = Callable[[str, str], Awaitable[Tenant | None]]


class RouteCache:
    """(provider, address) -> the tenant that owns it. Only found routes are kept: a number routed a moment
    ago must not be refused for a few seconds because someone wrote to it before."""

    def __init__(self, lookup: Lookup, ttl_s: float = TTL_S, clock: Callable[[], float] = time.monotonic):
        self._lookup = lookup
        self._ttl_s = ttl_s
        self._clock = clock
        self._routes: dict[tuple[str, str], tuple[float, Tenant]] = {}

    async def tenant_for(self, provider: str, address: str) -> Tenant | None:
        key = (provider, address)
        now = self._clock()
        cached = self._routes.get(key)
        if cached is not None and now < cached[0]:
            return cached[1]
        tenant = await self._lookup(provider, address)
        self._routes.pop(key, None)
        if tenant is not None:
            while len(self._routes) >= MAX_ROUTES:
                del self._routes[next(iter(self._routes))]
            self._routes[key] = (now + self._ttl_s, tenant)
        return tenant

    def forget_all(self) -> None:
        self._routes.clear()
