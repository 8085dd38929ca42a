"""Dead letters (pushes given up on retryable errors): counted per tenant, logged by the worker at start and
after a pass that made one, listed by `centavo worker --dead-letters`; on PostgreSQL and SQLite."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from aiohttp.test_utils import TestServer

from adapters.channels import TwilioChannel
from adapters.db import Database
from bot import dead_letters
from bot.alerts import AlertDispatcher
from bot.cli import main
from tests.integration.fake_providers import FakeError, FakeProviders
from tests.integration.pushes import PushTenant
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
ServerFactory = Callable[..., Awaitable[TestServer]]


@dataclass
class Setup:
    db: Database
    clock: FixedClock
    fake: FakeProviders
    channel: TwilioChannel
    pushes: PushTenant

    def dispatcher(self) -> AlertDispatcher:
        # One attempt: a retryable failure is a dead letter at once.
        return AlertDispatcher(self.db, {"twilio": self.channel}, self.clock, max_attempts=1)

    def warnings(self, caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
        mine = str(self.pushes.tenant.id)
        return [
            r
            for r in caplog.records
            if r.getMessage().startswith("outbox dead letters: ") and getattr(r, "tenant_id", None) == mine
        ]


@pytest.fixture
async def setup(database_url: str, aiohttp_server: ServerFactory) -> AsyncIterator[Setup]:
    clock = FixedClock(NOW)
    db = Database(database_url, clock=clock)
    fake = FakeProviders(twilio_error=FakeError(503, 20503, "Service Unavailable"))
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    channel = TwilioChannel(
        fake.twilio_sid, fake.twilio_token, str(server.make_url("")).rstrip("/"), timeout=5
    )
    try:
        pushes = await PushTenant.create(db)
        yield Setup(db, clock, fake, channel, pushes)
    finally:
        await channel.close()
        await db.dispose()


async def test_a_pass_that_dead_letters_pushes_logs_the_tenants_count_and_the_next_pass_does_not(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    await setup.pushes.alert_each(await setup.pushes.add_users(2))

    with caplog.at_level(logging.INFO):
        assert await setup.dispatcher().run_once() == 2
    [warning] = setup.warnings(caplog)
    assert warning.levelno == logging.WARNING
    assert (warning.dead_letters, warning.new) == (2, 2)  # type: ignore[attr-defined]

    caplog.clear()
    await setup.pushes.alert_each(await setup.pushes.add_users(1))
    setup.fake.twilio_error = None  # the provider is back: this one goes
    with caplog.at_level(logging.INFO):
        assert await setup.dispatcher().run_once() == 1
    assert setup.warnings(caplog) == []
    assert len(setup.fake.of("twilio")) == 3


async def test_dead_letters_are_counted_and_listed_with_the_providers_last_error(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    await setup.pushes.alert_each(await setup.pushes.add_users(2))
    setup.fake.twilio_error_times = 1  # the first fails for good (one attempt), the second goes
    await setup.dispatcher().run_once()

    # On PostgreSQL both go at once: whichever reached the fake first failed.
    events = await setup.pushes.outbox()
    assert sorted(e["outcome"] for e in events) == ["dead_letter", "sent"]
    [dead] = [e for e in events if e["outcome"] == "dead_letter"]
    [sent] = [e for e in events if e["outcome"] == "sent"]
    async with setup.db.unit_of_work(setup.pushes.tenant.id) as uow:
        assert await uow.dead_letters.count() == 1
        assert await uow.dead_letters.count([sent["id"]]) == 0
        assert await uow.dead_letters.count([]) == 0
        [letter] = await uow.dead_letters.list()
    assert (letter.id, letter.event_id, letter.event_type) == (
        dead["id"],
        dead["event_id"],
        "BudgetThresholdCrossed",
    )
    assert letter.attempts == 1 and letter.settled_at == NOW
    assert letter.last_error is not None and "20503" in letter.last_error

    caplog.clear()
    with caplog.at_level(logging.INFO):
        found = await dead_letters.report(setup.db)  # what the worker says when it starts
    assert found[setup.pushes.tenant.id] == 1
    [warning] = setup.warnings(caplog)
    assert warning.dead_letters == 1  # type: ignore[attr-defined]


async def test_centavo_worker_dead_letters_prints_them(
    setup: Setup, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await setup.pushes.alert_each(await setup.pushes.add_users(1))
    await setup.dispatcher().run_once()
    [dead] = await setup.pushes.outbox()
    monkeypatch.setenv("DATABASE_URL", database_url)
    capsys.readouterr()

    assert await asyncio.to_thread(main, ["worker", "--dead-letters"]) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == "tenant\toutbox_id\tevent_id\ttype\tattempts\tsettled_at\tlast_error"
    [line] = [line for line in out if line.startswith(setup.pushes.tenant.slug + "\t")]
    _, seq, event_id, kind, attempts, settled, error = line.split("\t")
    assert (seq, event_id, kind, attempts) == (
        str(dead["id"]),
        str(dead["event_id"]),
        "BudgetThresholdCrossed",
        "1",
    )
    assert settled == NOW.isoformat() and "20503" in error


async def test_a_tenant_without_dead_letters_gets_no_warning(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="bot.dead_letters"):
        found = await dead_letters.report(setup.db)
    assert found[setup.pushes.tenant.id] == 0
    assert setup.warnings(caplog) == []
