"""Redis (redis.asyncio) for rate limits, conversation state and the dedupe hint; fakeredis when embedded."""

from adapters.cache.connection import Cache, connect
from adapters.cache.dedupe import Dedupe
from adapters.cache.health import RedisHealth, key
from adapters.cache.media import MediaStore, StoredMedia
from adapters.cache.rate_limit import Decision, RateLimiter
from adapters.cache.state import DEFAULT_STATE_TTL, ConversationState

__all__ = [
    "DEFAULT_STATE_TTL",
    "Cache",
    "ConversationState",
    "Decision",
    "Dedupe",
    "MediaStore",
    "RateLimiter",
    "RedisHealth",
    "StoredMedia",
    "connect",
    "key",
]
