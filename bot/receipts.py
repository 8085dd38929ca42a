"""Reading the photo someone sent: the attachment, downloaded from its provider, and its text by OCR in a
thread of its own (the event loop never waits on the model)."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from adapters.channels.downloads import MAX_IMAGE_BYTES, MediaFetcher, MediaRefused
from adapters.ocr import ReceiptOcr, UnreadableImage
from domain.messages import InboundMessage

log = logging.getLogger(__name__)

PhotoOutcome = Literal["read", "unreadable", "audio", "video", "document", "too_big", "gone"]
_REFUSED: Mapping[str, PhotoOutcome] = {"too_big": "too_big", "not_image": "document", "gone": "gone"}


@dataclass(frozen=True, slots=True)
class Photo:
    """What came of the first attachment of a message."""

    outcome: PhotoOutcome
    """read (rows hold its text), unreadable (an image with no text we could read), audio, video, document
    (anything else that is not an image), too_big, gone (the provider no longer has it, or never did)."""
    rows: tuple[str, ...] = ()
    """The text rows, top to bottom, for nlu.read_receipt."""
    digest: str | None = None
    """The image's SHA-256 (hex): the same photo sent twice is one receipt."""


class ReceiptReader:
    """read(message): its first attachment downloaded (with the provider's credentials, within the size
    limit) and read. A provider that fails for now (5xx, a timeout) raises MediaUnavailable: the inbox keeps
    the message and retries it, so the photo is never lost."""

    def __init__(
        self, fetchers: Mapping[str, MediaFetcher], ocr: ReceiptOcr, *, limit: int = MAX_IMAGE_BYTES
    ) -> None:
        self._fetchers = fetchers
        self._ocr = ocr
        self._limit = limit
        # One thread: OCR keeps a core busy for a second or two, and a second at once would only halve both.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="centavo-ocr")

    async def read(self, message: InboundMessage) -> Photo:
        if not message.media:
            return Photo("gone")
        attachment = message.media[0]
        kind = attachment.kind
        # Audio, video and files are told by the type the provider announced: nothing is downloaded.
        if kind in ("audio", "video"):
            return Photo("audio" if kind == "audio" else "video")
        if kind not in ("", "image"):
            return Photo("document")
        fetcher = self._fetchers.get(message.provider)
        if fetcher is None:
            return Photo("gone")
        try:
            download = await fetcher.fetch(attachment.ref, limit=self._limit)
        except MediaRefused as exc:
            log.info("attachment refused: %s", exc.reason, extra={"provider": message.provider})
            return Photo(_REFUSED[exc.reason])
        digest = hashlib.sha256(download.body).hexdigest()
        loop = asyncio.get_running_loop()
        try:
            rows = await loop.run_in_executor(self._executor, self._ocr.read_rows, download.body)
        except UnreadableImage:
            return Photo("unreadable", digest=digest)
        return Photo("read", tuple(rows), digest) if rows else Photo("unreadable", digest=digest)

    async def close(self) -> None:
        for fetcher in self._fetchers.values():
            await fetcher.close()
        self._executor.shutdown(wait=False, cancel_futures=True)
