"""Where a reply's picture goes: a file on the console, a short-lived public URL for Twilio and Meta."""

from __future__ import annotations

import logging
import secrets
import tempfile
import uuid
from pathlib import Path

from adapters.cache import MediaStore
from adapters.cache.media import DEFAULT_MEDIA_TTL
from domain.messages import InboundMessage

log = logging.getLogger(__name__)

CONSOLE_FOLDER = Path(tempfile.gettempdir()) / "centavo-pictures"
"""Where `centavo chat` saves the charts it shows (their paths are printed)."""


class PicturePublisher:
    """publish(): the address the recipient's channel fetches a PNG from, or None when there is none (the
    reply then goes as text alone, with the numbers in place of the picture)."""

    def __init__(
        self,
        store: MediaStore | None,
        public_base_url: str | None,
        *,
        ttl: int = DEFAULT_MEDIA_TTL,
        folder: Path = CONSOLE_FOLDER,
    ) -> None:
        self._store = store
        self._base = public_base_url.rstrip("/") if public_base_url else None
        self._ttl = ttl
        self._folder = folder

    async def publish(
        self, tenant_id: uuid.UUID, message: InboundMessage, png: bytes, name: str
    ) -> str | None:
        if message.provider == "console":
            return str(self._save(png, name))
        if self._store is None or self._base is None:
            return None
        token = await self._store.put(tenant_id, png, ttl=self._ttl)
        if token is None:
            log.warning(
                "picture not published (redis unreachable): sent as text", extra={"tenant_id": str(tenant_id)}
            )
            return None
        return f"{self._base}/media/{token}.png"

    def _save(self, png: bytes, name: str) -> Path:
        self._folder.mkdir(parents=True, exist_ok=True)
        safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in name)[:80] or "picture"
        path = self._folder / f"{safe}-{secrets.token_hex(4)}.png"
        path.write_bytes(png)
        return path
