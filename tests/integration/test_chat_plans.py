"""Savings goals and recurring payments by chat on the real databases: a goal's money is a transfer (balances
move, spending and income do not), a recurring payment records today's once and stops when cancelled."""

from __future__ import annotations

from datetime import date

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain.model import Source
from domain.money import Money
from domain.ports import TransactionQuery
from tests.integration.chat import PinnedClock, say, totals


async def test_a_goal_by_chat_is_a_transfer_never_spending_income_or_a_budget(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)  # default account "Conta", R$ 100,00
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    await say(agent, seeded, "gastei 40 no mercado")
    _, spent, earned = await totals(database, seeded)

    assert "R$ 5.000,00" in await say(agent, seeded, "quero juntar 5 mil pra viagem até julho")
    created = await say(agent, seeded, "sim")
    assert "Viagem" in created and "R$ 555,56" in created  # 5000 over 9 months (Nov..Jul), rounded up

    moved = await say(agent, seeded, "guardei 50 na viagem")
    assert "R$ 50,00" in moved and "Conta" in moved and "Viagem" in moved
    balances, spent_after, earned_after = await totals(database, seeded)
    assert balances == {"Conta": Money.of("10.00", "BRL"), "Viagem": Money.of("50.00", "BRL")}
    assert (spent_after, earned_after) == (spent, earned)
    assert "R$ 4.950,00" in await say(agent, seeded, "como tá minha meta da viagem")
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.budgets.list_for(seeded.user.id) == []


async def test_a_recurring_payment_by_chat_records_today_once_and_stops_when_cancelled(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())

    assert "R$ 39,90" in await say(agent, seeded, "netflix 39,90 todo mês")
    started = await say(agent, seeded, "sim")
    assert "Netflix" in started and "18 nov" in started
    async with database.unit_of_work(seeded.tenant.id) as uow:
        (rule,) = await uow.recurring.list_for(seeded.user.id)
        page = await uow.transactions.page(TransactionQuery(user_id=seeded.user.id), None, 10)
    assert (rule.anchor, rule.next_due) == (18, date(2026, 12, 18))
    assert [(t.amount, t.merchant, t.source) for t in page] == [
        (Money.of("39.90", "BRL"), "Netflix", Source.RECURRING)
    ]

    assert "Netflix" in await say(agent, seeded, "cancela a netflix")
    assert "Netflix" in await say(agent, seeded, "sim")
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.recurring.list_for(seeded.user.id) == []
        assert len(await uow.transactions.page(TransactionQuery(user_id=seeded.user.id), None, 10)) == 1
