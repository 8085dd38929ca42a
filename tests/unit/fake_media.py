"""The agent's media on fakes: photos whose text is given (what the OCR would read), pictures nowhere."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

from bot.receipts import Photo, PhotoOutcome
from domain.messages import InboundMessage


class GivenPhotos:
    """A photo reader that reads each photo as the text rows the test says it holds (`ref` -> rows), or
    gives the outcome the test set for it (`ref` -> "audio", "unreadable"...)."""

    def __init__(self) -> None:
        self.photos: dict[str, tuple[str, ...] | PhotoOutcome] = {}
        self.read_refs: list[str] = []

    async def read(self, message: InboundMessage) -> Photo:
        ref = message.media[0].ref
        self.read_refs.append(ref)
        given = self.photos[ref]
        if isinstance(given, str):
            return Photo(given)
        return Photo("read", given, hashlib.sha256("\n".join(given).encode()).hexdigest())


class Nowhere:
    """A publisher with nowhere to put pictures: they go as their numbers."""

    async def publish(
        self, tenant_id: uuid.UUID, message: InboundMessage, png: bytes, name: str
    ) -> str | None:
        return None


@dataclass
class FakeMedia:
    charts: Any
    photos: GivenPhotos = field(default_factory=GivenPhotos)
    pictures: Nowhere = field(default_factory=Nowhere)
