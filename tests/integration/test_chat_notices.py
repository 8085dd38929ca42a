"""Forwarded bank notices by chat on the real databases: confirmed once, recorded once however often the
same notice is forwarded, also when two copies arrive at the same moment."""

from __future__ import annotations

import asyncio

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain import services
from domain.commands import AddAccount
from domain.money import Money
from tests.integration.chat import PinnedClock, say, totals

NOTICE = "Compra aprovada no cartão final 1234 R$ 45,90 em SUPERMERCADO BOM PRECO em 16/11 às 19:32"


async def test_a_notice_forwarded_twice_is_recorded_once(database: Database, make_tenant) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())

    asked = await say(agent, seeded, NOTICE)
    assert "1234" in asked and "R$ 45,90" in asked
    _, spent, _ = await totals(database, seeded)
    assert spent == Money.of("0.00", "BRL")  # asked, nothing written yet
    await say(agent, seeded, "sim")
    _, spent, _ = await totals(database, seeded)
    assert spent == Money.of("45.90", "BRL")

    again = await say(agent, seeded, NOTICE)
    assert "R$ 45,90" in again
    _, spent, _ = await totals(database, seeded)
    assert spent == Money.of("45.90", "BRL")


async def test_the_same_notice_confirmed_in_two_conversations_at_once_is_recorded_once(
    database: Database, make_tenant
) -> None:
    """Two agents (two serve processes) each asked about the notice; both "yes" arrive together."""
    seeded = await make_tenant(database)
    first = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    second = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    await say(first, seeded, NOTICE)
    await say(second, seeded, NOTICE)
    await asyncio.gather(say(first, seeded, "sim"), say(second, seeded, "sim"))
    _, spent, _ = await totals(database, seeded)
    assert spent == Money.of("45.90", "BRL")


SECOND = "Compra aprovada no cartão final 1234 R$ 30,00 em POSTO SHELL em 16/11 às 20:10"


async def test_a_linked_card_and_a_trusted_format_record_the_next_notice_at_once_and_once(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    async with database.unit_of_work(seeded.tenant.id) as uow:
        cmd = AddAccount(user_id=seeded.user.id, name="Nubank", kind="credit_card")
        await services.add_account(cmd, uow, PinnedClock())
    linked = await say(agent, seeded, "o cartão final 1234 é o nubank")
    assert "1234" in linked and "Nubank" in linked

    asked = await say(agent, seeded, NOTICE)
    assert "Conta: Nubank" in asked and '"sempre"' in asked
    await say(agent, seeded, "sim, sempre")
    written = await say(agent, seeded, SECOND)
    assert "R$ 30,00" in written and "Conta: Nubank" in written and "desfaz" in written
    await say(agent, seeded, SECOND)
    accounts, spent, _ = await totals(database, seeded)
    assert spent == Money.of("75.90", "BRL")
    assert accounts["Nubank"] == Money.of("-75.90", "BRL")
