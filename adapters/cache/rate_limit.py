"""Per-sender token bucket in Redis: one atomic Lua script per message."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from adapters.cache.health import RedisHealth, key

# KEYS[1] bucket hash; ARGV: capacity, refill per second, now (epoch seconds), key TTL (seconds).
# Fields: tokens, ts (last refill), refused ("1" while in a refusal streak).
# Returns {allowed, first_refusal}. A clock that goes backwards refills nothing.
TOKEN_BUCKET_LUA = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local data = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'refused')
local tokens = tonumber(data[1])
local ts = tonumber(data[2])
local refused = data[3]
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
  refused = '0'
end
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local first = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  refused = '0'
else
  if refused ~= '1' then first = 1 end
  refused = '1'
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.6f', ts),
  'refused', refused)
redis.call('EXPIRE', KEYS[1], ttl)
return {allowed, first}
"""


@dataclass(frozen=True, slots=True)
class Decision:
    """The rate limiter's answer for one inbound message."""

    allowed: bool
    """Process the message."""
    first_refusal: bool = False
    """The first refused message of a streak: send one polite reply; later refusals are stored silently."""


ALLOWED = Decision(allowed=True)


class RateLimiter:
    """Token bucket per (tenant, sender): a burst of `capacity`, then `refill_per_second`.

    Runs as one Lua script (EVALSHA, re-sent with EVAL semantics by redis-py on NOSCRIPT), so concurrent
    app processes never over-admit. When Redis is unreachable every message is allowed.
    """

    def __init__(
        self, client: Any, health: RedisHealth, *, capacity: int = 20, refill_per_second: float = 1.0
    ) -> None:
        self._client = client
        self._health = health
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        # A full bucket after this long, so the key may go.
        self.key_ttl = math.ceil(capacity / refill_per_second) + 1
        self._script = client.register_script(TOKEN_BUCKET_LUA)

    async def check(self, tenant_id: uuid.UUID | str, sender: str, now: datetime | float) -> Decision:
        """Take a token for this message; `now` is a datetime or epoch seconds (the caller's clock)."""
        seconds = now.timestamp() if isinstance(now, datetime) else float(now)
        bucket = key(tenant_id, "rl", sender)

        async def call() -> Decision:
            allowed, first = await self._script(
                keys=[bucket],
                args=[self.capacity, repr(float(self.refill_per_second)), repr(seconds), self.key_ttl],
            )
            return Decision(allowed=bool(int(allowed)), first_refusal=bool(int(first)))

        return await self._health.run("rate_limit", call, ALLOWED, tenant_id=tenant_id)
