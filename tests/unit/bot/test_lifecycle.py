"""The message lifecycle on the fakes: backoff, the apology after the last attempt, deferral and the hourly
cap, token checks on every write, duplicates."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from bot.lifecycle import Lifecycle, Timing, quote
from domain.messages import InboundMessage, InboxMessage
from domain.model import Channel, Tenant
from tests.unit.fake_messaging import FakeChannel, FakeRateLimiter
from tests.unit.world import World

SENDER = "+5511987654321"


class Agent:
    """Answers "ok: <text>", or raises for the first `failures` calls (all of them with failures=-1)."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls: list[str] = []
        self.entered = asyncio.Event()
        self.release: asyncio.Event | None = None

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.calls.append(message.text)
        self.entered.set()
        if self.release is not None:
            await self.release.wait()
        if self.failures < 0 or len(self.calls) <= self.failures:
            raise ConnectionResetError("connection dropped")
        return f"ok: {message.text}"


class Setup:
    def __init__(self, world: World, agent: Agent, **timing: object) -> None:
        self.world = world
        self.agent = agent
        self.channel = FakeChannel()
        self.limiter = FakeRateLimiter(capacity=2, refill_per_second=1.0)
        self.lifecycle = self.build(agent, **timing)

    def build(self, agent: Agent, **timing: object) -> Lifecycle:
        return Lifecycle(
            unit_of_work=self.world.db.uow,
            agent=agent,
            clock=self.world.clock,
            channels={"twilio": self.channel},
            limiter=self.limiter,
            timing=Timing(**timing),  # type: ignore[arg-type]
        )

    def message(self, text: str = "gastei 10 no mercado", sid: str | None = None, sender: str = SENDER):
        return InboundMessage(
            channel=Channel.WHATSAPP,
            provider="twilio",
            sender=sender,
            recipient="+14155550100",
            text=text,
            provider_message_id=sid or f"SM{uuid.uuid4().hex}",
            received_at=self.world.clock.now(),
        )

    async def receive(self, text: str = "gastei 10 no mercado", **kwargs: object):
        return await self.lifecycle.receive(self.world.tenant, self.message(text, **kwargs), inline=True)  # type: ignore[arg-type]

    async def work(self, lifecycle: Lifecycle | None = None) -> int:
        return await (lifecycle or self.lifecycle).work(self.world.tenant)

    def rows(self) -> list[InboxMessage]:
        return sorted(
            self.world.db.store.inbox.values(), key=lambda m: (m.received_at, m.provider_message_id)
        )

    def sent(self) -> list[str]:
        return [m.body for m in self.channel.sent]


@pytest.fixture
async def world() -> World:
    return await World.create()


def test_the_backoff_schedule() -> None:
    waits = [Timing().backoff(n).total_seconds() for n in range(1, 8)]
    assert waits == [5, 15, 45, 135, 405, 600, 600]


def test_quotes_cut_at_a_word() -> None:
    assert quote("gastei  10\nno mercado") == "gastei 10 no mercado"
    assert (
        quote("gasté 30 reales en el súper del barrio con mi tarjeta")
        == "gasté 30 reales en el súper del barrio…"
    )
    assert quote("") == "📎"


async def test_answered_in_the_webhook(world: World) -> None:
    s = Setup(world, Agent())
    receipt = await s.receive("gastei 10")
    assert (receipt.outcome, receipt.reply) == ("answered", "ok: gastei 10")
    (row,) = s.rows()
    assert (row.status, row.reply_text, row.claim_token, row.attempts) == ("done", "ok: gastei 10", None, 1)
    assert s.sent() == []  # inline: the reply went back in the webhook's response


async def test_a_failure_is_retried_with_backoff_and_answered_once(world: World) -> None:
    s = Setup(world, Agent(failures=2))
    assert (await s.receive()).outcome == "retrying"
    (row,) = s.rows()
    assert (row.status, row.error, row.attempts) == ("pending", "ConnectionResetError: connection dropped", 1)
    assert row.not_before == world.clock.now() + timedelta(seconds=5)
    world.clock.advance(seconds=4.9)
    assert await s.work() == 0
    world.clock.advance(seconds=0.1)
    assert await s.work() == 1  # fails again: now 15 s
    world.clock.advance(seconds=14)
    assert await s.work() == 0
    world.clock.advance(seconds=1)
    assert await s.work() == 1
    assert s.sent() == ["ok: gastei 10 no mercado"]
    (row,) = s.rows()
    assert (row.status, row.attempts) == ("done", 3)
    world.clock.advance(hours=1)
    assert await s.work() == 0 and len(s.agent.calls) == 3


async def test_after_the_last_attempt_the_apology_once_in_the_senders_language(world: World) -> None:
    await world.add_user("+5511900000002", language="es", locale="es_MX")
    s = Setup(world, Agent(failures=-1), max_attempts=3)
    await s.receive("gasté 30 en el súper", sender="+5511900000002")
    for wait in (5, 15):
        world.clock.advance(seconds=wait)
        assert await s.work() == 1
    assert len(s.agent.calls) == 3
    (row,) = s.rows()
    assert row.status == "failed" and row.error == "ConnectionResetError: connection dropped"
    assert s.sent() == [
        "Perdón, no pude registrar esto: “gasté 30 en el súper”. Por favor, envíalo de nuevo."
    ]
    assert row.reply_text == s.sent()[0]
    world.clock.advance(hours=1)
    assert await s.work() == 0 and len(s.sent()) == 1


async def test_the_last_attempt_in_the_webhook_answers_the_apology_inline(world: World) -> None:
    s = Setup(world, Agent(failures=-1), max_attempts=1)
    receipt = await s.receive("gastei 10")
    # The tenant's language (pt) for a sender who is not a user.
    assert receipt.outcome == "failed" and receipt.reply is not None
    assert receipt.reply.startswith("Desculpa, não consegui registrar isto: “gastei 10”")


async def test_over_the_limit_deferred_at_the_buckets_pace_then_dropped_over_the_cap(world: World) -> None:
    s = Setup(world, Agent(), deferral_cap=3)
    outcomes = [(await s.receive(f"gastei {i}")).outcome for i in range(8)]
    assert outcomes == ["answered"] * 2 + ["deferred"] * 3 + ["dropped"] * 3
    deferred = [r for r in s.rows() if r.status == "pending"]
    now = world.clock.now()
    # One instant: the rows' order among themselves is arbitrary, the reserved times are not.
    assert sorted(r.not_before for r in deferred if r.not_before) == [
        now + timedelta(seconds=k) for k in (1, 2, 3)
    ]
    assert all(r.attempts == 0 and r.deferred_at == now for r in deferred)

    assert await s.work() == 0  # nothing due; the dropped wait until the backlog is answered
    world.clock.advance(seconds=2)
    assert await s.work() == 2
    assert len(s.sent()) == 2 and set(s.sent()) <= {"ok: gastei 2", "ok: gastei 3", "ok: gastei 4"}
    world.clock.advance(seconds=1)
    assert await s.work() == 2  # the last deferred one, then the notice
    notice = s.sent()[-1]
    assert "não consegui processar 3 delas: “gastei " in notice
    assert all(f"“gastei {i}”" in notice for i in (5, 6, 7))
    assert [r.status for r in s.rows()].count("dropped") == 3

    # More dropped within the hour: settled without a second notice.
    for i in range(8, 12):
        await s.receive(f"gastei {i}")
    world.clock.advance(seconds=10)
    await s.work()
    assert sum("não consegui processar" in text for text in s.sent()) == 1
    assert all(r.processed_at is not None for r in s.rows() if r.status == "dropped")


async def test_a_stale_claimant_writes_nothing_and_sends_nothing(world: World) -> None:
    s = Setup(world, Agent())
    s.limiter.capacity = 0  # everything is deferred: the worker answers
    await s.receive("gastei 10")
    world.clock.advance(seconds=1)
    stalled_agent = Agent()
    stalled_agent.release = asyncio.Event()
    stalled = s.build(stalled_agent, renew_every=3600)
    first = asyncio.create_task(s.work(stalled))
    await stalled_agent.entered.wait()
    world.clock.advance(seconds=31)  # its lease ran out and nothing renewed it
    assert await s.work() == 1
    stalled_agent.release.set()
    assert await first == 0
    assert s.sent() == ["ok: gastei 10"]
    (row,) = s.rows()
    assert row.status == "done" and row.reply_text == "ok: gastei 10" and row.attempts == 2
    assert len(world.db.store.outbound) == 1


async def test_a_duplicate_gets_the_stored_reply_and_is_not_processed_again(world: World) -> None:
    s = Setup(world, Agent())
    first = await s.receive("gastei 10", sid="SM1")
    again = await s.receive("gastei 10", sid="SM1")
    assert (again.outcome, again.reply, again.row_id) == ("duplicate", first.reply, first.row_id)
    assert len(s.agent.calls) == 1 and len(s.rows()) == 1


async def test_without_an_agent_the_message_waits_for_the_worker(world: World) -> None:
    s = Setup(world, Agent())
    s.lifecycle = Lifecycle(
        unit_of_work=world.db.uow, agent=None, clock=world.clock, channels={"twilio": s.channel}
    )
    assert (await s.receive()).outcome == "stored"
    (row,) = s.rows()
    assert row.status == "processing" and row.lease_until == world.clock.now() + timedelta(seconds=30)
    world.clock.advance(seconds=31)
    assert await s.work(s.build(s.agent)) == 1 and s.sent() == ["ok: gastei 10 no mercado"]


def test_the_lifecycle_does_not_load_sqlalchemy() -> None:
    """It depends on ports; the SQL adapter is plugged in by whoever builds it."""
    code = "import sys, bot.lifecycle; print('sqlalchemy' in sys.modules)"
    root = Path(__file__).resolve().parents[3]
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
