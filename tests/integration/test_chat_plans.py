"""Savings goals and recurring payments by chat on the real databases: a goal's money is a transfer (balances
move, spending and income do not), a recurring payment records today's once and stops when cancelled."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from adapters.cache import connect
from adapters.db import Database
from bot.conversation import Agent
from domain import services
from domain.commands import GetBalance, GetSpendingSummary
from domain.messages import InboundMessage
from domain.model import Channel, Period, Source, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter, TransactionQuery

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # 12:00 on 18 November in São Paulo
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
_ids = itertools.count(1)


class PinnedClock:
    def now(self) -> datetime:
        return NOW


async def _say(agent: Agent, seeded, text: str) -> str:  # type: ignore[no-untyped-def]
    message = InboundMessage(
        channel=Channel.WHATSAPP,
        provider="twilio",
        sender=seeded.user.phone,
        recipient="+15550000000",
        text=text,
        provider_message_id=f"SMplans{next(_ids)}",
        received_at=NOW,
    )
    return (await agent.process(seeded.tenant, message)).render() or ""


async def _totals(db: Database, seeded) -> tuple[dict[str, Money], Money, Money]:  # type: ignore[no-untyped-def]
    """(balance per account name, spending in November, income in November)."""
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


async def test_a_goal_by_chat_is_a_transfer_never_spending_income_or_a_budget(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)  # default account "Conta", R$ 100,00
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())
    await _say(agent, seeded, "gastei 40 no mercado")
    _, spent, earned = await _totals(database, seeded)

    assert "R$ 5.000,00" in await _say(agent, seeded, "quero juntar 5 mil pra viagem até julho")
    created = await _say(agent, seeded, "sim")
    assert "Viagem" in created and "R$ 555,56" in created  # 5000 over 9 months (Nov..Jul), rounded up

    moved = await _say(agent, seeded, "guardei 50 na viagem")
    assert "R$ 50,00" in moved and "Conta" in moved and "Viagem" in moved
    balances, spent_after, earned_after = await _totals(database, seeded)
    assert balances == {"Conta": Money.of("10.00", "BRL"), "Viagem": Money.of("50.00", "BRL")}
    assert (spent_after, earned_after) == (spent, earned)
    assert "R$ 4.950,00" in await _say(agent, seeded, "como tá minha meta da viagem")
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.budgets.list_for(seeded.user.id) == []


async def test_a_recurring_payment_by_chat_records_today_once_and_stops_when_cancelled(
    database: Database, make_tenant
) -> None:
    seeded = await make_tenant(database)
    agent = Agent(unit_of_work=database.unit_of_work, state=connect(None).state, clock=PinnedClock())

    assert "R$ 39,90" in await _say(agent, seeded, "netflix 39,90 todo mês")
    started = await _say(agent, seeded, "sim")
    assert "Netflix" in started and "18 nov" in started
    async with database.unit_of_work(seeded.tenant.id) as uow:
        (rule,) = await uow.recurring.list_for(seeded.user.id)
        page = await uow.transactions.page(TransactionQuery(user_id=seeded.user.id), None, 10)
    assert (rule.anchor, rule.next_due) == (18, date(2026, 12, 18))
    assert [(t.amount, t.merchant, t.source) for t in page] == [
        (Money.of("39.90", "BRL"), "Netflix", Source.RECURRING)
    ]

    assert "Netflix" in await _say(agent, seeded, "cancela a netflix")
    assert "Netflix" in await _say(agent, seeded, "sim")
    async with database.unit_of_work(seeded.tenant.id) as uow:
        assert await uow.recurring.list_for(seeded.user.id) == []
        assert len(await uow.transactions.page(TransactionQuery(user_id=seeded.user.id), None, 10)) == 1
