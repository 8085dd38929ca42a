"""Pushes sent several at a time (AlertDispatcher.concurrency): each once, within bounds, one pass each."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer

from adapters.channels import TwilioChannel
from adapters.db import Database
from bot.alerts import CONCURRENCY, AlertDispatcher
from tests.conftest import PgDatabase
from tests.integration.fake_providers import FakeProviders
from tests.integration.pushes import PushTenant
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)  # 12:00 in São Paulo

ServerFactory = Callable[..., Awaitable[TestServer]]


@pytest.fixture
async def twilio(aiohttp_server: ServerFactory) -> AsyncIterator[tuple[FakeProviders, TwilioChannel]]:
    fake = FakeProviders(twilio_delay_s=0.02)  # sends overlap only when they are made at once
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    channel = TwilioChannel(
        fake.twilio_sid, fake.twilio_token, str(server.make_url("")).rstrip("/"), timeout=10
    )
    try:
        yield fake, channel
    finally:
        await channel.close()


async def test_two_dispatchers_of_eight_workers_send_each_of_200_alerts_once(
    pg_database: PgDatabase, twilio: tuple[FakeProviders, TwilioChannel]
) -> None:
    fake, channel = twilio
    clock = FixedClock(NOW)
    dbs = [Database(pg_database.app_url, clock=clock) for _ in range(2)]
    try:
        pushes = await PushTenant.create(dbs[0])
        await pushes.alert_each(await pushes.add_users(200))
        dispatchers = [AlertDispatcher(db, {"twilio": channel}, clock, concurrency=8) for db in dbs]
        assert [d.workers() for d in dispatchers] == [8, 8]

        settled = 0
        while True:  # both at once, pass after pass, until neither finds anything
            done = await asyncio.gather(*(d.run_once() for d in dispatchers))
            settled += sum(done)
            if not any(done):
                break

        assert settled == 200
        sent_to = Counter(r.form["To"] for r in fake.of("twilio"))
        assert sent_to == Counter({user.phone: 1 for user in pushes.users})
        rows = await pushes.outbox()
        assert [row["outcome"] for row in rows] == ["sent"] * 200
        records = await pushes.outbound()
        assert sorted(r["outbox_id"] for r in records) == [row["id"] for row in rows]
        assert 1 < fake.twilio_max_in_flight <= 16
    finally:
        for db in dbs:
            await db.dispose()


async def test_one_dispatcher_keeps_to_its_concurrency_and_its_batch(
    pg_database: PgDatabase, twilio: tuple[FakeProviders, TwilioChannel]
) -> None:
    fake, channel = twilio
    clock = FixedClock(NOW)
    db = Database(pg_database.app_url, clock=clock)
    try:
        pushes = await PushTenant.create(db)
        await pushes.alert_each(await pushes.add_users(30))
        dispatcher = AlertDispatcher(db, {"twilio": channel}, clock, concurrency=4, batch=20)

        assert await dispatcher.run_once() == 20  # the batch: other tenants get their turn
        assert 1 < fake.twilio_max_in_flight <= 4
        assert await dispatcher.run_once() == 10
        assert await dispatcher.run_once() == 0
        assert len(fake.of("twilio")) == 30
    finally:
        await db.dispose()


async def test_a_pass_of_several_workers_tries_each_held_alert_once(
    pg_database: PgDatabase, twilio: tuple[FakeProviders, TwilioChannel], caplog: pytest.LogCaptureFixture
) -> None:
    """Held alerts stay pending and unlocked: the pass's cursor keeps its workers from coming back to them."""
    fake, channel = twilio
    clock = FixedClock(datetime(2025, 3, 16, 2, 30, tzinfo=UTC))  # 23:30 in São Paulo
    db = Database(pg_database.app_url, clock=clock)
    try:
        pushes = await PushTenant.create(db, quiet_hours={"start": "22:00", "end": "08:00"})
        await pushes.alert_each(await pushes.add_users(12))
        dispatcher = AlertDispatcher(db, {"twilio": channel}, clock, concurrency=4)

        with caplog.at_level(logging.INFO, logger="bot.alerts"):
            assert await dispatcher.run_once() == 0

        held = Counter(r.outbox_id for r in caplog.records if r.getMessage() == "push held for quiet hours")
        assert sorted(held) == [row["id"] for row in await pushes.outbox()]
        assert set(held.values()) == {1}
        assert fake.of("twilio") == []
    finally:
        await db.dispose()


async def test_concurrency_is_one_on_sqlite_and_never_more_than_the_pool(sqlite_url: str) -> None:
    clock = FixedClock(NOW)
    nowhere = "postgresql://nobody@127.0.0.1:1/none"  # engines connect lazily: none is opened here
    sqlite, small, default = (
        Database(sqlite_url),
        Database(nowhere, pool_size=2, max_overflow=1),
        Database(nowhere),
    )
    try:
        assert AlertDispatcher(sqlite, {}, clock, concurrency=8).workers() == 1
        assert AlertDispatcher(sqlite, {}, clock).workers() == 1
        assert AlertDispatcher(small, {}, clock).workers() == 3
        assert AlertDispatcher(small, {}, clock, concurrency=2).workers() == 2
        assert AlertDispatcher(default, {}, clock).workers() == CONCURRENCY <= default.connections
    finally:
        for db in (sqlite, small, default):
            await db.dispose()


async def test_each_persons_pushes_arrive_in_the_order_they_were_raised(
    pg_database: PgDatabase, twilio: tuple[FakeProviders, TwilioChannel]
) -> None:
    """Several at once, yet one person's pushes one after another: "over the budget" never overtakes the
    "80%" raised with it (SqlOutbox.pending claims no event while an earlier one of its user is pending)."""
    fake, channel = twilio
    clock = FixedClock(NOW)
    dbs = [Database(pg_database.app_url, clock=clock) for _ in range(2)]
    try:
        pushes = await PushTenant.create(dbs[0])
        users = await pushes.add_users(6)
        for n in range(5):  # five alerts per person, stored round after round, each round's amount its own
            await pushes.alert_each(users, spent=f"120{n}.00")
        dispatchers = [AlertDispatcher(db, {"twilio": channel}, clock, concurrency=8) for db in dbs]
        while any(await asyncio.gather(*(d.run_once() for d in dispatchers))):
            pass

        assert [row["outcome"] for row in await pushes.outbox()] == ["sent"] * 30
        ours = [r.form for r in fake.of("twilio") if r.form["From"] == pushes.twilio_number]  # the module's
        for user in users:  # tests share a database: another test's held alerts may go out through us too
            bodies = [form["Body"] for form in ours if form["To"] == user.phone]
            rounds = [next((n for n in range(5) if f"R$ 1.20{n},00" in body), body) for body in bodies]
            assert rounds == [0, 1, 2, 3, 4], f"{user.phone} got its pushes out of order: {rounds}"
        # One person's went one after another (each sent only once the one before it was settled), while
        # the pushes of different people did go several at once.
        assert fake.twilio_max_in_flight_to_one == 1
        assert fake.twilio_max_in_flight > 1
    finally:
        for db in dbs:
            await db.dispose()
