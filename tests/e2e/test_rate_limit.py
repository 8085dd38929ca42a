"""The per-sender rate limit through the real app: messages over it are deferred and answered later at the
allowed pace (Twilio over REST, Meta over the Graph API), up to an hourly cap; Redis down answers all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.cache import Cache
from adapters.db import Database
from adapters.db.tables import transactions
from bot.app import create_app
from bot.bootstrap import Bootstrap, meta_channel, twilio_channel
from bot.conversation import agent_factory
from bot.keys import Metrics
from bot.lifecycle import Timing
from bot.routes import LIFECYCLE_TIMING
from bot.settings import Settings
from bot.worker import Worker
from domain.messages import InboundMessage
from domain.model import Tenant
from domain.ports import Clock
from tests.e2e.conftest import REPLY, Routed, StubAgent, stub_factory
from tests.e2e.test_app import inbox_rows, signed, twilio_form
from tests.e2e.test_conversation import form
from tests.e2e.test_meta import payload, signature
from tests.integration.fake_providers import FakeProviders
from tests.unit.fakes import FixedClock


class Timed:
    """Wraps an agent and notes the clock's time at which each message was processed."""

    def __init__(self, agent: object, clock: Clock) -> None:
        self.agent = agent
        self.clock = clock
        self.at: dict[str, datetime] = {}

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.at[message.provider_message_id] = self.clock.now()
        return await self.agent.handle(tenant, message)  # type: ignore[attr-defined]


async def post(client: TestClient, params: dict[str, str]) -> str:
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert response.status == 200
    return await response.text()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
async def providers(aiohttp_server, settings: Settings) -> AsyncIterator[tuple[FakeProviders, Settings]]:
    """Fake Twilio and Graph APIs, and the settings pointing at them."""
    fake = FakeProviders(
        twilio_sid=settings.twilio_account_sid or "", twilio_token=settings.twilio_auth_token or ""
    )
    server = await aiohttp_server(fake.app())
    yield (
        fake,
        replace(
            settings,
            twilio_api_base_url=str(server.make_url("")),
            meta_access_token=fake.meta_token,
            meta_graph_base_url=str(server.make_url("/v21.0")),
        ),
    )


def worker(db: Database, agent: object, settings: Settings, clock: Clock, **timing: object) -> Worker:
    channels = {"twilio": twilio_channel(settings), "meta": meta_channel(settings)}
    return Worker(db, agent, channels, clock, timing=Timing(**timing))  # type: ignore[arg-type]


async def test_a_flood_of_60_expenses_is_all_recorded_at_the_allowed_pace(
    aiohttp_client,
    db: Database,
    routed: Routed,
    providers: tuple[FakeProviders, Settings],
    cache: Cache,
    clock: FixedClock,
) -> None:
    fake, settings = providers
    timed: list[Timed] = []

    def factory(db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None) -> Timed:
        timed.append(Timed(agent_factory(db, cache, clock, metrics), clock))
        return timed[-1]

    client = await aiohttp_client(create_app(Bootstrap(settings, agent_factory=factory, clock=clock)))
    sent = [form(routed, f"gastei {i} no mercado") for i in range(1, 61)]
    answers = [await post(client, params) for params in sent]
    # A burst of 20 is answered at once; the other 40 get an empty TwiML and wait for their turn.
    assert all("<Message" in a for a in answers[:20])
    assert all("<Message" not in a for a in answers[20:])
    metrics = await (await client.get("/metrics")).text()
    assert 'messages_in_total{channel="whatsapp",outcome="deferred"} 40.0' in metrics

    start = clock.now()
    pacer = worker(db, Timed(agent_factory(db, cache, clock), clock), settings, clock)
    for _ in range(45):  # 45 seconds of the test clock, one worker pass a second
        clock.advance(seconds=1)
        await pacer.lifecycle.work(routed.tenant)

    async with db.unit_of_work(routed.tenant.id) as uow:
        query = sa.select(transactions.c.amount_minor, transactions.c.source_ref)
        recorded = {ref: minor for minor, ref in (await uow.execute(query)).all()}
    assert recorded == {p["MessageSid"]: i * 100 for i, p in enumerate(sent, start=1)}
    assert all(row["status"] == "done" for row in await inbox_rows(db, routed))
    # The 40 deferred ones were answered over REST, one a second: the k-th not before k seconds.
    bodies = [r.form["Body"] for r in fake.of("twilio")]
    assert len(bodies) == 40 and all("anotado" in b for b in bodies)
    at = pacer.lifecycle._agent.at  # type: ignore[union-attr]
    for k, params in enumerate(sent[20:], start=1):
        assert at[params["MessageSid"]] >= start + timedelta(seconds=k), k


async def test_a_deferred_meta_message_is_answered_later_through_the_graph_api(
    aiohttp_client, db: Database, routed: Routed, providers: tuple[FakeProviders, Settings], clock: FixedClock
) -> None:
    fake, settings = providers
    client = await aiohttp_client(
        create_app(Bootstrap(settings, agent_factory=stub_factory(StubAgent()), clock=clock))
    )
    for i in range(21):
        body = payload(routed, f"wamid.{i}", "gastei 10 no mercado")
        assert (await client.post("/webhooks/meta", data=body, headers=signature(body))).status == 200
    assert len(fake.of("meta")) == 20
    (deferred,) = [r for r in await inbox_rows(db, routed) if r["status"] == "pending"]
    assert deferred["provider_message_id"] == "wamid.20"

    clock.advance(seconds=1)
    assert await worker(db, StubAgent(), settings, clock).lifecycle.work(routed.tenant) == 1
    last = fake.of("meta")[-1].json
    assert len(fake.of("meta")) == 21 and last["to"] == "5511987654321" and last["text"]["body"] == REPLY


async def test_over_the_hourly_cap_messages_are_dropped_and_the_sender_told_once(
    aiohttp_client, db: Database, routed: Routed, providers: tuple[FakeProviders, Settings], clock: FixedClock
) -> None:
    fake, settings = providers
    agent = StubAgent()
    app = create_app(Bootstrap(settings, agent_factory=stub_factory(agent), clock=clock))
    app[LIFECYCLE_TIMING] = Timing(deferral_cap=5)
    client = await aiohttp_client(app)
    for i in range(30):
        await post(client, twilio_form(routed, body=f"gastei {i} na padaria"))
    statuses = sorted(r["status"] for r in await inbox_rows(db, routed))
    assert statuses == ["done"] * 20 + ["dropped"] * 5 + ["pending"] * 5

    pacer = worker(db, agent, settings, clock, deferral_cap=5)
    for _ in range(10):
        clock.advance(seconds=1)
        await pacer.lifecycle.work(routed.tenant)
    assert len(agent.seen) == 25
    bodies = [r.form["Body"] for r in fake.of("twilio")]
    assert bodies[:5] == [REPLY] * 5
    # The sender is unknown to the tenant (pt_BR): told in Portuguese, once, after the backlog was answered.
    (notice,) = bodies[5:]
    assert "não consegui processar 5 delas" in notice
    quoted = [i for i in range(30) if f"“gastei {i} na padaria”" in notice]
    assert len(quoted) == 3 and set(quoted) <= set(range(25, 30))  # three of the dropped ones
    # Dropped again within the hour: not told a second time.
    for i in range(30, 60):
        await post(client, twilio_form(routed, body=f"gastei {i} na padaria"))
    for _ in range(10):
        clock.advance(seconds=1)
        await pacer.lifecycle.work(routed.tenant)
    assert sum("não consegui processar" in r.form["Body"] for r in fake.of("twilio")) == 1


async def test_with_redis_unreachable_messages_are_still_answered(
    aiohttp_client, settings: Settings, db: Database, routed: Routed
) -> None:
    agent = StubAgent()
    broken = replace(settings, redis_url="redis://127.0.0.1:1/0")
    client = await aiohttp_client(create_app(Bootstrap(broken, agent_factory=stub_factory(agent))))
    answers = [await post(client, twilio_form(routed)) for _ in range(25)]
    assert all(REPLY in a for a in answers)
    assert len(await inbox_rows(db, routed)) == 25
    ready = await client.get("/readyz")
    assert ready.status == 503
