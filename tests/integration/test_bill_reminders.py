"""Bill reminders through the worker, on PostgreSQL and SQLite with a pinned clock and a fake Twilio: the day
before, once (two passes, two workers); none when paid early, and no second recording on the due day; none
late after a downtime; a reminder held by quiet hours is checked again before it goes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.channels import Channel, TwilioChannel
from adapters.db import ChannelEndpoint, Database, InboxMessage
from adapters.db.tables import outbox, transactions
from bot.worker import Worker
from domain import bills, services
from domain.commands import RecordTransaction
from domain.model import Source, TransactionKind
from domain.recurring import CreateRecurring, start_rule
from tests.integration.conftest import MakeTenant, Seeded
from tests.integration.fake_providers import FakeProviders
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

# Saturday 15 March 2025, 12:00 in São Paulo (UTC-3). The rent is due on Thursday the 20th.
START = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
DUE = date(2025, 3, 20)
EVE = datetime(2025, 3, 19, 12, 0, tzinfo=UTC)
"""09:00 on the 19th in São Paulo: the day before, after the default quiet hours (22:00-08:00)."""

ServerFactory = Callable[..., Awaitable[TestServer]]


@dataclass
class World:
    db: Database
    url: str
    clock: FixedClock
    fake: FakeProviders
    channels: dict[str, Channel]
    seed: Seeded
    rule_id: uuid.UUID
    twilio_number: str

    def sent(self) -> list[dict[str, str]]:
        """What the fake Twilio received for this tenant. The module's tests share one PostgreSQL database
        and a worker serves every tenant in it: other tests' tenants may be reminded through this fake."""
        return [r.form for r in self.fake.of("twilio") if r.form.get("From") == self.twilio_number]

    def worker(self, db: Database | None = None) -> Worker:
        return Worker(db or self.db, agent=None, channels=self.channels, clock=self.clock)  # type: ignore[arg-type]

    async def pay(self, amount: str, day: date) -> uuid.UUID:
        """The user records a rent payment by chat (housing, no merchant) on `day`."""
        cmd = RecordTransaction(
            user_id=self.seed.user.id,
            kind=TransactionKind.EXPENSE,
            amount=amount,
            category="housing",
            note="paguei o aluguel",
            occurred_on=day,
            source=Source.CHAT,
            source_ref=uuid.uuid4().hex,
        )
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            result = await services.record_transaction(cmd, uow, self.clock)
        return result.transaction.id

    async def reminders(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            query = sa.select(outbox).where(
                outbox.c.tenant_id == self.seed.tenant.id, outbox.c.event_type == "BillDue"
            )
            return [dict(row) for row in (await uow.execute(query)).mappings()]

    async def recorded_by_rule(self) -> list[str]:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            query = sa.select(transactions.c.source_ref).where(
                transactions.c.tenant_id == self.seed.tenant.id,  # SQLite has no RLS to do it
                transactions.c.source == str(Source.RECURRING),
            )
            return sorted(str(ref) for ref in (await uow.execute(query)).scalars())

    async def next_due(self) -> date:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            rule = await uow.recurring.get(self.rule_id)
        assert rule is not None
        return rule.next_due


@pytest.fixture
async def world(
    database_url: str, make_tenant: MakeTenant, aiohttp_server: ServerFactory
) -> AsyncIterator[World]:
    clock = FixedClock(START)
    db = Database(database_url, clock=clock)
    fake = FakeProviders()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")
    channels: dict[str, Channel] = {
        "twilio": TwilioChannel(fake.twilio_sid, fake.twilio_token, base, timeout=5)
    }
    try:
        seed = await make_tenant(db)
        twilio_number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
        async with db.directory() as directory:
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), seed.tenant.id, "twilio", twilio_number)
            )
            await directory.commit()
        async with db.unit_of_work(seed.tenant.id) as uow:
            account = await uow.accounts.get(seed.account.id)
            assert account is not None
            account.name = "conta corrente"
            await uow.accounts.update(account)
            cmd = CreateRecurring(
                user_id=seed.user.id,
                kind="expense",
                amount="1800",
                cadence="monthly",
                anchor=20,
                category="housing",
                note="aluguel",
                bill=True,
            )
            rule = (await start_rule(cmd, uow, clock)).rule
        # They wrote by SMS a moment before the reminder is due: it goes by SMS, from the number they texted.
        async with db.unit_of_work(seed.tenant.id) as uow:
            await uow.inbox.add_if_absent(
                InboxMessage(
                    id=uuid.uuid4(),
                    tenant_id=seed.tenant.id,
                    channel="sms",
                    provider_message_id="SM" + uuid.uuid4().hex,
                    sender=seed.user.phone,
                    recipient=twilio_number,
                    text="oi",
                    received_at=START,
                    status="done",
                )
            )
            await uow.commit()
        yield World(db, database_url, clock, fake, channels, seed, rule.id, twilio_number)
    finally:
        for channel in channels.values():
            await channel.close()
        await db.dispose()


async def test_the_reminder_goes_the_day_before_once_with_two_workers_and_two_passes(world: World) -> None:
    assert await world.worker().run_once() == 0  # the 15th: nothing due tomorrow
    world.clock.set(EVE)
    if world.url.startswith("postgresql"):
        other = Database(world.url, clock=world.clock)
        try:
            workers = [world.worker(), world.worker(other)]
            await asyncio.gather(*(w.run_once() for w in workers))
            await asyncio.gather(*(w.run_once() for w in workers))
        finally:
            await other.dispose()
    else:  # SQLite serializes writers with its lock: the passes run one after the other
        for _ in range(4):
            await world.worker().run_once()

    [sent] = world.sent()
    # By SMS (they last wrote by SMS), in GSM-7: "Amanhã" loses its tilde, the pt_BR amount stays.
    assert sent["To"] == world.seed.user.phone
    assert sent["Body"] == "Amanha: aluguel R$ 1.800,00, conta corrente"
    [reminder] = await world.reminders()
    assert reminder["event_id"] == bills.reminder_id(world.rule_id, DUE)
    assert reminder["outcome"] == "sent" and reminder["processed_at"] is not None

    world.clock.set(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))  # the due day: recorded, not reminded again
    await world.worker().run_once()
    assert len(world.sent()) == 1
    assert await world.recorded_by_rule() == [f"{world.rule_id}:2025-03-20"]


async def test_a_bill_paid_early_gets_no_reminder_and_is_not_recorded_again_on_its_due_day(
    world: World,
) -> None:
    world.clock.set(datetime(2025, 3, 17, 15, 0, tzinfo=UTC))
    paid = await world.pay("1750", date(2025, 3, 17))  # 50 less than the rule: within 10%
    world.clock.set(EVE)
    await world.worker().run_once()
    await world.worker().run_once()
    assert world.sent() == []
    assert await world.reminders() == []

    world.clock.set(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))
    await world.worker().run_once()
    assert await world.recorded_by_rule() == []  # the payment already recorded is the only one
    assert await world.next_due() == date(2025, 4, 20)
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        query = sa.select(transactions.c.id).where(transactions.c.tenant_id == world.seed.tenant.id)
        assert list((await uow.execute(query)).scalars()) == [paid]

    # April's rent is not paid by March's payment: reminded the day before as usual.
    world.clock.set(datetime(2025, 4, 19, 12, 0, tzinfo=UTC))
    await world.worker().run_once()
    assert [r["Body"] for r in world.sent()] == ["Amanha: aluguel R$ 1.800,00, conta corrente"]


async def test_a_missed_reminder_day_sends_nothing_late(world: World) -> None:
    world.clock.set(datetime(2025, 3, 20, 12, 0, tzinfo=UTC))  # the worker was down all of the 19th
    await world.worker().run_once()
    await world.worker().run_once()
    assert world.sent() == []
    assert await world.reminders() == []
    assert await world.recorded_by_rule() == [f"{world.rule_id}:2025-03-20"]  # recorded all the same
    assert await world.next_due() == date(2025, 4, 20)


@pytest.mark.parametrize("meanwhile", ["paid", "unmarked"])
async def test_a_reminder_held_by_quiet_hours_is_checked_again_before_it_goes(
    world: World, meanwhile: str
) -> None:
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        user = await uow.users.get(world.seed.user.id)
        assert user is not None
        user.quiet_hours = "21:00-11:00"  # a late riser: the 09:00 reminder waits for 11:00
        await uow.users.update(user)
        await uow.commit()
    world.clock.set(datetime(2025, 3, 19, 12, 30, tzinfo=UTC))  # 09:30 on the 19th: scheduled, held
    await world.worker().run_once()
    [held] = await world.reminders()
    assert held["processed_at"] is None and world.sent() == []

    world.clock.set(datetime(2025, 3, 19, 13, 0, tzinfo=UTC))  # 10:00
    if meanwhile == "paid":
        await world.pay("1800", date(2025, 3, 19))
    else:
        async with world.db.unit_of_work(world.seed.tenant.id) as uow:
            await bills.set_bill(world.rule_id, False, uow)
    world.clock.set(datetime(2025, 3, 19, 14, 0, tzinfo=UTC))  # 11:00: their quiet hours are over
    await world.worker().run_once()

    assert world.sent() == []
    [settled] = await world.reminders()
    assert settled["outcome"] == ("bill_paid" if meanwhile == "paid" else "bill_off")
    assert settled["processed_at"] is not None
