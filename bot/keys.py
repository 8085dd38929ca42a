"""Every web.AppKey of the application, typed, in one place; the agent Protocol the routes call, and the
Parts the composition root (bot/bootstrap.py) hands to the app, the worker and the chat."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Histogram

from adapters.cache import Cache, RateLimiter
from adapters.channels import Channel
from adapters.db import Database
from bot.answer import Answer
from bot.settings import Settings

if TYPE_CHECKING:  # the OCR's model libraries load only where photos are read
    from adapters.charts import ChartRenderer
    from bot.pictures import PicturePublisher
    from bot.receipts import ReceiptReader
from domain.messages import InboundMessage
from domain.model import Tenant
from domain.ports import Clock


class AgentLike(Protocol):
    """What the routes and the worker need from the conversation agent (bot/conversation/)."""

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | Answer | None: ...


@dataclass(frozen=True, slots=True)
class Media:
    """What the agent reads photos, draws charts and publishes pictures with (built by bot/bootstrap.py)."""

    photos: ReceiptReader
    pictures: PicturePublisher
    charts: ChartRenderer


class AgentFactory(Protocol):
    """Builds the agent from the app's database, cache and clock, once they are open; with the app's metrics
    when there are any (the worker has none), so the agent can time its NLU and count its failures. The
    conversation agent's factory also takes `media=` (bot/bootstrap.py passes it); stubs need not."""

    def __call__(
        self, db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None
    ) -> AgentLike: ...


@dataclass(frozen=True, slots=True)
class Metrics:
    """The app's Prometheus metrics, on a registry of its own: several apps in one process never collide."""

    registry: CollectorRegistry
    messages_in: Counter
    """messages_in_total{channel, outcome}."""
    messages_out: Counter
    """messages_out_total{provider, outcome}."""
    handler_seconds: Histogram
    """handler_seconds{route}: a webhook request from the first byte read to the response."""
    nlu_seconds: Histogram
    """nlu_seconds: one nlu.parse call, the understanding part of a message."""
    api_requests: Counter
    """api_requests_total{operation, status}: admin API requests by operation id and HTTP status."""
    api_seconds: Histogram
    """api_seconds{operation}: an admin API request from dispatch to response (a CSV export: to its end)."""
    errors: Counter
    """errors_total{kind}: webhook_refused (a 4xx to a provider), agent (processing a message raised; it is
    kept and retried), send (a reply or push the provider did not take), unavailable (a request answered 503:
    a store down or past the webhook deadline), http_500 (an unhandled error answered 500)."""

    @classmethod
    def create(cls) -> Metrics:
        registry = CollectorRegistry()
        return cls(
            registry=registry,
            messages_in=Counter("messages_in", "Inbound messages", ["channel", "outcome"], registry=registry),
            messages_out=Counter(
                "messages_out", "Outbound messages", ["provider", "outcome"], registry=registry
            ),
            handler_seconds=Histogram(
                "handler_seconds", "Webhook handling time", ["route"], registry=registry
            ),
            # Parsing takes well under a millisecond; the default buckets start at 5 ms and would hide it.
            nlu_seconds=Histogram(
                "nlu_seconds",
                "Time to understand one message",
                buckets=(0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
                registry=registry,
            ),
            api_requests=Counter(
                "api_requests", "Admin API requests", ["operation", "status"], registry=registry
            ),
            api_seconds=Histogram("api_seconds", "Admin API request time", ["operation"], registry=registry),
            errors=Counter("errors", "Errors by kind", ["kind"], registry=registry),
        )


@dataclass(frozen=True, slots=True)
class Parts:
    """The object graph one command runs on, built and opened by bot/bootstrap.py (the only place that
    builds it) and closed by it; defined here so the app, the worker and the chat can take it without
    importing the composition root."""

    settings: Settings
    clock: Clock
    metrics: Metrics
    db: Database
    cache: Cache | None = None
    """None for the commands that need only the database (tenant, user, channel, demo)."""
    channels: Mapping[str, Channel] = field(default_factory=dict)
    """"twilio" and "meta" -> the channel that sends for that provider; empty when nothing is sent."""
    agent: AgentLike | None = None
    """None when no agent was asked for: messages are stored and left for the worker."""

    def need_cache(self) -> Cache:
        """The cache, for code that cannot run without one; a missing one is a wiring bug."""
        if self.cache is None:
            raise RuntimeError("this command was built without a cache (bot/bootstrap.py options)")
        return self.cache

    def need_agent(self) -> AgentLike:
        """The agent, for code that cannot run without one (the worker, the chat)."""
        if self.agent is None:
            raise RuntimeError("this command was built without an agent (bot/bootstrap.py options)")
        return self.agent


class OpensParts(Protocol):
    """Something that builds and opens the Parts for as long as the context lasts (bootstrap.Bootstrap):
    what create_app takes, so aiohttp's cleanup context owns their lifetime."""

    def open(self) -> AbstractAsyncContextManager[Parts]: ...


SETTINGS = web.AppKey("settings", Settings)
CLOCK = web.AppKey("clock", Clock)
DATABASE = web.AppKey("database", Database)
CACHE = web.AppKey("cache", Cache)
AGENT = web.AppKey("agent", AgentLike)
TWILIO_CHANNEL = web.AppKey("twilio_channel", Channel)
META_CHANNEL = web.AppKey("meta_channel", Channel)
METRICS = web.AppKey("metrics", Metrics)
API_LIMITER = web.AppKey("api_limiter", RateLimiter)
"""The admin API's per-key token bucket (its own sizes: CENTAVO_API_RATE_BURST / _PER_SECOND)."""
