"""The worker answers several senders side by side, and each sender's messages one at a time, in order."""

from __future__ import annotations

import asyncio

import pytest

from bot.lifecycle import WORK_CONCURRENCY
from domain.messages import InboundMessage
from domain.model import Tenant
from tests.unit.bot.test_lifecycle import Agent, Setup
from tests.unit.world import World


class Overlapping(Agent):
    """Counts how many messages it holds at once, per sender and in all; each takes a few loop turns."""

    def __init__(self) -> None:
        super().__init__()
        self.inside: dict[str, int] = {}
        self.most_at_once = 0
        self.most_for_one_sender = 0
        self.order: list[tuple[str, str]] = []

    async def handle(self, tenant: Tenant, message: InboundMessage) -> str | None:
        self.inside[message.sender] = self.inside.get(message.sender, 0) + 1
        self.most_at_once = max(self.most_at_once, sum(self.inside.values()))
        self.most_for_one_sender = max(self.most_for_one_sender, self.inside[message.sender])
        for _ in range(5):
            await asyncio.sleep(0)
        self.order.append((message.sender, message.text))
        self.inside[message.sender] -= 1
        return await super().handle(tenant, message)


@pytest.fixture
async def world() -> World:
    return await World.create()


async def test_senders_side_by_side_and_each_senders_turns_in_order(world: World) -> None:
    agent = Overlapping()
    s = Setup(world, agent)
    senders = [f"+55119876543{n:02d}" for n in range(WORK_CONCURRENCY + 2)]
    for turn in range(3):
        for sender in senders:
            message = s.message(f"gastei {turn}", sender=sender)
            world.clock.advance(seconds=1)  # received in this order
            await s.lifecycle.receive(world.tenant, message, inline=False, hold=True)
    done = 0
    while done < 3 * len(senders):
        worked = await s.work()
        assert worked, "the worker stopped before answering everything"
        done += worked
    assert agent.most_at_once == WORK_CONCURRENCY  # bounded
    assert agent.most_for_one_sender == 1
    for sender in senders:
        assert [text for who, text in agent.order if who == sender] == ["gastei 0", "gastei 1", "gastei 2"]
