"""Images we send (charts), kept in Redis for a limited time under an unguessable token for the providers to
fetch from our public /media/ URL; then gone (404)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from adapters.cache.health import KEY_PREFIX, RedisHealth

DEFAULT_MEDIA_TTL = 3600
"""An hour: Twilio and Meta fetch a message's media when it is sent, seconds after; a link found later in a
log or a forwarded message leads nowhere."""
TOKEN_BYTES = 32
"""256 random bits, 43 URL-safe characters: not guessable, not enumerable."""
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
MAX_BYTES = 4 * 1024 * 1024
"""The largest image kept (a chart is ~100 KB); WhatsApp takes images up to 5 MB."""


@dataclass(frozen=True, slots=True)
class StoredMedia:
    """One image as the /media/ route serves it."""

    content_type: str
    body: bytes
    tenant_id: str
    """Whose it is: logged, never shown."""


def _key(token: str) -> str:
    # The token's hash, not the token: whoever can list Redis's keys still cannot build a URL that works.
    return ":".join((KEY_PREFIX, "media", hashlib.sha256(token.encode()).hexdigest()))


class MediaStore:
    """put() an image for `ttl` seconds and get its token; get() it back by token until then."""

    def __init__(self, client: Any, health: RedisHealth) -> None:
        self._client = client
        self._health = health

    async def put(
        self,
        tenant_id: uuid.UUID,
        body: bytes,
        *,
        content_type: str = "image/png",
        ttl: int = DEFAULT_MEDIA_TTL,
    ) -> str | None:
        """The new token, or None when Redis is unreachable (the reply then goes as text alone)."""
        if len(body) > MAX_BYTES:
            raise ValueError(f"media of {len(body)} bytes is over {MAX_BYTES}")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        # The client decodes responses as text (decode_responses=True), so the bytes travel as base64.
        value = json.dumps(
            {"type": content_type, "tenant": str(tenant_id), "body": base64.b64encode(body).decode("ascii")}
        )
        stored = await self._health.run(
            "media_put", lambda: self._client.set(_key(token), value, ex=ttl), None, tenant_id=tenant_id
        )
        return token if stored else None

    async def get(self, token: str) -> StoredMedia | None:
        """The image under `token`, or None: unknown, expired, malformed token, or Redis unreachable."""
        if not TOKEN.fullmatch(token):
            return None
        raw = await self._health.run("media_get", lambda: self._client.get(_key(token)), None)
        if raw is None:
            return None
        value = json.loads(raw)
        return StoredMedia(str(value["type"]), base64.b64decode(value["body"]), str(value["tenant"]))
