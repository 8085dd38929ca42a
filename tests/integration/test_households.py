"""Households on PostgreSQL: concurrent members on a house budget, and privacy between members enforced by
the repositories and by Row-Level Security (app.user_id), through the chat and through raw queries."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.cache import connect as cache_connect
from adapters.channels import Channel, TwilioChannel
from adapters.db import ChannelEndpoint, Database, InboxMessage
from adapters.db.tables import budget_crossings, outbox
from bot.alerts import AlertDispatcher
from bot.conversation import Agent
from domain import households as hh
from domain import services
from domain.commands import (
    AddAccount,
    AddUser,
    AnswerInvitation,
    CreateTenant,
    InviteMember,
    RecordTransaction,
    SetBudget,
    SplitExpense,
    UndoLast,
)
from domain.messages import InboundMessage
from domain.model import Channel as ChannelKind
from domain.model import Language, Source, Tenant, TransactionKind, User
from tests.integration.fake_providers import FakeProviders
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
ServerFactory = Callable[..., Awaitable[TestServer]]


@dataclass
class House:
    db: Database
    clock: FixedClock
    tenant: Tenant
    ana: User
    """Portuguese, the household's owner, with a personal account "Nubank da Ana"."""
    tom: User
    """English, invited by Ana and joined."""
    household_id: uuid.UUID


async def _house(url: str) -> House:
    clock = FixedClock(NOW)
    db = Database(url, clock=clock)
    async with db.directory() as directory:
        cmd = CreateTenant(slug=f"h-{uuid.uuid4().hex[:10]}", name="Casa", currency="BRL", locale="pt_BR",
                           timezone="America/Sao_Paulo")  # fmt: skip
        tenant = await services.create_tenant(cmd, directory, clock)
    async with db.unit_of_work(tenant.id) as uow:
        ana = await services.add_user(AddUser("+5511900001111", "Ana", Language.PT), tenant, uow, clock)
    async with db.unit_of_work(tenant.id) as uow:
        tom = await services.add_user(AddUser("+5511900002222", "Tom", Language.EN), tenant, uow, clock)
    async with db.unit_of_work(tenant.id, ana.id) as uow:
        await services.add_account(
            AddAccount(ana.id, "Nubank da Ana", "checking", opening_balance="900"), uow, clock
        )
    async with db.unit_of_work(tenant.id, ana.id) as uow:
        invited = await hh.invite(InviteMember(ana.id, tom.phone, "Tom"), tenant, uow, clock)
    async with db.unit_of_work(tenant.id, tom.id) as uow:
        assert (await hh.answer_invitation(AnswerInvitation(tom.id, True), uow, clock)).outcome == "joined"
    assert invited.household is not None
    return House(db, clock, tenant, ana, tom, invited.household.id)


@pytest.fixture
async def house(pg_database) -> AsyncIterator[House]:
    made = await _house(pg_database.app_url)
    try:
        yield made
    finally:
        await made.db.dispose()


async def _expense(house: House, user: User, amount: str, category: str = "groceries") -> int:
    """A chat expense of `user`'s; how many thresholds its reply told."""
    cmd = RecordTransaction(
        user_id=user.id,
        kind=TransactionKind.EXPENSE,
        amount=amount,
        category=category,
        source=Source.CHAT,
        source_ref=uuid.uuid4().hex,
    )
    async with house.db.unit_of_work(house.tenant.id, user.id) as uow:
        result = await services.record_transaction(cmd, uow, house.clock)
    return len(result.crossings)


async def test_members_writing_at_once_cross_each_house_threshold_once_and_everyone_is_alerted(
    house: House, aiohttp_server: ServerFactory
) -> None:
    async with house.db.unit_of_work(house.tenant.id, house.ana.id) as uow:
        cmd = SetBudget(user_id=house.ana.id, amount="100", category="groceries", shared=True)
        await services.set_budget(cmd, uow, house.clock)
    # 20 expenses of R$ 10 from both members at once: R$ 200 on a R$ 100 house budget crosses 80% and 100%.
    writers = [house.ana, house.tom] * 10
    told = await asyncio.gather(*(_expense(house, user, "10") for user in writers))

    assert sum(told) == 2  # each threshold told once, in the reply of the write that crossed it
    async with house.db.unit_of_work(house.tenant.id) as uow:
        crossings = (await uow.execute(sa.select(budget_crossings.c.threshold))).scalars().all()
        events = (
            (
                await uow.execute(
                    sa.select(outbox.c.payload).where(outbox.c.event_type == "BudgetThresholdCrossed")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(crossings) == [80, 100]
    # One event per member and threshold: the writer's told in the reply, the other's to be pushed.
    per_member = sorted((e["user_id"], e["threshold"]) for e in events)
    members = sorted(str(u.id) for u in (house.ana, house.tom))
    assert per_member == sorted((m, t) for m in members for t in (80, 100))
    for threshold in (80, 100):
        sources = sorted(str(e["source"]) for e in events if e["threshold"] == threshold)
        assert sources == ["None", "chat"]

    # The worker pushes the other member's alerts, each in that member's own language.
    fake = FakeProviders()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")
    channel: Channel = TwilioChannel(fake.twilio_sid, fake.twilio_token, base, timeout=5)
    number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
    try:
        async with house.db.directory() as directory:
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), house.tenant.id, "twilio", number))
            await directory.commit()
        for user in (house.ana, house.tom):
            await _wrote(house, user, number)
        await AlertDispatcher(house.db, {"twilio": channel}, house.clock).run_once()
    finally:
        await channel.close()
    pushed = [(r.form["To"].removeprefix("whatsapp:"), r.form["Body"]) for r in fake.of("twilio")]
    # Also pushed: Tom's invitation and, to Ana, that he joined.
    assert (
        sum(body.startswith("🏠 Ana invited you") for phone, body in pushed if phone == house.tom.phone) == 1
    )
    assert (
        sum(body == "🏠 Tom entrou na sua casa." for phone, body in pushed if phone == house.ana.phone) == 1
    )
    alerts = [(phone, body) for phone, body in pushed if "%" in body]
    to_ana = [body for phone, body in alerts if phone == house.ana.phone]
    to_tom = [body for phone, body in alerts if phone == house.tom.phone]
    assert len(to_ana) + len(to_tom) == 2
    assert all("orçamento" in body and "🏠" in body for body in to_ana)
    assert all("house groceries budget" in body for body in to_tom)


async def _wrote(house: House, user: User, number: str) -> None:
    row = InboxMessage(uuid.uuid4(), house.tenant.id, "whatsapp", "SM" + uuid.uuid4().hex, user.phone, number,
                       "oi", NOW - timedelta(hours=1), status="done")  # fmt: skip
    async with house.db.unit_of_work(house.tenant.id) as uow:
        await uow.inbox.add_if_absent(row)
        await uow.commit()


async def test_a_member_never_reads_another_members_personal_rows_under_the_app_role(
    house: House, pg_database
) -> None:
    # Ana's own lunch, and a house grocery bill she split with Tom.
    await _expense(house, house.ana, "35", "dining")
    async with house.db.unit_of_work(house.tenant.id, house.ana.id) as uow:
        expense = RecordTransaction(house.ana.id, TransactionKind.EXPENSE, "80", category="groceries",
                                    source=Source.CHAT, source_ref="split-1")  # fmt: skip
        split = await hh.split_expense(SplitExpense(expense, ("Tom",)), uow, house.clock)
    assert split.outcome == "split" and [str(m.amount) for _, m in split.parts] == ["40.00"]

    async def rows(member: User | None, query: str) -> set[str]:
        conn = await asyncpg.connect(pg_database.app_url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(house.tenant.id))
                if member is not None:
                    await conn.execute("SELECT set_config('app.user_id', $1, true)", str(member.id))
                return {str(row[0]) for row in await conn.fetch(query)}
        finally:
            await conn.close()

    async def visible(member: User | None, table: str) -> set[str]:
        conn = await asyncpg.connect(pg_database.app_url)
        try:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(house.tenant.id))
                if member is not None:
                    await conn.execute("SELECT set_config('app.user_id', $1, true)", str(member.id))
                column = {"accounts": "name", "transactions": "amount_minor::text"}[table]
                return {str(row[0]) for row in await conn.fetch(f"SELECT {column} FROM {table}")}
        finally:
            await conn.close()

    # Nor her messages, the audit of her changes, or the events of her own budgets.
    await _expense(house, house.ana, "12", "dining")
    async with house.db.unit_of_work(house.tenant.id, house.ana.id) as uow:
        await services.undo_last(UndoLast(house.ana.id), uow, house.clock)
    await _wrote(house, house.ana, "+15550000000")
    for table, whose in (("audit_log", "user_id::text"), ("outbox", "payload->>'user_id'"),
                         ("inbox", "sender"), ("outbound_messages", "recipient")):  # fmt: skip
        seen_by_tom = await rows(house.tom, f"SELECT DISTINCT {whose} FROM {table}")
        assert seen_by_tom <= {str(house.tom.id), house.tom.phone}, table
    assert str(house.ana.id) in await rows(None, "SELECT DISTINCT user_id::text FROM audit_log")

    assert "Nubank da Ana" in await visible(house.ana, "accounts")
    assert "Nubank da Ana" not in await visible(house.tom, "accounts")
    assert "Nubank da Ana" in await visible(None, "accounts")  # the operator's (no member) view
    # Tom sees the split house expense (8000 cents), never Ana's own lunch (3500).
    assert await visible(house.tom, "transactions") == {"8000"}
    assert await visible(house.ana, "transactions") == {"8000", "3500", "1200"}

    # And through the chat: Tom's balance lists his own accounts and the house's, never Ana's own.
    async with house.db.unit_of_work(house.tenant.id, house.ana.id) as uow:
        shared = AddAccount(
            house.ana.id, "Conta da casa", opening_balance="250", household_id=house.household_id
        )
        await services.add_account(shared, uow, house.clock)
    agent = Agent(unit_of_work=house.db.unit_of_work, state=cache_connect(None).state, clock=house.clock)
    reply = await _say(agent, house, house.tom, "what's my balance")
    assert "Conta da casa" in reply and "250" in reply
    assert "Nubank" not in reply and "900" not in reply
    owes = await _say(agent, house, house.tom, "how much do I owe ana")
    assert owes == "You owe Ana R$ 40,00."  # the split, seen from the member who owes it


async def _say(agent: Agent, house: House, user: User, text: str) -> str:
    message = InboundMessage(
        channel=ChannelKind.WHATSAPP,
        provider="twilio",
        sender=user.phone,
        recipient="+15550000000",
        text=text,
        provider_message_id="SM" + uuid.uuid4().hex,
        received_at=NOW,
    )
    return (await agent.process(house.tenant, message)).render() or ""
