"""Budget alert pushes from the outbox, on PostgreSQL and SQLite, through a local fake of Twilio and Meta."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestServer

from adapters.channels import Channel, MetaChannel, TwilioChannel
from adapters.db import ChannelEndpoint, Database, InboxMessage
from adapters.db.tables import outbound_messages, outbox
from bot.alerts import AlertDispatcher, AlertTemplates
from domain import services
from domain.commands import AddUser, RecordTransaction, SetBudget
from domain.low_balance import WarnBelow, warn_below
from domain.model import Source, TransactionKind
from tests.integration.conftest import MakeTenant, Seeded
from tests.integration.fake_providers import FakeError, FakeProviders
from tests.unit.fakes import FixedClock

pytestmark = pytest.mark.integration

NOW = datetime(2025, 3, 15, 15, 0, tzinfo=UTC)
# pt_BR: "R$ 1.234,56" with a grouping dot and a decimal comma; 1234.56 of 1500 is past 80%, below 100%.
ALERT_PT = "⚠️ Você já usou 80% do orçamento de mercado: R$ 1.234,56 de R$ 1.500,00."

ServerFactory = Callable[..., Awaitable[TestServer]]


@dataclass
class World:
    db: Database
    clock: FixedClock
    fake: FakeProviders
    channels: dict[str, Channel]
    seed: Seeded
    twilio_number: str
    meta_number_id: str

    @property
    def phone(self) -> str:
        return self.seed.user.phone

    def dispatcher(self, db: Database | None = None, **options: Any) -> AlertDispatcher:
        return AlertDispatcher(db or self.db, self.channels, self.clock, **options)

    async def budget(self, amount: str = "1500", user_id: uuid.UUID | None = None) -> None:
        cmd = SetBudget(user_id=user_id or self.seed.user.id, amount=amount, category="groceries")
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            await services.set_budget(cmd, uow, self.clock)

    async def expense(
        self, amount: str = "1234.56", source: Source = Source.ADMIN_API, user_id: uuid.UUID | None = None
    ) -> int:
        """Record an expense; returns how many thresholds it crossed."""
        cmd = RecordTransaction(
            user_id=user_id or self.seed.user.id,
            kind=TransactionKind.EXPENSE,
            amount=amount,
            category="groceries",
            source=source,
            source_ref=uuid.uuid4().hex,
        )
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            result = await services.record_transaction(cmd, uow, self.clock)
        return len(result.crossings)

    async def wrote(self, channel: str, ago: timedelta, recipient: str = "", phone: str = "") -> None:
        """A message from the user on `channel`, `ago` before now, to our `recipient` address."""
        row = InboxMessage(
            id=uuid.uuid4(),
            tenant_id=self.seed.tenant.id,
            channel=channel,
            provider_message_id="SM" + uuid.uuid4().hex,
            sender=phone or self.phone,
            recipient=recipient or self.twilio_number,
            text="oi",
            received_at=self.clock.now() - ago,
            status="done",
        )
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            await uow.inbox.add_if_absent(row)
            await uow.commit()

    async def opt_out(self, channel: str) -> None:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            user = await uow.users.get(self.seed.user.id)
            assert user is not None
            user.opted_out = {channel: True}
            await uow.users.update(user)
            await uow.commit()

    async def outbound(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            rows = await uow.execute(sa.select(outbound_messages).order_by(outbound_messages.c.created_at))
            return [dict(row) for row in rows.mappings()]

    async def outbox(self) -> list[dict[str, Any]]:
        async with self.db.unit_of_work(self.seed.tenant.id) as uow:
            rows = await uow.execute(sa.select(outbox).order_by(outbox.c.id))
            return [dict(row) for row in rows.mappings()]


@pytest.fixture
async def world(
    database_url: str, make_tenant: MakeTenant, aiohttp_server: ServerFactory
) -> AsyncIterator[World]:
    clock = FixedClock(NOW)
    db = Database(database_url, clock=clock)
    fake = FakeProviders()
    server = await aiohttp_server(fake.app(), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")
    channels: dict[str, Channel] = {
        "twilio": TwilioChannel(fake.twilio_sid, fake.twilio_token, base, timeout=5),
        "meta": MetaChannel(fake.meta_token, f"{base}/v21.0"),
    }
    try:
        seed = await make_tenant(db)
        # The PostgreSQL database is shared by the module's tests, and an address routes to one tenant.
        twilio_number = "+1415" + str(uuid.uuid4().int % 10**7).zfill(7)
        meta_number_id = str(uuid.uuid4().int % 10**15)
        async with db.directory() as directory:
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), seed.tenant.id, "twilio", twilio_number)
            )
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), seed.tenant.id, "meta", meta_number_id)
            )
            await directory.commit()
        w = World(db, clock, fake, channels, seed, twilio_number, meta_number_id)
        await w.budget()
        yield w
    finally:
        for channel in channels.values():
            await channel.close()
        await db.dispose()


async def test_admin_crossing_is_pushed_once_on_whatsapp_within_24_hours(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=3))
    assert await world.expense() == 1

    settled = await world.dispatcher().run_once()

    assert settled == 2  # the crossing, and the TransactionRecorded that needs no push
    [sent] = world.fake.of("twilio")
    assert sent.form == {
        "To": f"whatsapp:{world.phone}",
        "From": f"whatsapp:{world.twilio_number}",
        "Body": ALERT_PT,
    }
    [record] = await world.outbound()
    assert record["inbox_id"] is None
    assert (record["channel"], record["recipient"], record["provider"]) == ("whatsapp", world.phone, "twilio")
    assert record["body"] == ALERT_PT and record["status"] == "queued"
    assert record["provider_message_id"].startswith("SM")
    assert all(row["processed_at"] is not None for row in await world.outbox())

    assert await world.dispatcher().run_once() == 0
    assert len(world.fake.requests) == 1
    assert len(await world.outbound()) == 1


async def test_whatsapp_through_meta_when_they_wrote_to_the_meta_number(world: World) -> None:
    await world.wrote("whatsapp", timedelta(minutes=5), recipient=world.meta_number_id)
    await world.expense()

    await world.dispatcher().run_once()

    assert world.fake.of("twilio") == []
    [sent] = world.fake.of("meta")
    assert sent.path == f"/v21.0/{world.meta_number_id}/messages"
    assert sent.json["to"] == world.phone.lstrip("+")
    assert sent.json["text"] == {"body": ALERT_PT}
    [record] = await world.outbound()
    assert (record["channel"], record["provider"]) == ("whatsapp", "meta")
    assert record["provider_message_id"].startswith("wamid.")


async def test_sms_from_the_twilio_number_when_the_last_whatsapp_message_is_two_days_old(
    world: World,
) -> None:
    await world.wrote("whatsapp", timedelta(days=2), recipient=world.meta_number_id)
    await world.expense()

    await world.dispatcher().run_once()

    assert world.fake.of("meta") == []
    [sent] = world.fake.of("twilio")
    # SMS is GSM-7: the emoji goes, the text and the pt_BR amounts stay.
    assert sent.form["To"] == world.phone and sent.form["From"] == world.twilio_number
    assert "80% do orcamento de mercado: R$ 1.234,56 de R$ 1.500,00." in sent.form["Body"]
    [record] = await world.outbound()
    assert (record["channel"], record["provider"], record["body"]) == ("sms", "twilio", sent.form["Body"])


async def test_sms_to_someone_who_never_wrote(world: World) -> None:
    await world.expense()
    await world.dispatcher().run_once()
    [sent] = world.fake.of("twilio")
    assert (sent.form["To"], sent.form["From"]) == (world.phone, world.twilio_number)


async def test_over_the_budget_uses_the_over_text(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=1))
    assert await world.expense("1600.00") == 2  # 80% and 100% at once

    await world.dispatcher().run_once()

    bodies = [r.form["Body"] for r in world.fake.of("twilio")]
    assert bodies == [
        "⚠️ Você já usou 80% do orçamento de mercado: R$ 1.600,00 de R$ 1.500,00.",
        "🚨 Você estourou o orçamento de mercado: R$ 1.600,00 de R$ 1.500,00 (R$ 100,00 acima).",
    ]


@pytest.mark.parametrize("channel", ["whatsapp", "sms"])
async def test_opted_out_of_the_channel_they_last_used_gets_nothing_anywhere(
    world: World, channel: str
) -> None:
    await world.wrote(channel, timedelta(hours=1))
    await world.opt_out(channel)
    await world.expense()

    assert await world.dispatcher().run_once() == 2

    assert world.fake.requests == []
    assert await world.outbound() == []
    assert all(row["processed_at"] is not None for row in await world.outbox())


async def test_opted_out_of_sms_gets_no_sms_fallback(world: World) -> None:
    await world.wrote("whatsapp", timedelta(days=2))
    await world.opt_out("sms")
    await world.expense()
    await world.dispatcher().run_once()
    assert world.fake.requests == []


async def test_a_chat_crossing_is_not_pushed(world: World) -> None:
    await world.wrote("whatsapp", timedelta(minutes=1))
    assert await world.expense(source=Source.CHAT) == 1

    assert await world.dispatcher().run_once() == 2

    assert world.fake.requests == []
    assert await world.outbound() == []
    assert all(row["processed_at"] is not None for row in await world.outbox())


async def test_a_retryable_failure_leaves_the_alert_pending_and_the_next_pass_sends_it(world: World) -> None:
    await world.wrote("whatsapp", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_error = FakeError(503, 20500, "Service unavailable")

    assert await world.dispatcher().run_once() == 1  # only the TransactionRecorded
    assert len(world.fake.of("twilio")) == 1
    assert await world.outbound() == []
    crossing = next(row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed")
    assert crossing["processed_at"] is None and crossing["attempts"] == 1

    world.fake.twilio_error = None
    assert await world.dispatcher().run_once() == 0  # backing off: not before 15 to 30 s have passed
    world.clock.advance(seconds=31)
    assert await world.dispatcher().run_once() == 1

    assert [r.form["Body"] for r in world.fake.of("twilio")] == [ALERT_PT, ALERT_PT]
    [record] = await world.outbound()
    assert record["status"] == "queued" and record["body"] == ALERT_PT
    assert all(row["processed_at"] is not None for row in await world.outbox())


async def test_an_alert_is_given_up_after_max_attempts(world: World) -> None:
    await world.wrote("sms", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_error = FakeError(500, 20500)

    for _ in range(3):
        await world.dispatcher(max_attempts=3).run_once()
        world.clock.advance(hours=2)  # past any backoff (capped at an hour)
    assert await world.dispatcher(max_attempts=3).run_once() == 0  # nothing left to try

    assert len(world.fake.of("twilio")) == 3
    [record] = await world.outbound()
    assert record["status"] == "failed" and record["provider_message_id"] is None
    assert "500" in record["error"]
    crossing = next(row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed")
    assert crossing["processed_at"] is not None and crossing["attempts"] == 3
    assert crossing["outcome"] == "dead_letter"  # retryable errors to the end: a dead letter, not a refusal


async def test_a_refused_number_is_not_retried(world: World) -> None:
    await world.wrote("sms", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_error = FakeError(400, 21211, "Invalid 'To' Phone Number")

    assert await world.dispatcher().run_once() == 2
    assert await world.dispatcher().run_once() == 0

    assert len(world.fake.of("twilio")) == 1
    [record] = await world.outbound()
    assert record["status"] == "failed"


async def test_concurrent_dispatchers_send_each_alert_once(
    world: World, database_url: str, make_tenant: MakeTenant
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serializes writers with its lock")
    phones = [world.phone, "+5511900000001", "+5511900000002", "+5511900000003"]
    users = [world.seed.user.id]
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        for phone in phones[1:]:
            user = await services.add_user(AddUser(phone=phone), world.seed.tenant, uow, world.clock)
            users.append(user.id)
    for user_id, phone in zip(users, phones, strict=True):
        await world.wrote("whatsapp", timedelta(hours=1), phone=phone)
        if user_id != world.seed.user.id:
            await world.budget(user_id=user_id)
        await world.expense(user_id=user_id)

    others = [Database(database_url, clock=world.clock) for _ in range(3)]
    try:
        dispatchers = [world.dispatcher(), *(world.dispatcher(db) for db in others)]
        settled = await asyncio.gather(*(d.run_once() for d in dispatchers))
    finally:
        for db in others:
            await db.dispose()

    assert sum(settled) == 2 * len(users)
    assert sorted(r.form["To"] for r in world.fake.of("twilio")) == sorted(f"whatsapp:{p}" for p in phones)
    assert len(await world.outbound()) == len(users)


async def test_events_nothing_pushes_are_settled_together_and_the_crossing_still_goes(world: World) -> None:
    """Forty small expenses (forty TransactionRecorded events) and one that crosses the budget: one pass
    settles them all, the silent ones with a single UPDATE rather than a claim and a transaction each."""
    await world.wrote("whatsapp", timedelta(hours=1))
    for _ in range(40):
        assert await world.expense("1.00") == 0
    assert await world.expense("1234.56") == 1
    updates: list[str] = []
    tenant = world.seed.tenant.id

    def count(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        values = parameters.values() if isinstance(parameters, dict) else parameters
        mine = {tenant, str(tenant), tenant.hex}  # the dispatcher visits the shared database's other tenants
        if statement.lstrip().upper().startswith("UPDATE OUTBOX") and mine & set(map(_hashable, values)):
            updates.append(statement)

    sa.event.listen(world.db.engine.sync_engine, "before_cursor_execute", count)
    try:
        assert await world.dispatcher().run_once() == 42
    finally:
        sa.event.remove(world.db.engine.sync_engine, "before_cursor_execute", count)
    [pushed] = world.fake.of("twilio")
    assert "80%" in pushed.form["Body"] and "R$ 1.274,56" in pushed.form["Body"]  # 40 x 1.00 + 1,234.56
    rows = await world.outbox()
    assert len(rows) == 42 and all(row["processed_at"] is not None for row in rows)
    assert {row["outcome"] for row in rows if row["event_type"] == "TransactionRecorded"} == {None}
    assert len(updates) == 2  # the silent ones together, then the crossing's own settle


async def test_an_unreadable_event_is_given_up_without_holding_back_the_next(world: World) -> None:
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        await uow.execute(
            sa.insert(outbox).values(
                tenant_id=world.seed.tenant.id,
                event_type="BudgetThresholdCrossed",
                payload={"threshold": 80},
                created_at=world.clock.now(),
                attempts=0,
            )
        )
        await uow.commit()
    await world.expense()

    assert await world.dispatcher(max_attempts=2).run_once() == 2  # the crossing and its TransactionRecorded
    assert len(world.fake.of("twilio")) == 1
    world.clock.advance(minutes=1)  # past the broken one's backoff
    assert await world.dispatcher(max_attempts=2).run_once() == 1  # the broken one, given up

    assert all(row["processed_at"] is not None for row in await world.outbox())
    assert len(world.fake.of("twilio")) == 1


async def test_outside_the_window_a_configured_twilio_template_is_used(world: World) -> None:
    await world.wrote("whatsapp", timedelta(days=2))
    await world.expense()
    templates = AlertTemplates(twilio={"pt": "HX" + "a" * 32})

    await world.dispatcher(templates=templates).run_once()

    [sent] = world.fake.of("twilio")
    assert (
        sent.form["To"] == "whatsapp:" + world.phone
        and sent.form["From"] == "whatsapp:" + world.twilio_number
    )
    assert sent.form["ContentSid"] == "HX" + "a" * 32 and "Body" not in sent.form
    assert json.loads(sent.form["ContentVariables"]) == {"1": ALERT_PT}
    [record] = await world.outbound()
    assert (record["channel"], record["provider"], record["body"]) == ("whatsapp", "twilio", ALERT_PT)


async def test_outside_the_window_a_configured_meta_template_is_used(world: World) -> None:
    await world.wrote("whatsapp", timedelta(days=2), recipient=world.meta_number_id)
    await world.expense()

    await world.dispatcher(templates=AlertTemplates(meta="centavo_budget_alert")).run_once()

    assert world.fake.of("twilio") == []
    [sent] = world.fake.of("meta")
    assert sent.json["type"] == "template"
    assert sent.json["template"]["name"] == "centavo_budget_alert"
    assert sent.json["template"]["language"] == {"code": "pt_BR"}
    [component] = sent.json["template"]["components"]
    assert component["parameters"] == [{"type": "text", "text": ALERT_PT}]


async def test_a_tenants_own_template_wins_over_the_deployments(world: World) -> None:
    """A branded assistant's operators set their approved template per language (PATCH /api/v1/settings)."""
    async with world.db.directory() as directory:
        tenant = await directory.tenants.get(world.seed.tenant.id)
        assert tenant is not None
        tenant.settings = {**tenant.settings, "whatsapp_templates": {"pt": "HX" + "b" * 32}}
        await directory.tenants.update(tenant)
        await directory.commit()
    await world.wrote("whatsapp", timedelta(days=2))
    await world.expense()

    await world.dispatcher(templates=AlertTemplates(twilio={"pt": "HX" + "a" * 32})).run_once()

    [sent] = world.fake.of("twilio")
    assert sent.form["ContentSid"] == "HX" + "b" * 32
    assert json.loads(sent.form["ContentVariables"]) == {"1": ALERT_PT}


def _hashable(value: object) -> object:
    return value if isinstance(value, (str, int, uuid.UUID, type(None))) else repr(value)


async def test_quiet_hours_hold_an_alert_until_they_end_and_release_it_once(world: World) -> None:
    # 23:30 in São Paulo (UTC-3): inside the tenant's default quiet hours, 22:00-08:00.
    world.clock.set(datetime(2025, 3, 16, 2, 30, tzinfo=UTC))
    await world.wrote("sms", timedelta(minutes=5))
    assert await world.expense() == 1

    assert await world.dispatcher().run_once() == 1  # only the TransactionRecorded, which needs no push
    world.clock.set(datetime(2025, 3, 16, 10, 59, tzinfo=UTC))  # 07:59 local: still quiet
    assert await world.dispatcher().run_once() == 0
    assert world.fake.of("twilio") == []
    [pending] = [row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed"]
    assert pending["processed_at"] is None and pending["attempts"] == 0  # held, not tried

    world.clock.set(datetime(2025, 3, 16, 11, 0, tzinfo=UTC))  # 08:00 local: the window has ended
    assert await world.dispatcher().run_once() == 1
    assert await world.dispatcher().run_once() == 0
    [sent] = world.fake.of("twilio")
    # By SMS (they last wrote by SMS), in GSM-7.
    assert sent.form["Body"] == "Voce ja usou 80% do orcamento de mercado: R$ 1.234,56 de R$ 1.500,00."


async def test_a_user_who_turned_quiet_hours_off_is_pushed_at_night(world: World) -> None:
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        user = await uow.users.get(world.seed.user.id)
        assert user is not None
        user.quiet_hours = "off"
        await uow.users.update(user)
        await uow.commit()
    world.clock.set(datetime(2025, 3, 16, 2, 30, tzinfo=UTC))  # 23:30 local
    await world.wrote("sms", timedelta(minutes=5))
    await world.expense()
    await world.dispatcher().run_once()
    assert len(world.fake.of("twilio")) == 1


async def test_a_user_who_stopped_budget_alerts_is_not_pushed_and_the_history_says_why(world: World) -> None:
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        user = await uow.users.get(world.seed.user.id)
        assert user is not None
        user.budget_alerts = False
        await uow.users.update(user)
        await uow.commit()
    await world.wrote("whatsapp", timedelta(hours=1))
    assert await world.expense() == 1  # the crossing is still recorded
    await world.dispatcher().run_once()
    assert world.fake.of("twilio") == []
    [crossed] = [row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed"]
    assert crossed["outcome"] == "alerts_off" and crossed["processed_at"] is not None


async def test_a_provider_failing_twice_then_accepting_delivers_on_the_third_try_with_growing_delays(
    world: World,
) -> None:
    await world.wrote("sms", timedelta(hours=1))
    await world.expense()
    world.fake.twilio_error = FakeError(500, 20500)
    world.fake.twilio_error_times = 2  # 500, 500, then 201
    start = world.clock.now()

    waits = []
    for _ in range(2):
        await world.dispatcher().run_once()
        crossing = next(row for row in await world.outbox() if row["event_type"] == "BudgetThresholdCrossed")
        assert crossing["processed_at"] is None
        waits.append(crossing["next_attempt_at"] - world.clock.now())
        world.clock.set(crossing["next_attempt_at"] - timedelta(seconds=1))
        await world.dispatcher().run_once()  # a second early: not tried
        world.clock.set(crossing["next_attempt_at"])
    assert len(world.fake.of("twilio")) == 2
    await world.dispatcher().run_once()

    assert len(world.fake.of("twilio")) == 3
    [record] = await world.outbound()
    assert record["status"] == "queued"
    # 15-30 s after the first failure, 30-60 s after the second: growing, capped, jittered.
    assert timedelta(seconds=15) <= waits[0] <= timedelta(seconds=30) <= waits[1] <= timedelta(seconds=60)
    assert world.clock.now() - start == waits[0] + waits[1]


async def test_a_low_balance_from_a_write_no_reply_told_is_pushed_once_until_it_recovers(
    world: World,
) -> None:
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        await services.record_transaction(
            RecordTransaction(world.seed.user.id, TransactionKind.INCOME, "2000", source=Source.ADMIN_API),
            uow,
            world.clock,
        )
    async with world.db.unit_of_work(world.seed.tenant.id) as uow:
        account, balance = await warn_below(WarnBelow(world.seed.user.id, "1000"), uow)
    assert (str(balance.amount), account.low_balance_warned) == ("2100.00", False)  # opened with 100
    await world.wrote("sms", timedelta(hours=1))

    await world.expense("1200")  # 900 left: under 1.000, from the admin API (no reply told it)
    await world.expense("10")  # still under: not again
    await world.dispatcher().run_once()
    bodies = [r.form["Body"] for r in world.fake.of("twilio")]
    assert [b for b in bodies if "abaixo" in b] == [
        "Conta esta com R$ 900,00, abaixo dos R$ 1.000,00 que voce definiu."
    ]
