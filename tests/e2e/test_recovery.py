"""Crash recovery with the real agent: a stored, unanswered message is answered by the worker over REST."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.cache import Cache
from adapters.db import Database
from adapters.db.tables import inbox, outbound_messages, transactions
from bot import cli
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.conversation import Agent, agent_factory
from bot.keys import Metrics
from bot.settings import Settings
from domain.messages import InboundMessage
from domain.model import Tenant
from domain.ports import Clock
from tests.e2e.conftest import TWILIO_SID, TWILIO_TOKEN, Routed
from tests.e2e.test_app import signed
from tests.e2e.test_conversation import form
from tests.integration.fake_providers import FakeProviders


class CrashingOnce:
    """The real agent, except that its first message dies mid-way (a bug, a lost connection)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.crashed = False

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        if not self.crashed:
            self.crashed = True
            raise ConnectionResetError("the database went away mid-message")
        return await self.agent.handle(tenant, message)


async def rows(db: Database, routed: Routed, table: sa.Table) -> list[dict]:
    query = sa.select(table).where(table.c.tenant_id == routed.tenant.id)
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [dict(row) for row in (await uow.execute(query)).mappings()]


@pytest.fixture
async def fake_twilio(aiohttp_server, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> FakeProviders:
    """A local Twilio REST API; the worker CLI is pointed at it through the deployer's environment."""
    fake = FakeProviders(twilio_sid=TWILIO_SID, twilio_token=TWILIO_TOKEN)
    server = await aiohttp_server(fake.app())
    env = {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url or "",
        "PUBLIC_BASE_URL": settings.public_base_url,
        "TWILIO_ACCOUNT_SID": TWILIO_SID,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_API_BASE_URL": str(server.make_url("")),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return fake


async def test_a_message_whose_handling_crashed_is_recorded_once_and_answered_by_the_worker(
    aiohttp_client, settings: Settings, db: Database, routed: Routed, fake_twilio: FakeProviders
) -> None:
    crashing: list[CrashingOnce] = []

    def factory(db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None) -> CrashingOnce:
        crashing.append(CrashingOnce(agent_factory(db, cache, clock, metrics)))
        return crashing[0]

    client: TestClient = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=factory)))
    params = form(routed, "gastei R$ 45,90 no mercado")
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    # Stored, not answered: Twilio gets an empty TwiML (no retry storm) and the row waits for the worker.
    assert response.status == 200 and "<Message>" not in await response.text()
    (stored,) = await rows(db, routed, inbox)
    assert stored["status"] == "pending" and stored["error"] == "ConnectionResetError"
    assert await rows(db, routed, transactions) == []

    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0

    (sent,) = fake_twilio.of("twilio")
    assert sent.form["To"] == "whatsapp:+5511987654321"
    assert "✅ Gasto anotado: R$ 45,90 (mercado) no dia " in sent.form["Body"]  # the day is today's
    (recorded,) = await rows(db, routed, transactions)
    assert (recorded["amount_minor"], recorded["source_ref"]) == (4590, params["MessageSid"])
    (answered,) = await rows(db, routed, inbox)
    assert answered["status"] == "done" and answered["reply_text"] == sent.form["Body"]
    (out,) = await rows(db, routed, outbound_messages)
    assert out["inbox_id"] == answered["id"] and out["provider_message_id"]

    # Twilio redelivers the same message later: the stored reply, nothing recorded twice, nothing re-sent.
    again = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert "R$ 45,90" in await again.text()
    assert len(await rows(db, routed, transactions)) == 1
    assert len(fake_twilio.of("twilio")) == 1
    assert await asyncio.to_thread(cli.main, ["worker", "--once"]) == 0
    assert len(fake_twilio.of("twilio")) == 1
