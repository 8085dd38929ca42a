"""Conversation state (pending follow-ups) as JSON in Redis with a TTL."""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

from adapters.cache.health import RedisHealth, key

log = logging.getLogger("adapters.cache")

DEFAULT_STATE_TTL = 600
"""Ten minutes: a follow-up question left unanswered longer than that is forgotten."""


class ConversationState:
    """get/set/clear one JSON object per (tenant, user). Unreachable Redis: None and no-ops."""

    def __init__(self, client: Any, health: RedisHealth) -> None:
        self._client = client
        self._health = health

    async def get(self, tenant_id: uuid.UUID | str, user_id: uuid.UUID | str) -> dict[str, Any] | None:
        raw = await self._health.run(
            "state_get",
            lambda: self._client.get(key(tenant_id, "state", str(user_id))),
            None,
            tenant_id=tenant_id,
        )
        if raw is None:
            return None
        try:
            value = json.loads(raw)
        except ValueError:
            log.warning("conversation state is not JSON; ignored", extra={"tenant_id": str(tenant_id)})
            return None
        return value if isinstance(value, dict) else None

    async def set(
        self,
        tenant_id: uuid.UUID | str,
        user_id: uuid.UUID | str,
        state: dict[str, Any],
        ttl: int = DEFAULT_STATE_TTL,
    ) -> None:
        payload = json.dumps(state, separators=(",", ":"), default=str)
        await self._health.run(
            "state_set",
            lambda: self._client.set(key(tenant_id, "state", str(user_id)), payload, ex=ttl),
            None,
            tenant_id=tenant_id,
        )

    async def clear(self, tenant_id: uuid.UUID | str, user_id: uuid.UUID | str) -> None:
        await self._health.run(
            "state_clear",
            lambda: self._client.delete(key(tenant_id, "state", str(user_id))),
            None,
            tenant_id=tenant_id,
        )
