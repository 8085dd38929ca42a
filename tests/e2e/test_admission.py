"""Bounded work in flight through the real app: a slow message answered later through the API, a burst held
for the worker, and 503 past the bound; nothing stored is ever left unanswered."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.clock import SystemClock
from adapters.db import Database
from adapters.db.tables import inbox
from bot.app import create_app
from bot.bootstrap import Bootstrap
from bot.keys import TWILIO_CHANNEL
from bot.settings import Settings
from bot.worker import Worker
from domain.messages import InboundMessage
from domain.model import Tenant
from tests.e2e.conftest import REPLY, Routed, StubAgent
from tests.e2e.test_app import signed
from tests.e2e.test_conversation import form
from tests.integration.fake_providers import FakeProviders

DEADLINE_S = 0.6


class Slow:
    """Answers REPLY after `seconds` (a long lock wait, a slow query)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.done = asyncio.Event()

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        await asyncio.sleep(self.seconds)
        self.done.set()
        return REPLY


@pytest.fixture
async def fake(aiohttp_server, settings: Settings) -> AsyncIterator[tuple[FakeProviders, str]]:
    providers = FakeProviders(
        twilio_sid=settings.twilio_account_sid or "", twilio_token=settings.twilio_auth_token or ""
    )
    server = await aiohttp_server(providers.app())
    yield providers, str(server.make_url(""))


async def app_client(aiohttp_client, settings: Settings, agent: object, **limits: object) -> TestClient:
    app = create_app(Bootstrap(replace(settings, **limits), agent_factory=lambda *args: agent))  # type: ignore[arg-type]
    return await aiohttp_client(app)


async def post(client: TestClient, routed: Routed, text: str, sender: str = "+5511987654321"):
    params = form(routed, text, sender)
    return await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))


async def statuses(db: Database, routed: Routed) -> list[str]:
    async with db.unit_of_work(routed.tenant.id) as uow:  # RLS: through the tenant's unit of work
        return sorted((await uow.execute(sa.select(inbox.c.status))).scalars())


async def test_a_message_slower_than_the_deadline_is_answered_later_through_the_api(
    aiohttp_client, settings: Settings, db: Database, routed: Routed, fake
) -> None:
    providers, base_url = fake
    slow = Slow(DEADLINE_S * 2)
    client = await app_client(
        aiohttp_client, settings, slow, webhook_deadline_s=DEADLINE_S, twilio_api_base_url=base_url
    )
    response = await post(client, routed, "gastei 10 no mercado")
    # 200 (the deadline would have cut it with a 503), with no reply: it comes through the API instead.
    assert response.status == 200
    assert "<Message" not in await response.text()
    await asyncio.wait_for(slow.done.wait(), 5)
    for _ in range(50):
        if providers.of("twilio"):
            break
        await asyncio.sleep(0.05)
    assert [r.form["Body"] for r in providers.of("twilio")] == [REPLY]
    # The row is settled right after the send returns: the provider may see the reply a moment before.
    for _ in range(100):
        if await statuses(db, routed) == ["done"]:
            break
        await asyncio.sleep(0.05)
    assert await statuses(db, routed) == ["done"]


class Gated:
    """Answers REPLY once released; counts the messages it holds meanwhile."""

    def __init__(self) -> None:
        self.inside = 0
        self.release = asyncio.Event()

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.inside += 1
        await self.release.wait()
        return REPLY


async def test_a_burst_past_the_process_limit_is_held_and_the_worker_answers_it(
    aiohttp_client, settings: Settings, db: Database, routed: Routed, fake
) -> None:
    providers, base_url = fake
    gated = Gated()
    client = await app_client(
        aiohttp_client, settings, gated, webhook_process_limit=2, twilio_api_base_url=base_url
    )
    # Six senders: one sender's later messages wait behind a held one (turns keep their order), so with one
    # sender the second message could be held too, depending on which insert came first.
    posts = [
        asyncio.create_task(post(client, routed, f"gastei {n}", f"+55119876543{n:02}")) for n in range(6)
    ]
    # The held ones answer without waiting for the agent (bounded generously: a loaded machine is slow).
    for _ in range(200):
        if sum(p.done() for p in posts) >= 4 and gated.inside >= 2:
            break
        await asyncio.sleep(0.05)
    assert gated.inside == 2 and sum(p.done() for p in posts) == 4
    gated.release.set()
    responses = await asyncio.gather(*posts)
    assert [r.status for r in responses] == [200] * 6
    texts = [await r.text() for r in responses]
    assert sum("<Message" in t for t in texts) == 2  # the two processed answered inline
    assert await statuses(db, routed) == ["done"] * 2 + ["pending"] * 4
    stub = StubAgent()
    worker = Worker(db, stub, {"twilio": client.app[TWILIO_CHANNEL]}, SystemClock())
    assert await worker.lifecycle.work(routed.tenant) == 4
    assert len(stub.seen) == 4
    assert await statuses(db, routed) == ["done"] * 6
    assert [r.form["Body"] for r in providers.of("twilio")] == [REPLY] * 4


async def test_past_the_hold_limit_a_webhook_is_refused_before_anything_is_stored(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    client = await app_client(aiohttp_client, settings, StubAgent(), webhook_hold_limit=0)
    response = await post(client, routed, "gastei 10")
    assert response.status == 503 and response.headers["Retry-After"]
    assert await statuses(db, routed) == []
    metrics = await (await client.get("/metrics")).text()
    assert 'errors_total{kind="overloaded"} 1.0' in metrics
