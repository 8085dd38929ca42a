"""An inline reply (TwiML) races the webhook's deadline: whoever loses, the reply goes out exactly once."""

from __future__ import annotations

import asyncio

import pytest

from bot.lifecycle import InlineReply
from tests.unit.bot.test_lifecycle import Agent, Setup
from tests.unit.fake_messaging import FakeInboxRepository
from tests.unit.world import World


@pytest.fixture
async def world() -> World:
    return await World.create()


def test_taken_then_handed_over_rides_on_the_response() -> None:
    box = InlineReply()
    assert box.take() and box.hand_over()
    assert not box.abandon()  # handed over: the webhook waits for the returning reply


def test_abandoned_before_it_was_taken_goes_through_the_api() -> None:
    box = InlineReply()
    assert box.abandon()
    assert not box.take()


def test_abandoned_between_take_and_hand_over_goes_through_the_api() -> None:
    box = InlineReply()
    assert box.take()
    assert box.abandon()
    assert not box.hand_over()


async def message(s: Setup, box: InlineReply, text: str = "gastei 10 no mercado"):
    return await s.lifecycle.receive(s.world.tenant, s.message(text), inline=box)


async def test_a_reply_the_webhook_stopped_waiting_for_is_sent_through_the_api(world: World) -> None:
    agent = Agent()
    agent.release = asyncio.Event()
    s = Setup(world, agent)
    box = InlineReply()
    work = asyncio.create_task(message(s, box))
    await agent.entered.wait()
    assert box.stored  # the webhook may answer 200: the message is kept
    assert box.abandon()  # the webhook's deadline
    agent.release.set()
    receipt = await work
    assert (receipt.outcome, receipt.reply) == ("answered", None)
    assert s.sent() == ["ok: gastei 10 no mercado"]
    (row,) = s.rows()
    assert row.status == "done" and row.reply_text == "ok: gastei 10 no mercado"
    assert [o.body for o in world.db.store.outbound.values()] == ["ok: gastei 10 no mercado"]


async def test_a_webhook_leaving_while_the_reply_is_recorded_still_gets_it_sent(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = Setup(world, Agent())
    box = InlineReply()
    mark_done = FakeInboxRepository.mark_done

    async def slow_commit(self: FakeInboxRepository, *args: object, **kwargs: object) -> bool:
        assert box.abandon()  # the deadline passes while the settling transaction runs
        return await mark_done(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(FakeInboxRepository, "mark_done", slow_commit)
    receipt = await message(s, box, "gastei 12")
    assert (receipt.outcome, receipt.reply) == ("answered", None)
    assert s.sent() == ["ok: gastei 12"]
    (row,) = s.rows()
    assert row.status == "done"
    # The reply recorded for the response is the one sent through the API: one message, one row.
    (record,) = world.db.store.outbound.values()
    assert record.inbox_id == row.id and record.provider_message_id is not None


async def test_a_waiting_webhook_gets_the_reply_and_nothing_is_sent(world: World) -> None:
    s = Setup(world, Agent())
    box = InlineReply()
    receipt = await message(s, box, "gastei 15")
    assert (receipt.outcome, receipt.reply) == ("answered", "ok: gastei 15")
    assert s.sent() == [] and not box.abandon()
    # Recorded with the settling, to be linked by its first status (bot/delivery.py).
    (row,) = s.rows()
    (record,) = world.db.store.outbound.values()
    assert (record.inbox_id, record.body, record.status) == (row.id, "ok: gastei 15", "queued")
    assert record.provider_message_id is None and record.provider == row.provider


async def test_a_held_message_is_stored_pending_and_answered_by_the_worker(world: World) -> None:
    agent = Agent()
    s = Setup(world, agent)
    receipt = await s.lifecycle.receive(world.tenant, s.message("gastei 20"), inline=False, hold=True)
    assert receipt.outcome == "held" and agent.calls == []
    (row,) = s.rows()
    assert (row.status, row.attempts, row.claim_token) == ("pending", 0, None)
    assert await s.work() == 1
    assert s.sent() == ["ok: gastei 20"]
    (row,) = s.rows()
    assert (row.status, row.attempts) == ("done", 1)


async def test_a_message_behind_a_held_one_of_its_sender_is_held_too(world: World) -> None:
    agent = Agent()
    s = Setup(world, agent)
    await s.lifecycle.receive(world.tenant, s.message("spent 25"), inline=False, hold=True)
    world.clock.advance(seconds=1)
    receipt = await s.receive("coffee")  # the answer to the question the first would ask
    assert receipt.outcome == "held" and agent.calls == []
    other = await s.receive("gastei 5", sender="+5511900000001")  # another sender is not held back
    assert other.outcome == "answered"
    assert await s.work() == 2
    assert [c for c in agent.calls if c != "gastei 5"] == ["spent 25", "coffee"]
