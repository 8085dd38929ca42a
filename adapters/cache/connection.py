"""connect(): a redis.asyncio client for REDIS_URL, or an in-process fakeredis when it is unset."""

from __future__ import annotations

from typing import Any

import fakeredis
import fakeredis.aioredis
import redis.asyncio as redis_asyncio
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from adapters.cache.dedupe import Dedupe
from adapters.cache.health import RedisHealth
from adapters.cache.media import MediaStore
from adapters.cache.rate_limit import RateLimiter
from adapters.cache.state import ConversationState

CONNECT_TIMEOUT = 0.5
OPERATION_TIMEOUT = 0.5
"""Short on purpose: a dead Redis must never stall a message; the callers have safe defaults."""


class Cache:
    """The Redis-backed helpers of one process: rate limits, conversation state, the dedupe hint and the
    images we send."""

    def __init__(self, client: Any, *, embedded: bool, retry_interval: float = 1.0) -> None:
        self.client = client
        """A redis.asyncio.Redis (or fakeredis' subclass), decode_responses=True."""
        self.embedded = embedded
        """True when running on in-process fakeredis (REDIS_URL unset)."""
        self.health = RedisHealth(retry_interval=retry_interval)
        self.rate_limiter = RateLimiter(client, self.health)
        self.state = ConversationState(client, self.health)
        self.dedupe = Dedupe(client, self.health)
        self.media = MediaStore(client, self.health)

    async def ping(self) -> bool:
        """True when Redis answers (also updates the health flag)."""
        return bool(await self.health.run("ping", self.client.ping, False))

    async def close(self) -> None:
        await self.client.aclose()


def connect(redis_url: str | None, *, retry_interval: float = 1.0) -> Cache:
    """A Cache on `redis_url`, or on a private in-process fakeredis server when it is None.

    No I/O happens here; the first command connects. Retries are off: the back-off in RedisHealth
    decides when to try again.
    """
    if redis_url is None:
        client: Any = fakeredis.aioredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
        return Cache(client, embedded=True, retry_interval=retry_interval)
    client = redis_asyncio.Redis.from_url(
        redis_url,
        decode_responses=True,
        socket_connect_timeout=CONNECT_TIMEOUT,
        socket_timeout=OPERATION_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        retry_on_timeout=False,
    )
    return Cache(client, embedded=False, retry_interval=retry_interval)
