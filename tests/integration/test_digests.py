"""Weekly digests end to end, on PostgreSQL and SQLite with a pinned clock: the worker schedules them, the
dispatcher pushes them through a local fake of Twilio, once per user and week, never more than a day late."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.channels import Channel, TwilioChannel
from adapters.db import ChannelEndpoint, Database, InboxMessage
from adapters.db.tables import outbox, users
from bot.alerts import AlertDispatcher
from bot.worker import Worker
from domain import services
from domain.commands import AddUser, RecordTransaction, SetBudget
from domain.goals import Contribute, CreateGoal, contribute, start_goal
from domain.model import Source, TransactionKind
from domain.recurring import CreateRecurring, start_rule
from tests.integration.conftest import MakeTenant, Seeded
from tests.integration.fake_providers import FakeProviders, RecordedRequest
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

SLOT = datetime(2026, 12, 6, 21, 0, tzinfo=UTC)
"""Sunday 6 December 2026, 18:00 in São Paulo (UTC-3): the default digest slot."""

ServerFactory = Callable[..., Awaitable[TestServer]]


@dataclass
class World:
    db: Database
    clock: FixedClock
    fake: FakeProviders
    channels: dict[str, Channel]
    seed: Seeded
    twilio_number: str

    def worker(self, db: Database | None = None) -> Worker:
        db = db or self.db
        alerts = AlertDispatcher(db, self.channels, self.clock)
        return Worker(db, agent=None, channels=self.channels, clock=self.clock, alerts=alerts)  # type: ignore[arg-type]

    def pushes(self) -> list[RecordedRequest]:
        """What this test's tenant sent (the PostgreSQL database is shared by the module's tests)."""
        return [r for r in self.fake.of("twilio") if r.form["From"].endswith(self.twilio_number)]

    async def digest(self, user_id: uuid.UUID, weekday: int | None = 6, hour: int = 18) -> None:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            user = await uow.users.get(user_id)
            assert user is not None
            user.digest_weekday, user.digest_hour = weekday, hour
            await uow.users.update(user)
            await uow.commit()

    async def add_user(self, phone: str) -> uuid.UUID:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            user = await services.add_user(AddUser(phone=phone), self.seed.tenant, uow, self.clock)
        await self.wrote(phone)
        return user.id

    async def wrote(self, phone: str) -> None:
        """A WhatsApp message from `phone` an hour ago: pushes go free-form on WhatsApp."""
        row = InboxMessage(
            id=uuid.uuid4(),
            tenant_id=self.seed.tenant.id,
            channel="whatsapp",
            provider_message_id="SM" + uuid.uuid4().hex,
            sender=phone,
            recipient=self.twilio_number,
            text="oi",
            received_at=self.clock.now() - timedelta(hours=1),
            status="done",
        )
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            await uow.inbox.add_if_absent(row)
            await uow.commit()

    async def spend(self, amount: str, day: date, category: str) -> None:
        cmd = RecordTransaction(
            user_id=self.seed.user.id,
            kind=TransactionKind.EXPENSE,
            amount=amount,
            occurred_on=day,
            category=category,
            source=Source.CHAT,  # told in the chat reply: its budget crossings are not pushed
            source_ref=uuid.uuid4().hex,
        )
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            await services.record_transaction(cmd, uow, self.clock)

    async def digests(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            query = sa.select(outbox).where(outbox.c.event_type == "WeeklyDigestDue").order_by(outbox.c.id)
            return [dict(row) for row in (await uow.execute(query)).mappings()]


@pytest.fixture
async def world(
    database_url: str, make_tenant: MakeTenant, aiohttp_server: ServerFactory
) -> AsyncIterator[World]:
    clock = FixedClock(SLOT)
    db = Database(database_url, clock=clock)
    fake = FakeProviders()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")
    channels: dict[str, Channel] = {
        "twilio": TwilioChannel(fake.twilio_sid, fake.twilio_token, base, timeout=5)
    }
    seed = await make_tenant(db)
    try:
        twilio_number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
        async with db.directory() as directory:
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), seed.tenant.id, "twilio", twilio_number)
            )
            await directory.commit()
        w = World(db, clock, fake, channels, seed, twilio_number)
        await w.wrote(seed.user.phone)
        yield w
    finally:
        # The module's next tests share the PostgreSQL database (and run at other times): no digest of ours
        # may fall due in theirs.
        async with db.unit_of_work(seed.tenant.id) as uow:
            await uow.execute(
                sa.update(users).where(users.c.tenant_id == seed.tenant.id).values(digest_weekday=None)
            )
            await uow.commit()
        for channel in channels.values():
            await channel.close()
        await db.dispose()


# Sunday 6 December, 18:00 in São Paulo: the week of Monday 30 November to that Sunday against the one before;
# the dining budget is at risk (75% used by the 6th heads for 1,550 by the 31st), with 100 left over the 26
# days of December still to come (3.84 a day, rounded down);
# the goal holds 1,250 of 5,000; the rent is due on Tuesday the 8th, the gym (no bill) is not listed.
DIGEST_PT = """📊 Sua semana, de 30 nov. a 6 dez.
Você gastou R$ 1.234,56, 23% a mais que na semana anterior (R$ 1.000,00).
Principais categorias:
• mercado: R$ 894,56
• restaurante: R$ 300,00
• transporte: R$ 40,00
⚠️ Orçamentos em risco:
• restaurante: R$ 300,00 de R$ 400,00, sobram R$ 3,84 por dia até 31 dez.
🎯 Metas:
• Viagem: R$ 1.250,00 de R$ 5.000,00 (25%)
🧾 Contas que vencem na próxima semana:
• 8 dez.: Aluguel, R$ 1.800,00"""


async def test_the_digest_a_user_receives(world: World) -> None:
    user = world.seed.user.id
    await world.spend("1000", date(2026, 11, 25), "groceries")  # the week before
    await world.spend("894.56", date(2026, 11, 30), "groceries")
    await world.spend("300", date(2026, 12, 2), "dining")
    await world.spend("40", date(2026, 12, 6), "transport")
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        await services.set_budget(SetBudget(user_id=user, amount="400", category="dining"), uow, world.clock)
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        goal = await start_goal(CreateGoal(user_id=user, name="Viagem", target="5000"), uow, world.clock)
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        await contribute(Contribute(goal_id=goal.goal.id, amount="1250"), uow, world.clock)
    for merchant, amount, anchor, bill in (("Aluguel", "1800", 8, True), ("Academia", "120", 9, False)):
        rule = CreateRecurring(
            user_id=user, kind="expense", amount=amount, cadence="monthly", anchor=anchor, merchant=merchant
        )
        async with world.db.unit_of_work(world.seed.tenant.id) as uow:
            started = await start_rule(rule, uow, world.clock)
            await uow.recurring.update(replace(started.rule, bill=bill))
            await uow.commit()
    await world.digest(user)

    await world.worker().run_once()

    [sent] = world.pushes()
    assert sent.form["To"] == f"whatsapp:{world.seed.user.phone}"
    assert sent.form["Body"] == DIGEST_PT
    [row] = await world.digests()
    assert row["processed_at"] is not None and row["outcome"] == "sent"
    assert row["payload"]["week_start"] == "2026-11-30"


async def test_two_workers_send_each_digest_once(world: World, database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent workers are PostgreSQL's (SKIP LOCKED, unique keys); SQLite has one writer")
    phones = [world.seed.user.phone, *(f"+551198{uuid.uuid4().int % 10**7:07d}" for _ in range(4))]
    ids = [world.seed.user.id, *[await world.add_user(phone) for phone in phones[1:]]]
    for user_id in ids:
        await world.digest(user_id)
    other = Database(database_url, clock=world.clock)
    try:
        workers = [world.worker(), world.worker(other)]
        for _ in range(3):  # passes racing each other, again and again within the hour
            await asyncio.gather(*(w.run_once() for w in workers))
            world.clock.advance(minutes=20)
        world.clock.advance(days=7)  # next Sunday: each gets next week's, once
        await asyncio.gather(*(w.run_once() for w in workers))
        await asyncio.gather(*(w.run_once() for w in workers))
    finally:
        await other.dispose()

    # A week after their last message WhatsApp's window is closed: the second digest goes by SMS.
    sent = sorted(r.form["To"].removeprefix("whatsapp:") for r in world.pushes())
    assert sent == sorted(p for p in phones for _ in range(2))
    rows = await world.digests()
    assert len(rows) == 2 * len(ids)
    assert sorted(r["payload"]["week_start"] for r in rows) == ["2026-11-30"] * 5 + ["2026-12-07"] * 5
    assert all(r["outcome"] == "sent" for r in rows)


async def test_a_digest_missed_by_more_than_a_day_is_not_sent(world: World) -> None:
    await world.digest(world.seed.user.id)
    world.clock.set(SLOT + timedelta(days=1, minutes=1))  # the workers were down from before the slot

    await world.worker().run_once()

    assert world.pushes() == []
    assert await world.digests() == []


async def test_a_stored_digest_taken_up_a_day_late_is_skipped(world: World) -> None:
    await world.digest(world.seed.user.id)
    worker = world.worker()
    await worker.digests.run(world.seed.tenant)  # stored at the slot; the dispatcher stopped before sending
    world.clock.advance(hours=24)

    await worker.run_once()

    assert world.pushes() == []
    [row] = await world.digests()
    assert row["outcome"] == "too_late"


async def test_a_digest_stopped_after_it_was_stored_is_not_sent(world: World) -> None:
    await world.digest(world.seed.user.id)
    worker = world.worker()
    await worker.digests.run(world.seed.tenant)
    await world.digest(world.seed.user.id, weekday=None)  # "stop the summary"

    await worker.run_once()

    assert world.pushes() == []
    [row] = await world.digests()
    assert row["outcome"] == "digest_off"


async def test_a_digest_due_in_quiet_hours_waits_for_their_end_and_goes_once(world: World) -> None:
    await world.digest(world.seed.user.id, weekday=6, hour=23)  # Sunday 23:00: inside 22:00-08:00
    world.clock.set(datetime(2026, 12, 7, 2, 0, tzinfo=UTC))  # 23:00 in São Paulo
    worker = world.worker()

    await worker.run_once()
    assert world.pushes() == []
    [row] = await world.digests()
    assert row["processed_at"] is None

    world.clock.set(datetime(2026, 12, 7, 11, 0, tzinfo=UTC))  # Monday 08:00 there
    await worker.run_once()
    await worker.run_once()

    [sent] = world.pushes()
    assert sent.form["Body"].startswith("📊 Sua semana, de 30 nov. a 6 dez.")
    [row] = await world.digests()
    assert row["outcome"] == "sent"


async def test_a_tenants_users_are_read_once_an_hour_and_a_late_opt_in_is_read_the_next_hour(
    world: World,
) -> None:
    worker = world.worker()
    world.clock.set(SLOT + timedelta(minutes=10))
    assert await worker.digests.run(world.seed.tenant) == 0  # nobody wants one yet
    await world.digest(world.seed.user.id)  # 18:20: "send me a weekly summary", this Sunday's slot passed
    world.clock.set(SLOT + timedelta(minutes=20))
    assert await worker.digests.run(world.seed.tenant) == 0  # this hour's reading is done
    world.clock.set(SLOT + timedelta(hours=1))
    assert await worker.digests.run(world.seed.tenant) == 1  # 19:00: read again, the digest is due
    assert await worker.digests.run(world.seed.tenant) == 0
    assert len(await world.digests()) == 1
