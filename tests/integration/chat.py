"""Chat on the real databases, for the integration tests: a pinned clock, a message said to the agent, and
the balances, spending and income the use cases report."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime

from adapters.db import Database
from bot.conversation import Agent
from domain import services
from domain.commands import GetBalance, GetSpendingSummary
from domain.messages import InboundMessage
from domain.model import Channel, Period, TransactionKind
from domain.money import Money
from domain.ports import TransactionFilter
from tests.integration.conftest import Seeded

NOW = datetime(2026, 11, 18, 15, 0, tzinfo=UTC)  # 12:00 on 18 November in São Paulo
NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 30))
_ids = itertools.count(1)


class PinnedClock:
    def now(self) -> datetime:
        return NOW


async def say(agent: Agent, seeded: Seeded, text: str) -> str:
    """The rendered reply to `text` from the seeded user (each message a new provider id)."""
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


async def totals(db: Database, seeded: Seeded) -> tuple[dict[str, Money], Money, Money]:
    """(balance per account name, spending in November, income in November) as the use cases report them."""
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
