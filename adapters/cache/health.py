"""Redis reachability: safe defaults on connection errors, one log line per outage, a short back-off."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger("adapters.cache")

T = TypeVar("T")

UNREACHABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError, OSError)
"""What "Redis is down or slow" looks like; other Redis errors are bugs and propagate."""

KEY_PREFIX = "centavo"


def key(tenant_id: uuid.UUID | str, kind: str, *parts: str) -> str:
    """centavo:{tenant_id}:{kind}:{parts...}; every key is namespaced by tenant."""
    return ":".join((KEY_PREFIX, str(tenant_id), kind, *parts))


class RedisHealth:
    """Shared by every cache operation of one Cache: knows whether Redis answered last time.

    While Redis is down, calls return their default at once for `retry_interval` seconds (so a dead or
    black-holed Redis costs at most one socket timeout per interval, not one per message), then one call
    probes again. The outage is logged once (WARNING) and the recovery once (INFO).
    """

    def __init__(self, *, retry_interval: float = 1.0, monotonic: Callable[[], float] = time.monotonic):
        self.available = True
        """False from the first failed call until the next successful one."""
        self.retry_interval = retry_interval
        self._monotonic = monotonic
        self._skip_until = 0.0

    async def run(
        self,
        operation: str,
        call: Callable[[], Awaitable[T]],
        default: T,
        *,
        tenant_id: uuid.UUID | str | None = None,
    ) -> T:
        """`await call()`, or `default` when Redis is unreachable (now or within the back-off window)."""
        if not self.available and self._monotonic() < self._skip_until:
            return default
        try:
            result = await call()
        except UNREACHABLE as exc:
            self._skip_until = self._monotonic() + self.retry_interval
            if self.available:
                self.available = False
                log.warning(
                    "redis unreachable, degrading (rate limits off, no conversation state, "
                    "dedupe through the inbox table): %s",
                    type(exc).__name__,
                    extra={"tenant_id": str(tenant_id) if tenant_id else None, "operation": operation},
                )
            return default
        if not self.available:
            self.available = True
            log.info(
                "redis reachable again",
                extra={"tenant_id": str(tenant_id) if tenant_id else None, "operation": operation},
            )
        return result
