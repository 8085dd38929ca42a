"""End-to-end fixtures: the real app on PostgreSQL (or SQLite) and Redis, a tenant routed to a number."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient

from adapters.cache import Cache, connect
from adapters.db import ChannelEndpoint, Database, InboxMessage
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.keys import Metrics
from bot.settings import Settings
from domain.messages import InboundMessage
from domain.model import Language, Tenant
from domain.ports import Clock
from tests.integration.conftest import sqlite_template, sqlite_url
from tests.integration.fake_providers import FakeProviders

__all__ = ["sqlite_template", "sqlite_url"]

PUBLIC_BASE_URL = "https://centavo.example.com"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-token"
META_SECRET = "meta-secret"
META_VERIFY_TOKEN = "meta-verify"
REPLY = "Anotado!"


class StubAgent:
    """Stands in for bot/agent.py: answers every message with a fixed text and remembers what it saw."""

    def __init__(self) -> None:
        self.seen: list[InboundMessage] = []

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.seen.append(message)
        return REPLY


def stub_factory(agent: StubAgent):
    def build(
        db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None, **media: object
    ) -> StubAgent:
        return agent

    return build


@dataclass(frozen=True)
class Routed:
    """A tenant with a Twilio number and a Meta phone_number_id routed to it."""

    tenant: Tenant
    twilio_number: str
    meta_phone_number_id: str


@pytest.fixture(params=["postgresql"])
def e2e_database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        return str(request.getfixturevalue("pg_database").app_url)
    return str(request.getfixturevalue("sqlite_url"))


@pytest.fixture
def settings(e2e_database_url: str, redis_url: str) -> Settings:
    return replace(
        Settings(),
        database_url=e2e_database_url,
        redis_url=redis_url,
        public_base_url=PUBLIC_BASE_URL,
        twilio_account_sid=TWILIO_SID,
        twilio_auth_token=TWILIO_TOKEN,
        meta_app_secret=META_SECRET,
        meta_verify_token=META_VERIFY_TOKEN,
    )


@pytest.fixture
async def db(settings: Settings) -> AsyncIterator[Database]:
    database = Database(settings.database_url)
    try:
        yield database
    finally:
        await database.dispose()


@pytest.fixture
async def cache(settings: Settings) -> AsyncIterator[Cache]:
    """The cache the app under test uses (its own Redis database), for agents built outside the app."""
    cache = connect(settings.redis_url)
    try:
        yield cache
    finally:
        await cache.close()


@pytest.fixture
async def routed(db: Database) -> Routed:
    tenant = Tenant(
        id=uuid.uuid4(),
        slug=f"t-{uuid.uuid4().hex[:12]}",
        name="Casa",
        language=Language.PT,
        locale="pt_BR",
        currency="BRL",
        timezone="America/Sao_Paulo",
    )
    number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
    phone_number_id = str(uuid.uuid4().int % 10**15)
    async with db.directory() as directory:
        await directory.tenants.add(tenant)
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", number))
        await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "meta", phone_number_id))
        await directory.commit()
    return Routed(tenant, number, phone_number_id)


async def meta_app(aiohttp_client, aiohttp_server, settings: Settings) -> tuple[TestClient, FakeProviders]:
    """The app with a stub agent, replying through a fake Graph API: (its client, the fake)."""
    fake = FakeProviders(meta_token="meta-token")
    graph = await aiohttp_server(fake.app())
    configured = replace(
        settings, meta_access_token="meta-token", meta_graph_base_url=str(graph.make_url("/v21.0"))
    )
    client = await aiohttp_client(create_app(Bootstrap(configured, agent_factory=stub_factory(StubAgent()))))
    return client, fake


async def store_unanswered(db: Database, routed: Routed, *, died: bool) -> InboxMessage:
    """A WhatsApp message stored ten minutes ago and never answered: pending (its handling failed), or
    still claimed by a process that died (`died`), which the worker takes over once the lease expires."""
    received = datetime.now(UTC) - timedelta(minutes=10)
    row = InboxMessage(
        id=uuid.uuid4(),
        tenant_id=routed.tenant.id,
        channel="whatsapp",
        provider_message_id="SM" + uuid.uuid4().hex,
        sender="+5511987654321",
        recipient=routed.twilio_number,
        text="gastei 10 no mercado",
        received_at=received,
        status="processing" if died else "pending",
        attempts=1 if died else 0,
        claimed_at=received if died else None,
    )
    async with db.unit_of_work(routed.tenant.id) as uow:
        await uow.inbox.add_if_absent(row)
        await uow.commit()
    return row
