"""What the conversation agent is built from: the Protocols its factory's parts satisfy (bot/keys.py,
adapters/), so the agent names no adapter."""

from __future__ import annotations

import uuid
from typing import Protocol

from bot.conversation.pending import StateStore
from bot.conversation.receipts import PhotoLike
from domain.charts import ChartRenderer
from domain.messages import InboundMessage
from domain.ports import UnitOfWork


class NluTimer(Protocol):
    """A histogram of NLU time (bot.keys.Metrics.nlu_seconds)."""

    def observe(self, amount: float) -> None: ...


class PhotoReader(Protocol):
    """bot.receipts.ReceiptReader: a message's photo downloaded and read."""

    async def read(self, message: InboundMessage) -> PhotoLike: ...


class Publisher(Protocol):
    """bot.pictures.PicturePublisher: where a reply's picture can be fetched from (None: nowhere)."""

    async def publish(
        self, tenant_id: uuid.UUID, message: InboundMessage, png: bytes, name: str
    ) -> str | None: ...


class Stores(Protocol):
    """What the agent is built from: a database opening tenant-bound units of work (adapters.db.Database)."""

    def unit_of_work(self, tenant_id: uuid.UUID) -> UnitOfWork: ...


class Caches(Protocol):
    """A cache with a conversation-state store (adapters.cache.Cache)."""

    @property
    def state(self) -> StateStore: ...


class MediaParts(Protocol):
    """bot.keys.Media: the photo reader, the picture publisher and the chart renderer."""

    @property
    def photos(self) -> PhotoReader: ...
    @property
    def pictures(self) -> Publisher: ...
    @property
    def charts(self) -> ChartRenderer: ...


class Timers(Protocol):
    """The app's metrics (bot.keys.Metrics): the agent times its NLU on them."""

    @property
    def nlu_seconds(self) -> NluTimer: ...
