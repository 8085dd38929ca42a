"""Transfers and loans by chat on the real databases: balances move, spending and income totals do not."""

from __future__ import annotations

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain import services
from domain.commands import AddAccount
from domain.model import AccountKind
from domain.money import Money
from tests.integration.chat import PinnedClock, say, totals


async def test_a_transfer_by_chat_moves_balances_and_leaves_spending_and_income_unchanged(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)  # default account "Conta", BRL 100.00 opening balance
    async with database.unit_of_work(seeded.tenant.id) as uow:
        cmd = AddAccount(user_id=seeded.user.id, name="Poupança", kind=AccountKind.SAVINGS)
        await services.add_account(cmd, uow, PinnedClock())
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())

    await say(agent, seeded, "gastei 40 no mercado")
    await say(agent, seeded, "recebi 500 de salário")
    balances, spent, earned = await totals(database, seeded)
    assert balances == {"Conta": Money.of("560.00", "BRL"), "Poupança": Money.of("0.00", "BRL")}
    assert (spent, earned) == (Money.of("40.00", "BRL"), Money.of("500.00", "BRL"))

    reply = await say(agent, seeded, "passei 200 pra poupança")
    assert "R$ 200,00" in reply and "Conta" in reply and "Poupança" in reply

    balances, spent_after, earned_after = await totals(database, seeded)
    assert balances == {"Conta": Money.of("360.00", "BRL"), "Poupança": Money.of("200.00", "BRL")}
    assert (spent_after, earned_after) == (spent, earned)


async def test_a_loan_by_chat_moves_the_balance_and_is_neither_spending_nor_income(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    await say(agent, seeded, "gastei 40 no mercado")
    before = await totals(database, seeded)

    reply = await say(agent, seeded, "emprestei 30 pro joão")
    assert "R$ 30,00" in reply and "João" in reply
    await say(agent, seeded, "o joão me devolveu 10")

    balances, spent, earned = await totals(database, seeded)
    assert balances == {"Conta": before[0]["Conta"] - Money.of("20.00", "BRL")}
    assert (spent, earned) == (before[1], before[2])
