"""Per-sender token bucket in Redis: one atomic Lua script per message, able to reserve future tokens."""

from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Any

from adapters.cache.health import RedisHealth, key
from domain.messages import RateDecision

# KEYS[1] bucket hash; ARGV: capacity, refill per second, now (epoch seconds), minimum key TTL (seconds),
# reserve (1: a refused message takes the next token ahead of time, driving the bucket into debt).
# Fields: tokens (negative while tokens are reserved), ts (last refill), refused ("1" in a refusal streak).
# Returns {allowed, first_refusal, wait}: wait (a string, Lua numbers become integers) is the seconds until
# the reserved token is there. A clock that goes backwards refills nothing. The key lives until the bucket
# would be full again, so a debt is never forgotten early.
TOKEN_BUCKET_LUA = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local ttl = tonumber(ARGV[4])
local reserve = tonumber(ARGV[5])
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
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
  refused = '0'
else
  if refused ~= '1' then first = 1 end
  refused = '1'
  if reserve == 1 then
    tokens = tokens - 1
    wait = -tokens / rate
  end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', string.format('%.6f', ts),
  'refused', refused)
redis.call('EXPIRE', KEYS[1], math.max(ttl, math.ceil((capacity - tokens) / rate) + 1))
return {allowed, first, string.format('%.6f', wait)}
"""

Decision = RateDecision
"""The rate limiter's answer (domain.messages.RateDecision), under its historical name."""

ALLOWED = RateDecision(allowed=True)


class RateLimiter:
    """domain.ports.RateLimiter: a token bucket per (tenant, sender), a burst of `capacity`, then
    `refill_per_second`.

    Runs as one Lua script (EVALSHA, re-sent with EVAL semantics by redis-py on NOSCRIPT), so concurrent
    app processes never over-admit, and reservations made by several processes queue up one after the
    other. When Redis is unreachable every message is allowed.
    """

    def __init__(
        self, client: Any, health: RedisHealth, *, capacity: int = 20, refill_per_second: float = 1.0
    ) -> None:
        self._client = client
        self._health = health
        self.capacity = capacity
        self.refill_per_second = refill_per_second
        # A full bucket after this long, so the key may go (longer while tokens are reserved).
        self.key_ttl = math.ceil(capacity / refill_per_second) + 1
        self._script = client.register_script(TOKEN_BUCKET_LUA)

    async def check(
        self, tenant_id: uuid.UUID | str, sender: str, now: datetime | float, *, reserve: bool = False
    ) -> RateDecision:
        """Take a token for this message; `now` is a datetime or epoch seconds (the caller's clock). With
        `reserve`, a refused message takes the next free token ahead of time: `wait` says when it is there
        (later messages queue behind it)."""
        seconds = now.timestamp() if isinstance(now, datetime) else float(now)
        bucket = key(tenant_id, "rl", sender)

        async def call() -> RateDecision:
            allowed, first, wait = await self._script(
                keys=[bucket],
                args=[
                    self.capacity,
                    repr(float(self.refill_per_second)),
                    repr(seconds),
                    self.key_ttl,
                    1 if reserve else 0,
                ],
            )
            return RateDecision(allowed=bool(int(allowed)), first_refusal=bool(int(first)), wait=float(wait))

        return await self._health.run("rate_limit", call, ALLOWED, tenant_id=tenant_id)
