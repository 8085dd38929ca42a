"""Idempotency-Key for POST: the same key with the same request replays the first answer for 24 hours; the
same key with a different request is refused (422); a key whose first request is still running answers 409.

Kept in Redis with a TTL, which is what makes keys expire. When Redis is unreachable requests run without
replay; writes that must never double (transactions) also carry the key into the ledger's own unique
(source, source_ref), so the database still refuses a second copy."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass

from adapters.cache import Cache, key
from bot.admin.problems import Problem, field_problem

TTL_S = 24 * 3600
RUNNING_TTL_S = 60
"""A claim that is never completed (the process died) frees the key after this long."""
MAX_KEY = 255
KEY_PATTERN = r"^[\x21-\x7e]+$"
"""Visible ASCII, no spaces (what the OpenAPI document promises)."""
_KEY = re.compile(KEY_PATTERN)


@dataclass(frozen=True, slots=True)
class Stored:
    """An answer to replay."""

    status: int
    body: str
    content_type: str


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    return hashlib.sha256(b"\n".join([method.encode(), path.encode(), query.encode(), body])).hexdigest()


def check_key(value: str) -> str:
    if len(value) > MAX_KEY or not _KEY.fullmatch(value):
        raise field_problem(422, "header.Idempotency-Key", f"1 to {MAX_KEY} visible ASCII characters")
    return value


class Idempotency:
    """One request's use of an Idempotency-Key, in the caller's namespace (its API key or the platform)."""

    def __init__(self, cache: Cache, owner: str, idempotency_key: str, request_hash: str) -> None:
        self._cache = cache
        self._key = key("api", "idem", owner, hashlib.sha256(idempotency_key.encode()).hexdigest())
        self._hash = request_hash

    async def begin(self) -> Stored | None:
        """Claim the key, or the answer to replay; 422 when it was another request, 409 while running."""
        claim = json.dumps({"hash": self._hash, "state": "running"})

        async def claim_or_read() -> str | None:
            client = self._cache.client
            if await client.set(self._key, claim, nx=True, ex=RUNNING_TTL_S):
                return None
            return str(await client.get(self._key) or "")

        existing = await self._cache.health.run("idempotency", claim_or_read, None)
        if not existing:
            return None
        try:
            stored = json.loads(existing)
        except ValueError:
            return None
        if stored.get("hash") != self._hash:
            raise Problem(
                422,
                "this Idempotency-Key was used for a different request",
                kind="idempotency-key-reused",
            )
        if stored.get("state") == "running":
            raise Problem(
                409, "a request with this Idempotency-Key is still running", headers={"Retry-After": "1"}
            )
        return Stored(int(stored["status"]), str(stored["body"]), str(stored["content_type"]))

    async def complete(self, answer: Stored) -> None:
        value = json.dumps(
            {
                "hash": self._hash,
                "state": "done",
                "status": answer.status,
                "body": answer.body,
                "content_type": answer.content_type,
            }
        )

        async def store() -> None:
            await self._cache.client.set(self._key, value, ex=TTL_S)

        await self._cache.health.run("idempotency", store, None)

    async def abandon(self) -> None:
        """The request failed unexpectedly: free the key so a retry runs again."""

        async def delete() -> None:
            await self._cache.client.delete(self._key)

        await self._cache.health.run("idempotency", delete, None)
