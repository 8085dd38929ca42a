"""Recovery through the real app and worker: an agent that raises, a stalled claimant, a killed worker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.cache import Cache
from adapters.channels import Channel
from adapters.clock import SystemClock
from adapters.db import Database
from adapters.db.tables import inbox, outbound_messages, transactions
from bot.app import create_app
from bot.bootstrap import Bootstrap, twilio_channel
from bot.conversation import Agent, agent_factory
from bot.keys import Metrics
from bot.lifecycle import Timing
from bot.routes import LIFECYCLE_TIMING
from bot.settings import Settings
from bot.worker import Worker
from domain.messages import InboundMessage
from domain.model import Language, Tenant, User
from domain.ports import Clock
from tests.e2e.conftest import REPLY, Routed, StubAgent, store_unanswered
from tests.e2e.test_app import signed
from tests.e2e.test_conversation import form
from tests.integration.fake_providers import FakeProviders
from tests.unit.fakes import FixedClock


class CrashingOnce:
    """The real agent, except that its first message dies mid-way (a lock timeout, a lost connection)."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.crashed = False

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        if not self.crashed:
            self.crashed = True
            raise ConnectionResetError("the database went away mid-message")
        return await self.agent.handle(tenant, message)


class AlwaysFailing:
    def __init__(self) -> None:
        self.calls = 0

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.calls += 1
        raise TimeoutError("lock timeout")


class Stalling:
    """Answers only when released: stands in for a process that stalls mid-message."""

    def __init__(self, reply: str = "stale answer") -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.reply = reply

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.entered.set()
        await self.release.wait()
        return self.reply


async def rows(db: Database, routed: Routed, table: sa.Table) -> list[dict]:
    query = sa.select(table).where(table.c.tenant_id == routed.tenant.id)
    async with db.unit_of_work(routed.tenant.id) as uow:
        return [dict(row) for row in (await uow.execute(query)).mappings()]


@dataclass
class Twilio:
    """A fake Twilio REST API and a channel pointed at it."""

    fake: FakeProviders
    channel: Channel

    def bodies(self) -> list[str]:
        return [r.form["Body"] for r in self.fake.of("twilio")]


@pytest.fixture
async def twilio(aiohttp_server, settings: Settings) -> AsyncIterator[Twilio]:
    fake = FakeProviders(
        twilio_sid=settings.twilio_account_sid or "", twilio_token=settings.twilio_auth_token or ""
    )
    server = await aiohttp_server(fake.app())
    channel = twilio_channel(replace(settings, twilio_api_base_url=str(server.make_url(""))))
    try:
        yield Twilio(fake, channel)
    finally:
        await channel.close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime.now(UTC).replace(microsecond=0))


def worker(db: Database, agent: object, twilio: Twilio, clock: Clock, **timing: object) -> Worker:
    return Worker(db, agent, {"twilio": twilio.channel}, clock, timing=Timing(**timing))  # type: ignore[arg-type]


async def test_the_agent_raising_once_then_succeeding_records_once_and_answers_once(
    aiohttp_client,
    settings: Settings,
    db: Database,
    routed: Routed,
    twilio: Twilio,
    cache: Cache,
    clock: FixedClock,
) -> None:
    def factory(db: Database, cache: Cache, clock: Clock, metrics: Metrics | None = None) -> CrashingOnce:
        return CrashingOnce(agent_factory(db, cache, clock, metrics))

    app = create_app(Bootstrap(settings, agent_factory=factory, clock=clock))
    client: TestClient = await aiohttp_client(app)
    params = form(routed, "gastei R$ 45,90 no mercado")
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    # Stored, not answered: Twilio gets an empty TwiML (no retry storm) and the row waits for its retry.
    assert response.status == 200 and "<Message" not in await response.text()
    (stored,) = await rows(db, routed, inbox)
    assert stored["status"] == "pending" and stored["attempts"] == 1
    assert stored["error"] == "ConnectionResetError: the database went away mid-message"
    assert stored["not_before"] == clock.now() + timedelta(seconds=5)
    assert await rows(db, routed, transactions) == []
    metrics = await (await client.get("/metrics")).text()
    assert 'errors_total{kind="agent"} 1.0' in metrics
    assert 'messages_in_total{channel="whatsapp",outcome="failed"} 1.0' in metrics

    retrying = worker(db, agent_factory(db, cache, clock), twilio, clock)
    clock.advance(seconds=4)
    assert await retrying.lifecycle.work(routed.tenant) == 0  # backing off
    clock.advance(seconds=1)
    assert await retrying.lifecycle.work(routed.tenant) == 1

    (body,) = twilio.bodies()
    assert "✅ Gasto anotado: R$ 45,90 (mercado) no dia " in body
    (recorded,) = await rows(db, routed, transactions)
    assert (recorded["amount_minor"], recorded["source_ref"]) == (4590, params["MessageSid"])
    (answered,) = await rows(db, routed, inbox)
    assert answered["status"] == "done" and answered["reply_text"] == body and answered["attempts"] == 2
    (out,) = await rows(db, routed, outbound_messages)
    assert out["inbox_id"] == answered["id"] and out["provider_message_id"]

    # Twilio redelivers the same message later: the stored reply, nothing recorded twice, nothing re-sent.
    again = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert "R$ 45,90" in await again.text()
    clock.advance(minutes=5)
    assert await retrying.lifecycle.work(routed.tenant) == 0
    assert len(await rows(db, routed, transactions)) == 1 and len(twilio.bodies()) == 1


async def test_after_the_last_attempt_the_sender_hears_once_in_their_language(
    aiohttp_client, settings: Settings, db: Database, routed: Routed, twilio: Twilio, clock: FixedClock
) -> None:
    async with db.unit_of_work(routed.tenant.id) as uow:
        user = User(
            id=uuid.uuid4(),
            tenant_id=routed.tenant.id,
            phone="+5511987654321",
            name="Ana",
            language=Language.ES,
            locale="es_MX",
            currency="BRL",
            timezone="America/Sao_Paulo",
        )
        await uow.users.add(user)
        await uow.commit()
    failing = AlwaysFailing()
    app = create_app(Bootstrap(settings, agent_factory=lambda *args: failing, clock=clock))
    client: TestClient = await aiohttp_client(app)
    params = form(routed, "gasté 30 reales en el súper del barrio con mi tarjeta")
    response = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert "<Message" not in await response.text()

    retrying = worker(db, failing, twilio, clock)
    for wait in (5, 15, 45, 135):  # the backoff after attempts 1..4
        clock.advance(seconds=wait - 1)
        assert await retrying.lifecycle.work(routed.tenant) == 0
        clock.advance(seconds=1)
        assert await retrying.lifecycle.work(routed.tenant) == 1
    assert failing.calls == 5

    (apology,) = twilio.bodies()
    assert apology.startswith("Perdón, no pude registrar esto: “gasté 30 reales en el súper del barrio…”")
    (row,) = await rows(db, routed, inbox)
    assert row["status"] == "failed" and row["error"] == "TimeoutError: lock timeout"
    assert row["reply_text"] == apology and row["attempts"] == 5
    clock.advance(hours=1)
    assert (
        await retrying.lifecycle.work(routed.tenant) == 0 and failing.calls == 5 and len(twilio.bodies()) == 1
    )
    # A redelivery gets the apology again, in TwiML: the message is not processed a sixth time.
    again = await client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    assert "no pude registrar" in await again.text() and failing.calls == 5


async def test_a_stalled_worker_whose_claim_was_taken_over_sends_nothing(
    db: Database, routed: Routed, twilio: Twilio, clock: FixedClock
) -> None:
    row = await store_unanswered(db, routed, died=False)
    stalling = Stalling("stale answer")
    # Its heartbeat stalls with it: a renewal period far beyond the test.
    stalled = worker(db, stalling, twilio, clock, renew_every=3600)
    first = asyncio.create_task(stalled.lifecycle.work(routed.tenant))
    await asyncio.wait_for(stalling.entered.wait(), 10)

    clock.advance(seconds=31)  # past the 30-second lease: another worker takes the row over
    taking_over = Stalling(REPLY)
    second = asyncio.create_task(worker(db, taking_over, twilio, clock).lifecycle.work(routed.tenant))
    await asyncio.wait_for(taking_over.entered.wait(), 10)
    # The stalled one resumes while the new claimant is still at work: its token no longer holds the row.
    stalling.release.set()
    assert await asyncio.wait_for(first, 10) == 0
    assert twilio.bodies() == []
    (stored,) = await rows(db, routed, inbox)
    assert stored["status"] == "processing" and stored["reply_text"] is None
    taking_over.release.set()
    assert await asyncio.wait_for(second, 10) == 1

    assert twilio.bodies() == [REPLY]
    (stored,) = await rows(db, routed, inbox)
    assert stored["status"] == "done" and stored["reply_text"] == REPLY and stored["attempts"] == 2
    assert [o["body"] for o in await rows(db, routed, outbound_messages)] == [REPLY]
    assert row.id == stored["id"]


async def test_a_stalled_webhook_whose_claim_was_taken_over_answers_nothing(
    aiohttp_client, settings: Settings, db: Database, routed: Routed, twilio: Twilio, clock: FixedClock
) -> None:
    stalling = Stalling()
    app = create_app(Bootstrap(settings, agent_factory=lambda *args: stalling, clock=clock))
    app[LIFECYCLE_TIMING] = Timing(renew_every=3600)
    client: TestClient = await aiohttp_client(app)
    params = form(routed, "gastei 10 no mercado")
    posted = asyncio.create_task(
        client.post("/webhooks/twilio", data=urlencode(params), headers=signed(params))
    )
    await asyncio.wait_for(stalling.entered.wait(), 10)
    clock.advance(seconds=31)
    assert await worker(db, StubAgent(), twilio, clock).lifecycle.work(routed.tenant) == 1
    stalling.release.set()
    response = await asyncio.wait_for(posted, 10)
    # Its mark-done was refused: an empty TwiML, the worker's answer is the one that went out and stays.
    assert "<Message" not in await response.text()
    assert twilio.bodies() == [REPLY]
    (stored,) = await rows(db, routed, inbox)
    assert stored["status"] == "done" and stored["reply_text"] == REPLY


async def test_a_killed_workers_rows_are_answered_by_another_within_seconds(
    db: Database, routed: Routed, twilio: Twilio
) -> None:
    stored = [await store_unanswered(db, routed, died=False) for _ in range(3)]
    short = {"lease": timedelta(seconds=2), "renew_every": 0.5}
    stalling = Stalling()
    doomed = asyncio.create_task(
        worker(db, stalling, twilio, SystemClock(), **short).lifecycle.work(routed.tenant)
    )
    await asyncio.wait_for(stalling.entered.wait(), 10)
    doomed.cancel()  # killed mid-message: its heartbeat stops, its claim is left behind
    with pytest.raises(asyncio.CancelledError):
        await doomed
    (claimed,) = {r["claim_token"] for r in await rows(db, routed, inbox)}
    assert claimed is not None

    rescuer = worker(db, StubAgent(), twilio, SystemClock(), **short)
    deadline = time.monotonic() + 10
    answered = 0
    while answered < 3 and time.monotonic() < deadline:
        answered += await rescuer.lifecycle.work(routed.tenant)
        await asyncio.sleep(0.2)
    assert answered == 3, "a dead worker's rows were not taken over within 10 seconds"
    assert twilio.bodies() == [REPLY] * 3
    assert {r["id"] for r in await rows(db, routed, inbox) if r["status"] == "done"} == {r.id for r in stored}


class Slow:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.calls = 0
        self.entered = asyncio.Event()

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.calls += 1
        self.entered.set()
        await asyncio.sleep(self.seconds)
        return REPLY


async def test_a_claim_is_renewed_while_its_work_goes_on(
    db: Database, routed: Routed, twilio: Twilio
) -> None:
    await store_unanswered(db, routed, died=False)
    short = {"lease": timedelta(seconds=1), "renew_every": 0.25}
    slow = Slow(2.5)  # well past the lease: only the heartbeat keeps the row
    busy = asyncio.create_task(worker(db, slow, twilio, SystemClock(), **short).lifecycle.work(routed.tenant))
    await asyncio.wait_for(slow.entered.wait(), 10)
    other = StubAgent()
    bystander = worker(db, other, twilio, SystemClock(), **short)
    while not busy.done():
        assert await bystander.lifecycle.work(routed.tenant) == 0
        await asyncio.sleep(0.2)
    assert await busy == 1
    assert slow.calls == 1 and other.seen == [] and twilio.bodies() == [REPLY]
