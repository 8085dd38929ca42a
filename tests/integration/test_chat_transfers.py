"""Transfers and loans by chat on the real databases: balances move, spending and income totals do not."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain import services
from domain.commands import AddAccount, GetBalance, GetSpendingSummary
from domain.messages import InboundMessage
from domain.model import AccountKind, Channel, Period, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)
NOVEMBER = Period(NOW.date().replace(day=1), NOW.date().replace(day=30))
_ids = itertools.count(1)


class PinnedClock:
    def now(self) -> datetime:
        return NOW


async def _say(agent: Agent, seeded, text: str) -> str:
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        provider="twilio",
        sender=seeded.user.phone,
        recipient="+15550000000",
        text=text,
        provider_message_id=f"SMchat{next(_ids)}",
        received_at=NOW,
    )
    return (await agent.process(seeded.tenant, message)).render() or ""


async def _totals(db: Database, seeded) -> tuple[dict[str, Money], Money, Money]:
    """(balance per account name, spending this month, income this month) as the use cases report them."""
    async with db.unit_of_work(seeded.tenant.id) as uow:
        balance = await services.get_balance(GetBalance(user_id=seeded.user.id), uow)
        query = GetSpendingSummary(user_id=seeded.user.id, period=NOVEMBER)
        spent = (await services.spending_summary(query, uow, PinnedClock())).total
        incomes = await uow.transactions.aggregate(
            TransactionFilter(user_id=seeded.user.id, kind=TransactionKind.INCOME, period=NOVEMBER),
            by=("currency",),
        )
    earned = sum((row.total for row in incomes), Money.zero("BRL"))
    per_account = {row.account.name: row.balances["BRL"] for row in balance.accounts}
    return per_account, spent, earned


async def test_a_transfer_by_chat_moves_balances_and_leaves_spending_and_income_unchanged(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)  # default account "Conta", BRL 100.00 opening balance
    async with database.unit_of_work(seeded.tenant.id) as uow:
        cmd = AddAccount(user_id=seeded.user.id, name="Poupança", kind=AccountKind.SAVINGS)
        await services.add_account(cmd, uow, PinnedClock())
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())

    await _say(agent, seeded, "gastei 40 no mercado")
    await _say(agent, seeded, "recebi 500 de salário")
    balances, spent, earned = await _totals(database, seeded)
    assert balances == {"Conta": Money.of("560.00", "BRL"), "Poupança": Money.of("0.00", "BRL")}
    assert (spent, earned) == (Money.of("40.00", "BRL"), Money.of("500.00", "BRL"))

    reply = await _say(agent, seeded, "passei 200 pra poupança")
    assert "R$ 200,00" in reply and "Conta" in reply and "Poupança" in reply

    balances, spent_after, earned_after = await _totals(database, seeded)
    assert balances == {"Conta": Money.of("360.00", "BRL"), "Poupança": Money.of("200.00", "BRL")}
    assert (spent_after, earned_after) == (spent, earned)


async def test_a_loan_by_chat_moves_the_balance_and_is_neither_spending_nor_income(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    await _say(agent, seeded, "gastei 40 no mercado")
    before = await _totals(database, seeded)

    reply = await _say(agent, seeded, "emprestei 30 pro joão")
    assert "R$ 30,00" in reply and "João" in reply
    await _say(agent, seeded, "o joão me devolveu 10")

    balances, spent, earned = await _totals(database, seeded)
    assert balances == {"Conta": before[0]["Conta"] - Money.of("20.00", "BRL")}
    assert (spent, earned) == (before[1], before[2])
