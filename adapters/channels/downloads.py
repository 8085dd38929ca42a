"""Downloading what people send us (a receipt photo) from the provider that holds it, with its credentials,
refusing what is not an image or is too large before the download completes."""

from __future__ import annotations

import asyncio
import base64
import mimetypes
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

import aiohttp

DEFAULT_GRAPH_BASE_URL = "https://graph.facebook.com/v19.0"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
"""WhatsApp's own limit for images; a receipt photo is a few hundred KB."""
TIMEOUT_S = 15.0
CHUNK = 64 * 1024
TWILIO_HOSTS = ("api.twilio.com",)
"""Where Twilio's media URLs point: the only hosts our Twilio credentials are sent to."""

Refusal = Literal["too_big", "not_image", "gone"]


class MediaRefused(Exception):
    """The file will never be read: too big, not an image, or no longer there (or not ours to fetch)."""

    def __init__(self, reason: Refusal, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Refusal = reason


class MediaUnavailable(Exception):
    """The provider did not hand the file over this time (5xx, 429, a timeout): the message is retried."""


@dataclass(frozen=True, slots=True)
class Download:
    body: bytes
    content_type: str


class MediaFetcher(Protocol):
    async def fetch(self, ref: str, *, limit: int = MAX_IMAGE_BYTES) -> Download: ...
    async def close(self) -> None: ...


def _image_type(value: str | None) -> str:
    content_type = (value or "").split(";", 1)[0].strip().lower()
    if not content_type.startswith("image/"):
        raise MediaRefused("not_image", content_type or "no content type")
    return content_type


async def _read(response: aiohttp.ClientResponse, limit: int) -> Download:
    """The body of an answer, refused by its status, its type or its size; the size is checked on the
    announced length first and on every chunk after, so a large file is never read to its end."""
    if response.status in (401, 403, 404, 410):
        raise MediaRefused("gone", f"status {response.status}")
    if response.status >= 400:
        raise MediaUnavailable(f"status {response.status}")
    content_type = _image_type(response.headers.get("Content-Type"))
    if response.content_length is not None and response.content_length > limit:
        raise MediaRefused("too_big", f"{response.content_length} bytes")
    body = bytearray()
    async for chunk in response.content.iter_chunked(CHUNK):
        body += chunk
        if len(body) > limit:
            raise MediaRefused("too_big", f"over {limit} bytes")
    return Download(bytes(body), content_type)


class _Session:
    """A ClientSession made on first use (it belongs to the running loop) and closed with the fetcher."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    def session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT_S))
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
        self._session = None


class TwilioMedia(_Session):
    """Twilio's MediaUrlN, fetched with the account's credentials (HTTP basic auth). Twilio answers with a
    redirect to its storage; aiohttp drops the Authorization header when a redirect changes the host."""

    def __init__(self, account_sid: str, auth_token: str, api_base_url: str | None = None) -> None:
        super().__init__()
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode("ascii")
        self._auth = f"Basic {token}"
        own = urlsplit(api_base_url).hostname if api_base_url else None
        self._hosts = (*TWILIO_HOSTS, own) if own else TWILIO_HOSTS

    async def fetch(self, ref: str, *, limit: int = MAX_IMAGE_BYTES) -> Download:
        parts = urlsplit(ref)
        if parts.scheme not in ("http", "https") or parts.hostname not in self._hosts:
            # A URL anywhere else did not come from Twilio: it is not read, our credentials are not sent.
            raise MediaRefused("gone", "not a Twilio media URL")
        try:
            async with self.session().get(ref, headers={"Authorization": self._auth}) as response:
                return await _read(response, limit)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise MediaUnavailable(type(exc).__name__) from exc


class MetaMedia(_Session):
    """A WhatsApp Cloud API media id: its URL and size from the Graph API, then the file, both with the
    access token. The announced size and type refuse a file before a byte of it is downloaded."""

    def __init__(self, access_token: str, graph_base_url: str | None = None) -> None:
        super().__init__()
        self._headers = {"Authorization": f"Bearer {access_token}"}
        self._base = (graph_base_url or DEFAULT_GRAPH_BASE_URL).rstrip("/")

    async def fetch(self, ref: str, *, limit: int = MAX_IMAGE_BYTES) -> Download:
        try:
            async with self.session().get(f"{self._base}/{ref}", headers=self._headers) as response:
                if response.status in (400, 401, 403, 404, 410):
                    raise MediaRefused("gone", f"status {response.status}")
                if response.status >= 300:
                    raise MediaUnavailable(f"status {response.status}")
                meta = await response.json(content_type=None)
            if not isinstance(meta, dict) or not isinstance(meta.get("url"), str):
                raise MediaRefused("gone", "no url")
            _image_type(meta.get("mime_type"))
            size = meta.get("file_size")
            if isinstance(size, int) and size > limit:
                raise MediaRefused("too_big", f"{size} bytes")
            async with self.session().get(meta["url"], headers=self._headers) as response:
                return await _read(response, limit)
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise MediaUnavailable(type(exc).__name__) from exc


class LocalFiles:
    """The console's attachments: a file path typed at `centavo chat` (the terminal is the user's own)."""

    async def fetch(self, ref: str, *, limit: int = MAX_IMAGE_BYTES) -> Download:
        return await asyncio.to_thread(self._read, ref, limit)

    @staticmethod
    def _read(ref: str, limit: int) -> Download:
        path = Path(ref).expanduser()
        content_type = _image_type(mimetypes.guess_type(path.name)[0])
        try:
            size = path.stat().st_size
            if size > limit:
                raise MediaRefused("too_big", f"{size} bytes")
            return Download(path.read_bytes(), content_type)
        except OSError as exc:
            raise MediaRefused("gone", type(exc).__name__) from exc

    async def close(self) -> None:
        """Nothing to release."""
